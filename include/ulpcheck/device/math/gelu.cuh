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

/// The accurate exact GELU: t/2 * erfc(-t / sqrt 2). erfc of a positive argument is small
/// and carries its full relative accuracy, so nothing cancels: the tail is as accurate as
/// the rest, down to erfcf's underflow near t = -14.
struct GeluErfc {
  static ULPCHECK_HD float eval(float t) { return 0.5f * t * erfcf(-t * kSqrtHalf); }
};

/// The tanh argument sqrt(2/pi) (t + 0.044715 t^3), written as vLLM writes it.
ULPCHECK_HD float gelu_tanh_inner(float t) { return kTanhBeta * (t + kTanhKappa * t * t * t); }

/// vLLM's tanh GELU: 0.5 t (1 + tanh(z)). For t < 0, 1 + tanh(z) cancels as 1 + erf does.
struct GeluTanh {
  static ULPCHECK_HD float eval(float t) { return 0.5f * t * (1.0f + tanhf(gelu_tanh_inner(t))); }
};

/// The accurate tanh GELU: 0.5 t (1 + tanh z) = t / (1 + e^(-2z)), exactly, with no
/// subtraction; exp_fp32 gives the same bits on host and GPU. For t -> -inf, e^(-2z)
/// overflows and the quotient is -0, the limit.
struct GeluTanhExp {
  static ULPCHECK_HD float eval(float t) { return t / (1.0f + exp_fp32(-2.0f * gelu_tanh_inner(t))); }
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
