// The CUDA kernel table. A kernel is one arithmetic variant; its rows come from every op
// family that has the variant. Adding a family = its file under device/cuda/ + its rows in
// the kernels here.
#include <array>
#include <span>

#include "ulpcheck/device/cuda/elementwise_kernel.hpp"

namespace ulpcheck::cuda {

extern const std::array<CudaOpImpl, 3> kSiluSingleRows, kSiluDoubleRows, kSiluSingleFastRows, kSiluDoubleFastRows;

std::span<const Kernel* const> builtin_kernels() {
  static const CudaElementwiseKernel single{
      "cuda.single_rounding",
      "fp32 clamp, activation (exp_fp32) and product, one rounding; same bits as host.single_rounding",
      {kSiluSingleRows}};
  static const CudaElementwiseKernel double_rounding{
      "cuda.double_rounding",
      "act(g) rounded to storage, then the product rounded (vLLM style); same bits as host.double_rounding",
      {kSiluDoubleRows}};
  static const CudaElementwiseKernel single_fast{
      "cuda.single_rounding_fast_math", "as cuda.single_rounding with the fast intrinsics of -use_fast_math (__expf; GPU only)",
      {kSiluSingleFastRows}};
  static const CudaElementwiseKernel double_fast{
      "cuda.double_rounding_fast_math", "as cuda.double_rounding with the fast intrinsics of -use_fast_math (__expf; GPU only)", {kSiluDoubleFastRows}};
  static const std::array<const Kernel*, 4> all{&single, &double_rounding, &single_fast, &double_fast};
  return all;
}

}  // namespace ulpcheck::cuda
