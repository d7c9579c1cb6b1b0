// Running a routing kernel on a batch the way every check does: outputs poisoned first, so
// that an id or weight the kernel leaves unwritten cannot pass for a result.
#pragma once

#include "ulpcheck/device/routing_kernel.hpp"

namespace ulpcheck {

/// Runs `kernel` on `inputs` into outputs sized [tokens, topk] and filled with id -1 and NaN
/// weights beforehand. Throws KernelError when the kernel cannot run.
RoutingOutputs run_routing_kernel(const RoutingKernel& kernel, const RoutingConfig& config,
                                  const RoutingInputs& inputs);

}  // namespace ulpcheck
