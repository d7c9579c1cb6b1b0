// A case a report was asked for but did not measure, and why.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "ulpcheck/device/isolation.hpp"

namespace ulpcheck {

struct SkippedCase {
  std::string op, dtype, params_label, kernel;
  std::string reason;
  /// The kernel failed to run (a CUDA kernel without a GPU, a plugin's own error), as
  /// opposed to declining the case (a parameter it does not take).
  bool did_not_run = false;
};

/// Called in the handler of `e`, thrown by `kernel` in a report's run: rethrows it when it
/// must end the run (the request named the kernel, so the report means nothing without it;
/// or the CUDA context is lost, so no later kernel can run), else returns the reason its
/// case is listed as not run.
inline std::string reason_not_run(const KernelError& e, const std::vector<std::string>& named_kernels,
                                  std::string_view kernel) {
  const auto* crash = dynamic_cast<const KernelCrash*>(&e);
  if (std::ranges::find(named_kernels, kernel) != named_kernels.end() ||
      (crash && crash->cause == KernelCrash::Cause::device_lost))
    throw;
  return e.what();
}

}  // namespace ulpcheck
