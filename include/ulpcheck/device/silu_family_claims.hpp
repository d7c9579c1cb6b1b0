// What the SiLU-family kernels claim, per variant and format (Format order), shared by the
// host and CUDA builds of the same arithmetic: budgets, with their derivations beside the
// numbers, and the parameters a variant can take.
#pragma once

#include <array>
#include <string>

#include "ulpcheck/reference/budget.hpp"
#include "ulpcheck/reference/format.hpp"
#include "ulpcheck/reference/params.hpp"

namespace ulpcheck::silu_budgets {

// Floors (see budget.hpp: scaled by |up| for the gated ops).
// 2^-121 > |silu(-88.72)| = 2.8e-37: fp32 arithmetic flushes silu(g) to -0 below -88.72,
// where e^-g overflows. Every format reaches that tail: fp16 gates go to -65504, and while
// an fp16 up is too small to lift the product out of zero, an infinite up clamped to a
// huge fp32 limit (1e29) is not.
inline constexpr double kSiluTail = 0x1p-121;
// Rounding silu(g) to storage before the multiply loses all relative accuracy once silu(g)
// is subnormal in that format (g itself tiny): its absolute error is then at most half the
// smallest subnormal, 2^-134 in bf16 (under kSiluTail) and 2^-25 in fp16. The product's
// own rounding adds at most 0.5 ulp(r) < 2^-25 |u| (|silu(g)| < 2^-14 there), so the
// floor is one whole subnormal spacing, 2^-24.
inline constexpr double kFp16Subnormal = 0x1p-24;

// One rounding of an fp32 result: 0.5 ulp plus the fp32 error (a few fp32 ulps, 2^-16 of a
// bf16 ulp, 2^-13 of an fp16 ulp). In fp32 the arithmetic is the result: exp_fp32 (<= 1 ulp),
// add, divide and multiply (0.5 each) bound it near 3 ulps; 4 claimed.
inline constexpr std::array<Budget, 3> kSingle{{{0.501, kSiluTail}, {0.501, kSiluTail}, {4.0, kSiluTail}}};
// Two roundings: silu(g) off by up to 2^-p relative, then the product rounded again: up to
// 1 + 0.5 ulp. fp32 rounds nothing extra, so it is the single-rounding figure.
inline constexpr std::array<Budget, 3> kDouble{{{1.5, kSiluTail}, {1.5, kFp16Subnormal}, {4.0, kSiluTail}}};
// The composite also rounds the clamped gate and up to storage: a limit the format cannot
// hold moves each by up to 2^-p relative (7.3 -> 7.3125 in bf16, 0.17%), one more ulp.
inline constexpr std::array<Budget, 3> kComposite{{{2.5, kSiluTail}, {2.5, kFp16Subnormal}, {4.0, kSiluTail}}};

// __expf is ex2.approx(x * log2 e): the product's rounding costs |x| 2^-24 relative, so up
// to about 2^-17.5 (64 fp32 ulps) near |x| = 88, where silu inherits it. That is under 2^-9
// of a bf16 ulp and 2^-6 of an fp16 ulp (fp16 inputs only reach |x| <= 17 before silu
// underflows), so 16-bit outputs keep 0.51; fp32 outputs claim 96 ulps.
inline constexpr std::array<Budget, 3> kSingleFastExp{{{0.51, kSiluTail}, {0.51, kSiluTail}, {96.0, kSiluTail}}};
inline constexpr std::array<Budget, 3> kDoubleFastExp{{{1.51, kSiluTail}, {1.51, kFp16Subnormal}, {96.0, kSiluTail}}};

/// Variants that store an intermediate in the storage format (silu(g) before the product,
/// or the clamped gate) hold only limits the format can: with fp16 and L = 1e6, an infinite
/// gate clamps to 1e6, which fp16 stores as inf, and the output is inf where the exact
/// result is finite. Empty when `params` are fine, else why not.
std::string limit_fits_storage(Format f, const Params& params);

}  // namespace ulpcheck::silu_budgets
