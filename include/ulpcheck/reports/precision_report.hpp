// A precision report of one measurement (op, kernel, format), as Markdown for a pull
// request or JSON for CI.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "ulpcheck/properties/measure.hpp"

namespace ulpcheck {

/// The report of one measurement. level 1: a document of its own ("# Precision report:
/// ..."); level n > 1: a section headed by the kernel and parameters at heading level n,
/// for a report of many measurements.
std::string render_markdown(const Measurement& m, int level = 1);
/// Every figure of the report, the binade and special-value tables and the ULP histogram.
/// Non-finite numbers are the strings "nan", "inf", "-inf".
nlohmann::json to_json(const Measurement& m);

}  // namespace ulpcheck
