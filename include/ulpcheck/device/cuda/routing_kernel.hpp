// The CUDA routing kernels (device/cuda/routing_kernels.cu); empty in a build without CUDA.
#pragma once

#include <span>

#include "ulpcheck/device/routing_kernel.hpp"

namespace ulpcheck::cuda {

std::span<const RoutingKernel* const> builtin_routing_kernels();

}  // namespace ulpcheck::cuda
