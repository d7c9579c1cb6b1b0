// The rows each op family gives the CUDA kernels (kernels.cu): one table per arithmetic
// variant, defined and sized in the family's file, seen here as spans (internal to
// device/cuda/).
#pragma once

#include <span>

#include "ulpcheck/device/cuda/elementwise_kernel.hpp"

namespace ulpcheck::cuda {

// silu_family.cu
extern const std::span<const CudaOpImpl> kSiluSingleRows, kSiluDoubleRows, kSiluSingleFastRows, kSiluDoubleFastRows;
// gelu_family.cu
extern const std::span<const CudaOpImpl> kGeluSingleRows, kGeluDoubleRows, kGeluAccurateRows, kGeluSingleFastRows,
    kGeluDoubleFastRows;

}  // namespace ulpcheck::cuda
