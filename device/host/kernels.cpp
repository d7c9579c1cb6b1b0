// The host kernel table. A kernel is one arithmetic variant; its rows come from every op
// family that has the variant. Adding a family = its file under device/host/ + its rows in
// the kernels here.
#include <array>
#include <span>

#include "ulpcheck/device/host/elementwise_kernel.hpp"

namespace ulpcheck::host {

extern const std::array<HostOpImpl, 3> kSiluSingleRows, kSiluDoubleRows, kSiluCompositeRows;

std::span<const Kernel* const> builtin_kernels() {
  static const HostElementwiseKernel single{
      "host.single_rounding",
      "fp32 clamp, activation and product, one rounding to storage (FlashInfer / PyTorch fused style)",
      {kSiluSingleRows}};
  static const HostElementwiseKernel double_rounding{
      "host.double_rounding",
      "fp32 clamp; act(g) rounded to storage, then the product rounded (eager-matching, vLLM style)",
      {kSiluDoubleRows}};
  static const HostElementwiseKernel composite{
      "host.composite", "framework composite: clamp, activation and multiply as separate ops, each rounded to storage",
      {kSiluCompositeRows}};
  static const std::array<const Kernel*, 3> all{&single, &double_rounding, &composite};
  return all;
}

}  // namespace ulpcheck::host
