// A C API request (ulpcheck.h's ulpcheck_run): JSON text read into the runs stage's own
// requests, every key checked. Internal to capi/.
#pragma once

#include <optional>
#include <string>

#include "ulpcheck/golden/check_run.hpp"
#include "ulpcheck/properties/fuzz.hpp"
#include "ulpcheck/runs/fuzz.hpp"
#include "ulpcheck/runs/report.hpp"

namespace ulpcheck::capi {

enum class Command { check, fuzz, golden_check };

struct Request {
  Command command = Command::check;
  ReportRequest check;
  FuzzRequest fuzz;
  FuzzSettings fuzz_settings;
  std::optional<std::string> replay;
  golden::CheckRequest golden_check;
};

/// Throws RequestError naming the key and what is wrong ("request.params.limit: ..."): text
/// that is not a JSON object, an unknown command or key, a value of the wrong type.
Request parse_request(const std::string& text);

}  // namespace ulpcheck::capi
