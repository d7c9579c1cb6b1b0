// The host kernel table. A kernel is one arithmetic variant; its rows come from every op
// family that has the variant. Adding a family = its file under device/host/ + its tables
// in family_rows.hpp + its rows in the kernels here.
#include <array>
#include <span>

#include "family_rows.hpp"
#include "ulpcheck/device/host/elementwise_kernel.hpp"

namespace ulpcheck::host {

std::span<const Kernel* const> builtin_kernels() {
  static const HostElementwiseKernel single{
      "host.single_rounding",
      "fp32 clamp, activation (erff, tanhf) and product, one rounding to storage (FlashInfer / PyTorch fused style)",
      {kSiluSingleRows, kGeluSingleRows}};
  static const HostElementwiseKernel double_rounding{
      "host.double_rounding",
      "fp32 clamp; act(g) rounded to storage, then the product rounded (eager-matching, vLLM style)",
      {kSiluDoubleRows, kGeluDoubleRows}};
  static const HostElementwiseKernel composite{
      "host.composite", "framework composite: clamp, activation and multiply as separate ops, each rounded to storage",
      {kSiluCompositeRows, kGeluCompositeRows}};
  static const HostElementwiseKernel accurate{
      "host.accurate",
      "one rounding, with forms that do not cancel for negative inputs: t/2 erfc(-t/sqrt 2) for GELU, "
      "t / (1 + e^-2z) for tanh GELU (SiLU as host.single_rounding)",
      {kSiluSingleRows, kGeluAccurateRows}};
  static const auto all = std::to_array<const Kernel*>({&single, &double_rounding, &composite, &accurate});
  return all;
}

}  // namespace ulpcheck::host
