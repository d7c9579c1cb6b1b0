// The SiLU-family kernels on the host: the per-element math of include/ulpcheck/device/
// math/silu.cuh compiled for the CPU. Each claims, per op and format, the budget its
// arithmetic can keep (device/silu_family_claims.hpp derives them).
#include <array>

#include "ulpcheck/device/host/elementwise_kernel.hpp"
#include "ulpcheck/device/silu_family_claims.hpp"
#include "ulpcheck/device/math/silu.cuh"

namespace ulpcheck {

extern const ElementwiseOp kSiluOp;
extern const ElementwiseOp kSiluAndMulOp;
extern const ElementwiseOp kSiluAndMulClampOp;

namespace {

/// A functor's call operator as a plain function pointer, for each format (Format order).
template <template <Format, class> class V>
constexpr std::array<ElementFn, 3> per_format() {
  return {[](float a, float b, float L) { return V<Format::bf16, math::PortableExp>{}(a, b, L); },
          [](float a, float b, float L) { return V<Format::fp16, math::PortableExp>{}(a, b, L); },
          [](float a, float b, float L) { return V<Format::fp32, math::PortableExp>{}(a, b, L); }};
}
constexpr auto Unary = per_format<math::SiluUnary>;
constexpr auto Single = per_format<math::SiluAndMulSingleRounding>;
constexpr auto Double = per_format<math::SiluAndMulDoubleRounding>;
constexpr auto Composite = per_format<math::SiluAndMulComposite>;

using namespace silu_budgets;

const HostOpImpl kSingleOps[] = {
    {&kSiluOp, Unary(), kSingle},
    {&kSiluAndMulOp, Single(), kSingle},
    {&kSiluAndMulClampOp, Single(), kSingle},
};
const HostOpImpl kDoubleOps[] = {
    {&kSiluOp, Unary(), kSingle},
    {&kSiluAndMulOp, Double(), kDouble},
    {&kSiluAndMulClampOp, Double(), kDouble, &limit_fits_storage},
};
const HostOpImpl kCompositeOps[] = {
    {&kSiluOp, Unary(), kSingle},
    {&kSiluAndMulOp, Composite(), kDouble},
    {&kSiluAndMulClampOp, Composite(), kComposite, &limit_fits_storage},
};

}  // namespace

extern const HostElementwiseKernel kHostSingleRounding{
    "host.single_rounding",
    "fp32 clamp, SiLU and product, one rounding to storage (FlashInfer / PyTorch fused style)",
    kSingleOps};
extern const HostElementwiseKernel kHostDoubleRounding{
    "host.double_rounding",
    "fp32 clamp; silu(g) rounded to storage, then the product rounded (eager-matching, vLLM style)",
    kDoubleOps};
extern const HostElementwiseKernel kHostComposite{
    "host.composite",
    "framework composite: clamp, silu and multiply as separate ops, each rounded to storage",
    kCompositeOps};

}  // namespace ulpcheck
