// Per-element GELU, exact (erf) and tanh forms, as production kernels compute them in fp32,
// and the accurate forms that avoid their cancellation for negative inputs. The variants
// (variants.cuh) decide where the result is rounded.
//
//   gelu(t)      = t Phi(t) = t/2 (1 + erf(t / sqrt 2))            (Hendrycks & Gimpel 2016)
//   gelu_tanh(t) = t/2 (1 + tanh(sqrt(2/pi) (t + 0.044715 t^3)))   (PyTorch approximate='tanh',
//                                                                   Hugging Face gelu_pytorch_tanh)
//
// erff, erfcf and tanhf are the C library's on the host and CUDA's on the GPU: the same
// source, not the same bits (both within a few fp32 ulps, CUDA's documented bounds being
// erff 2, erfcf 4, tanhf 2). Host and CUDA kernels therefore agree within their claimed
// budgets, not bit for bit, unlike the SiLU family's exp_fp32.
#pragma once

#include <cmath>

#include "ulpcheck/device/math/exp.cuh"
#include "ulpcheck/device/math/variants.cuh"

namespace ulpcheck::math {

inline constexpr float kSqrtHalf = 0.707106781186547524f;  // M_SQRT1_2
inline constexpr float kTanhBeta = 0.797884560802865356f;  // sqrt(2/pi) = M_SQRT2 * M_2_SQRTPI / 2
inline constexpr float kTanhKappa = 0.044715f;

/// vLLM's and FlashInfer's exact GELU: t * 0.5 * (1 + erf(t / sqrt 2)). For t < 0, 1 + erf
/// cancels: near t = -5 it is 2.9e-7 with an absolute error of up to an ulp of 1 (6e-8),
/// so the result keeps few correct bits, and below t = -5.5 erff returns -1 and the result
/// is -0. The absolute error stays under 5e-7 throughout.
struct GeluErf {
  static ULPCHECK_HD float eval(float t) { return t * 0.5f * (1.0f + erff(t * kSqrtHalf)); }
};

/// The accurate exact GELU: t/2 erfc(-t / sqrt 2). erfc of a positive argument is small
/// and carries its full relative accuracy, so nothing cancels. What is left is erfc's
/// sensitivity to its argument: erfc(x + d) = erfc(x) (1 - r(x) d), r(x) = 2 e^-x^2 /
/// (sqrt(pi) erfc(x)), which is about 2x for x >= 1 (2.6 at x = 1, 6.3 at x = 3), so the
/// rounding of x = -t / sqrt 2 (and of the constant) would cost up to 2x^2 x 2^-24, 200
/// ulps near x = 10. The argument is therefore split: x = fl(-t c_hi) and d, the part of
/// -t / sqrt 2 it lost (exact FMA remainder plus -t c_lo), and erfc is corrected to first
/// order with 2x. The correction's own error, (r(x) - 2x) d for x in [0, 1), is under a
/// quarter of an ulp; (2xd)^2 is below 2^-30. Past x = 11 erfc is 0 in fp32 (and -t/2 * 0
/// would meet an infinite correction for huge t), so the correction stops there.
struct GeluErfc {
  static ULPCHECK_HD float eval(float t) {
    constexpr float c_hi = 0x1.6a09e6p-1f, c_lo = 0x1.9fcef4p-27f;  // 1/sqrt(2) = c_hi + c_lo + 4e-16
    const float x = mul_rn(-t, c_hi);
    const float d = fmaf(-t, c_hi, -x) + -t * c_lo;
    const float e = erfcf(x);
    const float corrected = x > 0.0f && x < 11.0f ? fmaf(e, -2.0f * x * d, e) : e;
    return 0.5f * t * corrected;
  }
};

/// The tanh argument sqrt(2/pi) (t + 0.044715 t^3), written as vLLM writes it.
ULPCHECK_HD float gelu_tanh_inner(float t) { return kTanhBeta * (t + kTanhKappa * t * t * t); }

/// vLLM's tanh GELU: 0.5 t (1 + tanh(z)). For t < 0, 1 + tanh(z) cancels as 1 + erf does.
struct GeluTanh {
  static ULPCHECK_HD float eval(float t) { return 0.5f * t * (1.0f + tanhf(gelu_tanh_inner(t))); }
};

/// The accurate tanh GELU: 0.5 t (1 + tanh z) = t / (1 + e^(-2z)), exactly, with no
/// subtraction; exp_fp32 gives the same bits on host and GPU. For t -> -inf, e^(-2z)
/// overflows and the quotient is -0, as gelu(t) tends to. e^(-2z) amplifies an absolute error of z
/// by 2|z| (up to 88 before it overflows), and z = sqrt(2/pi) (t + 0.044715 t^3) takes
/// five roundings, so z is carried as hi + lo: each product by an exact FMA remainder,
/// the sum by Fast2Sum (|t| >= |0.044715 t^3| or the sum is t itself to within its lo),
/// the constants split in two floats. Then e^(-2(z_hi + z_lo)) = e^(-2 z_hi) (1 - 2 z_lo).
/// Beyond |t| = 12, e^(-2z) is 0 or overflows (|z| > 71) and the plain form is exact
/// enough (and t^3 would overflow for huge t, making the remainders NaN).
struct GeluTanhExp {
  static ULPCHECK_HD float eval(float t) {
    if (!(fabsf(t) <= 12.0f)) return divide_by_one_plus(t, 1.0f + exp_fp32(-2.0f * gelu_tanh_inner(t)));
    constexpr float beta_hi = 0x1.988454p-1f, beta_lo = -0x1.857936p-26f;    // sqrt(2/pi)
    constexpr float kappa_hi = 0x1.6e4e26p-5f, kappa_lo = 0x1.a9003ep-30f;  // 0.044715
    // Each hi part rounded once and unfused (mul_rn, add_rn): the lo parts are exactly what
    // those roundings lost.
    const float t2 = mul_rn(t, t), t2_lo = fmaf(t, t, -t2);
    const float t3 = mul_rn(t2, t), t3_lo = fmaf(t2, t, -t3) + t2_lo * t;
    const float k3 = mul_rn(kappa_hi, t3), k3_lo = fmaf(kappa_hi, t3, -k3) + (kappa_hi * t3_lo + kappa_lo * t3);
    const float s = add_rn(t, k3);  // TwoSum: exact whichever of t and k3 is larger
    const float bb = add_rn(s, -t), s_lo = add_rn(add_rn(t, -add_rn(s, -bb)), add_rn(k3, -bb)) + k3_lo;
    const float z = mul_rn(beta_hi, s), z_lo = fmaf(beta_hi, s, -z) + (beta_hi * s_lo + beta_lo * s);
    const float e = exp_fp32(-2.0f * z);
    // An overflowed e stays inf (inf - inf would be NaN): the quotient is -0 either way.
    return divide_by_one_plus(t, 1.0f + (e < HUGE_VALF ? fmaf(e, -2.0f * z_lo, e) : e));
  }
};

#if defined(__CUDACC__)
/// The PTX tanh.approx.f32 instruction (MUFU.TANH on sm_75+): maximum relative error
/// 2^-10.987 by the PTX ISA manual, about 134 fp32 ulps measured (FACTS).
__device__ __forceinline__ float tanh_approx(float x) {
  float y;
  asm("tanh.approx.f32 %0, %1;" : "=f"(y) : "f"(x));
  return y;
}

/// FlashInfer's tanh GELU under -use_fast_math: the formula of GeluTanh with tanh.approx.
struct GeluTanhApprox {
  static __device__ __forceinline__ float eval(float t) { return 0.5f * t * (1.0f + tanh_approx(gelu_tanh_inner(t))); }
};
#endif

}  // namespace ulpcheck::math
