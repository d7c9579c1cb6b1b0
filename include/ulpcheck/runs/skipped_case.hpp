// A case a report was asked for but did not measure, and why.
#pragma once

#include <string>

namespace ulpcheck {

struct SkippedCase {
  std::string op, dtype, params_label, kernel;
  std::string reason;
  /// The kernel failed to run (a CUDA kernel without a GPU, a plugin's own error), as
  /// opposed to declining the case (a parameter it does not take).
  bool did_not_run = false;
};

}  // namespace ulpcheck
