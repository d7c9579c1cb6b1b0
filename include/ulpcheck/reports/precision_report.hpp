// A precision report of one measurement (op, kernel, format), as Markdown for a pull
// request or JSON for CI.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "ulpcheck/properties/measure.hpp"

namespace ulpcheck {

std::string render_markdown(const Measurement& m);
nlohmann::json to_json(const Measurement& m);

}  // namespace ulpcheck
