// What the GELU-family kernels claim, per variant and format (Format order), shared by the
// host and CUDA builds of the same formulas, with the derivations beside the numbers.
// The erf, erfc and tanh functions are the C library's on the host and CUDA's on the GPU;
// the bounds below use CUDA's documented maxima (erff 2 ulps, erfcf 4, tanhf 2), which
// glibc's measured ones (erff 1, erfcf 3, tanhf 2) do not exceed.
#pragma once

#include <array>

#include "ulpcheck/reference/budget.hpp"

namespace ulpcheck::gelu_budgets {

// The erf and tanh forms, t/2 (1 + erf(t / sqrt 2)) and t/2 (1 + tanh z), cancel for t < 0:
// erf (or tanh) near -1 is off by up to 2 ulps of 1 (2^-23), and 1 + erf is exact there
// (Sterbenz), so the result is off by up to |t|/2 2^-24 k for k ulps of erff; CUDA's erff
// and tanhf measure 1.04 and 1.82 ulps, so k = 2 gives 1.6e-7 at |t| = 5.5, below which
// 1 + erf is not yet 0 (past t = -5.9 erff returns -1 and the result is -0, off by the
// exact value itself, < 2^-26). 2^-21 = 4.8e-7 floors that tail (scaled by |up| in the
// gated forms).
inline constexpr double kCancellationFloor = 0x1p-21;
// Above the floor. Unary: one rounding of an fp32 result within a few fp32 ulps; every
// 16-bit input is checked, and the cancellation region is all below the floor except a
// few inputs near t = -3.9 (0.503 bf16, 0.557 fp16 ulps measured on CUDA): 0.51 / 0.6 / 4
// (fp32: erf 2 ulps, the add and two products 0.5 each). The op's default budget
// (reference/ops/gelu.cpp) is wider: it holds for any erff within 2 ulps, not only these.
inline constexpr std::array<Budget, 3> kSingleUnary{{{0.51, kCancellationFloor},
                                                     {0.6, kCancellationFloor},
                                                     {4.0, kCancellationFloor}}};
// Gated: |up| scales the floor and the result alike, so the final rounding meets the
// cancellation at every magnitude. An output fails the floor only when its rounding error
// (up to half an ulp of r) plus the fp32 error (up to 1.6e-7 |u|) passes 2^-21 |u|: then
// ulp(r) >= 2^-20 |u| in bf16, and the fp32 error is at most 0.16 of it: 0.66, 0.7
// claimed. In fp16 ulp(r) is 8 times finer: near t = -3.3 (1 + erf = 1e-3) the fp32
// error is 6e-5 relative, up to 0.25 fp16 ulps on top of the rounding: 0.8 claimed.
inline constexpr std::array<Budget, 3> kSingleGated{{{0.7, kCancellationFloor},
                                                     {0.8, kCancellationFloor},
                                                     {4.0, kCancellationFloor}}};
// act(g) rounded to storage before the product: its error, half an ulp of act(g) plus the
// fp32 error d (in ulps of act(g)), doubles at most in ulps of the product, which adds its
// own half: 1.5 + 2d. bf16: d <= 0.16 as above, 1.85. fp16: near t = -3.6 the fp32 error
// is 0.23 ulps of act(g) with the total still above the floor: 2.1.
inline constexpr std::array<Budget, 3> kDoubleGated{{{1.85, kCancellationFloor},
                                                     {2.1, kCancellationFloor},
                                                     {4.0, kCancellationFloor}}};

// The accurate forms (gelu.cuh derives them). t/2 erfc(-t / sqrt 2) with the argument's
// rounding corrected: erfcf within 4 ulps, the correction under 1/4, the products 1/2
// each: 5.25, 6 claimed (3.8 measured on the host). t / (1 + e^-2z) with z carried as a
// double-float: exp_fp32 within 1 ulp, then the add, the division and the product with
// up, 1/2 each: 2.5, 4 claimed (2.9 measured). In bf16 and fp16, a few fp32 ulps are
// under 2^-13 of an ulp: 0.51. Nothing cancels, so the only floor is the subnormal tail:
// below 2^-120 an fp32 result (and erfcf's) has lost bits.
inline constexpr double kSubnormalTail = 0x1p-120;
inline constexpr std::array<Budget, 3> kAccurateErfc{{{0.51, kSubnormalTail},
                                                      {0.51, kSubnormalTail},
                                                      {6.0, kSubnormalTail}}};
inline constexpr std::array<Budget, 3> kAccurateTanh{{{0.51, kSubnormalTail},
                                                      {0.51, kSubnormalTail},
                                                      {4.0, kSubnormalTail}}};

// tanh.approx.f32 (MUFU.TANH): the PTX ISA bounds its relative error by 2^-10.987; measured
// over all fp32 inputs it is 134 ulps of tanh, 2^-16.9 (FACTS). The claims use 2^-16.
// t > 0: 1 + tanh z is in [1, 2), so the result is off by 2^-17 relatively: 128 fp32 ulps
// (300 claimed), 2^-9 of a bf16 ulp and 2^-6 of an fp16 ulp (0.51, 0.55). t < 0: the
// cancellation again, now with tanh off by 2^-16 absolutely: |t|/2 2^-16 <= 2^-14 up to
// |t| = 8, beyond which tanh.approx returns -1 (z < -24) and the result is -0. So the
// floor is 2^-14: this variant is not accurate in the negative tail, by design.
inline constexpr double kFastTanhFloor = 0x1p-14;
inline constexpr std::array<Budget, 3> kFastTanh{{{0.51, kFastTanhFloor},
                                                  {0.55, kFastTanhFloor},
                                                  {300.0, kFastTanhFloor}}};
// Gated, the final rounding meets the floor's edge as for kSingleGated, with tanh off by
// up to 2^-16 instead of 2^-23: in bf16 up to 2^-16 |t|/2 |u| against ulp(r) >= 2^-14 |u|
// (0.5 + 1 for |t| <= 4), in fp16 8 times that.
inline constexpr std::array<Budget, 3> kFastTanhGated{{{1.5, kFastTanhFloor},
                                                       {4.5, kFastTanhFloor},
                                                       {300.0, kFastTanhFloor}}};
inline constexpr std::array<Budget, 3> kFastTanhDoubleGated{{{3.5, kFastTanhFloor},
                                                             {9.5, kFastTanhFloor},
                                                             {300.0, kFastTanhFloor}}};

}  // namespace ulpcheck::gelu_budgets
