// Routing kernels with planted bugs, each one a mistake of a kind reported against real
// routing kernels. The routing fuzz tests assert that each is caught by the property named
// beside it.
#pragma once

#include <span>
#include <string_view>

#include "ulpcheck/device/routing_kernel.hpp"

namespace ulpcheck::planted {

struct PlantedRoutingKernel {
  const RoutingKernel* kernel;
  std::string_view bug;
  std::string_view caught_by;      ///< the routing property expected to fail
  /// Whether one run on a Gaussian DeepSeek-V3 batch shows it against the oracle; the others
  /// need inputs only the fuzzer makes (vanishing scores, huge logits) or a second run.
  bool hidden_from_one_gaussian_run;
};

std::span<const PlantedRoutingKernel> all_routing();

}  // namespace ulpcheck::planted
