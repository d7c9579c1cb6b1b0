// The C API's commands, each a call into the runs stage (or golden/) and a rendering of what
// it returns. Internal to capi/.
#pragma once

#include <string>

#include "capi/request.hpp"

namespace ulpcheck::capi {

struct Outcome {
  bool passed = false;
  std::string explanation;  ///< empty when passed
  std::string json;
  std::string markdown;
};

/// Runs the request. Throws RequestError for a request the registries refuse, KernelError
/// for a kernel that cannot run, golden::GoldenError for a golden file that cannot be read.
Outcome run_request(const Request& request);

}  // namespace ulpcheck::capi
