// The CUDA kernel table. A kernel is one arithmetic variant; its rows come from every op
// family that has the variant. Adding a family = its file under device/cuda/ + its tables
// in family_rows.hpp + its rows in the kernels here.
#include <array>
#include <span>

#include "family_rows.hpp"
#include "ulpcheck/device/cuda/elementwise_kernel.hpp"

namespace ulpcheck::cuda {

std::span<const Kernel* const> builtin_kernels() {
  static const CudaElementwiseKernel single{
      "cuda.single_rounding",
      "fp32 clamp, activation (exp_fp32, erff, tanhf) and product, one rounding; SiLU gives the bits of "
      "host.single_rounding",
      {kSiluSingleRows, kGeluSingleRows}};
  static const CudaElementwiseKernel double_rounding{
      "cuda.double_rounding",
      "act(g) rounded to storage, then the product rounded (vLLM style); SiLU gives the bits of "
      "host.double_rounding",
      {kSiluDoubleRows, kGeluDoubleRows}};
  static const CudaElementwiseKernel single_fast{
      "cuda.single_rounding_fast_math",
      "as cuda.single_rounding with the fast intrinsics of -use_fast_math (__expf, tanh.approx.f32; GPU only, "
      "FlashInfer style)",
      {kSiluSingleFastRows, kGeluSingleFastRows}};
  static const CudaElementwiseKernel double_fast{
      "cuda.double_rounding_fast_math",
      "as cuda.double_rounding with the fast intrinsics of -use_fast_math (__expf, tanh.approx.f32; GPU only)",
      {kSiluDoubleFastRows, kGeluDoubleFastRows}};
  static const CudaElementwiseKernel accurate{
      "cuda.accurate",
      "one rounding, with forms that do not cancel for negative inputs: t/2 erfc(-t/sqrt 2) for GELU, "
      "t / (1 + e^-2z) for tanh GELU (SiLU as cuda.single_rounding)",
      {kSiluSingleRows, kGeluAccurateRows}};
  static const auto all =
      std::to_array<const Kernel*>({&single, &double_rounding, &single_fast, &double_fast, &accurate});
  return all;
}

}  // namespace ulpcheck::cuda
