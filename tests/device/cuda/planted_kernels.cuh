// CUDA kernels with planted bugs: what the GPU tests must catch.
#pragma once

#include "ulpcheck/device/cuda/elementwise_kernel.hpp"

namespace ulpcheck::cuda::planted {

/// The vector path taken whatever d is: the last d % 8 elements of each row are never written.
const CudaElementwiseKernel& vector_tail_dropped();
/// __expf under the accurate kernel's budget (4 ulps in fp32).
const CudaElementwiseKernel& fast_exp_under_accurate_budget();
/// Row offsets in 32-bit int: wrong once tokens * 2d passes 2^31.
const CudaElementwiseKernel& int32_row_offsets();
/// Launches with 2048 threads a block (the limit is 1024) and does not ask whether the
/// launch failed: ulpcheck must find out itself.
const CudaElementwiseKernel& unchecked_failed_launch();

}  // namespace ulpcheck::cuda::planted
