// The CUDA combine kernels (device/cuda/combine_kernels.cu); empty in a build without CUDA.
#pragma once

#include <span>

#include "ulpcheck/device/combine_kernel.hpp"

namespace ulpcheck::cuda {

std::span<const CombineKernel* const> builtin_combine_kernels();

}  // namespace ulpcheck::cuda
