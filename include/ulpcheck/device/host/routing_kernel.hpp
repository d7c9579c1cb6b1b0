// Routing kernels on the host: the per-token math of include/ulpcheck/device/math/
// routing.cuh in a loop over tokens, so a machine without a GPU runs the same arithmetic.
#pragma once

#include "ulpcheck/device/routing_kernel.hpp"

namespace ulpcheck::host {

/// The built-in host routing kernels (device/host/routing_kernels.cpp).
std::span<const RoutingKernel* const> builtin_routing_kernels();

}  // namespace ulpcheck::host
