// Combine kernels on the host: the per-element math of include/ulpcheck/device/math/
// combine.cuh in a loop, so a machine without a GPU runs the same arithmetic.
#pragma once

#include <span>

#include "ulpcheck/device/combine_kernel.hpp"

namespace ulpcheck::host {

/// The built-in host combine kernels (device/host/combine_kernels.cpp), one per variant.
std::span<const CombineKernel* const> builtin_combine_kernels();

}  // namespace ulpcheck::host
