// The SiLU-family kernels on the host: the per-element math of include/ulpcheck/device/
// math/silu.cuh compiled for the CPU. Each kernel claims, per op and format, the budget
// its arithmetic can keep; the derivations sit beside the numbers.
#include <array>

#include "ulpcheck/device/host/elementwise_kernel.hpp"
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

// Floors (see budget.hpp: scaled by |up| for the gated ops).
// 2^-121 > |silu(-88.72)| = 2.8e-37: fp32 arithmetic flushes silu(g) to -0 below -88.72,
// where e^-g overflows; bf16 and fp32 inputs reach that tail, fp16 inputs (|x| <= 65504)
// reach it too but their products then round to 0 anyway.
constexpr double kSiluTail = 0x1p-121;
// Rounding silu(g) to storage before the multiply loses all relative accuracy once silu(g)
// is subnormal in that format (g itself tiny): its absolute error is then at most half the
// smallest subnormal, 2^-134 in bf16 (under kSiluTail) and 2^-25 in fp16. The product's
// own rounding adds at most 0.5 ulp(r) < 2^-25 |u| (|silu(g)| < 2^-14 there), so the
// floor is one whole subnormal spacing, 2^-24.
constexpr double kFp16Subnormal = 0x1p-24;

// One rounding of an fp32 result: 0.5 ulp plus the fp32 error (a few fp32 ulps, 2^-16 of a
// bf16 ulp, 2^-13 of an fp16 ulp). In fp32 the arithmetic is the result: exp_fp32 (<= 1 ulp),
// add, divide and multiply (0.5 each) bound it near 3 ulps; 4 claimed.
constexpr std::array<Budget, 3> kSingle{{{0.501, kSiluTail}, {0.501, 0.0}, {4.0, kSiluTail}}};
// Two roundings: silu(g) off by up to 2^-p relative, then the product rounded again: up to
// 1 + 0.5 ulp. fp32 rounds nothing extra, so it is the single-rounding figure.
constexpr std::array<Budget, 3> kDouble{{{1.5, kSiluTail}, {1.5, kFp16Subnormal}, {4.0, kSiluTail}}};
// The composite also rounds the clamped gate and up to storage: a limit the format cannot
// hold moves each by up to 2^-p relative (7.3 -> 7.3125 in bf16, 0.17%), one more ulp.
constexpr std::array<Budget, 3> kComposite{{{2.5, kSiluTail}, {2.5, kFp16Subnormal}, {4.0, kSiluTail}}};

const HostOpImpl kSingleOps[] = {
    {&kSiluOp, Unary(), kSingle},
    {&kSiluAndMulOp, Single(), kSingle},
    {&kSiluAndMulClampOp, Single(), kSingle},
};
const HostOpImpl kDoubleOps[] = {
    {&kSiluOp, Unary(), kSingle},
    {&kSiluAndMulOp, Double(), kDouble},
    {&kSiluAndMulClampOp, Double(), kDouble},
};
const HostOpImpl kCompositeOps[] = {
    {&kSiluOp, Unary(), kSingle},
    {&kSiluAndMulOp, Composite(), kDouble},
    {&kSiluAndMulClampOp, Composite(), kComposite},
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
