// Per-element SiLU-family math as production kernels write it: fp32 compute on values
// loaded from the storage format. The variants differ only in where they round to storage.
#pragma once

#include "ulpcheck/device/math/exp.cuh"
#include "ulpcheck/device/math/storage.cuh"

namespace ulpcheck::math {

/// The exponential a kernel variant uses. PortableExp (exp_fp32) gives the same bits on
/// host and GPU; FastExp is CUDA's __expf (ex2.approx on x * log2(e), up to ~64 fp32 ulps
/// for |x| near 88), which exists on the GPU only.
struct PortableExp {
  static ULPCHECK_HD float eval(float x) { return exp_fp32(x); }
};
#if defined(__CUDACC__)
struct FastExp {
  static __device__ __forceinline__ float eval(float x) { return __expf(x); }
};
#endif

/// silu(t) = t / (1 + e^-t) in fp32, the formula of vLLM, SGLang and PyTorch's opmath.
/// For t < -88.72, e^-t overflows and the quotient is -0: the tail budgets' floors exist
/// for exactly that flush.
template <class Exp = PortableExp>
ULPCHECK_HD float silu_fp32(float t) {
  return t / (1.0f + Exp::eval(-t));
}

/// min(g, L) that keeps a NaN gate NaN (fminf(NaN, L) would return L and hide it).
ULPCHECK_HD float clamp_gate(float g, float limit) { return g > limit ? limit : g; }

/// clamp(u, -L, L) that keeps a NaN up NaN.
ULPCHECK_HD float clamp_up(float u, float limit) {
  return u > limit ? limit : (u < -limit ? -limit : u);
}

/// The variants, as functors a kernel template takes: operator()(x0, x1, limit) returns
/// the output already rounded to F. Unary ops call them with x1 = 1 and limit = +inf.

/// Unary silu: fp32 compute, one rounding.
template <Format F, class Exp = PortableExp>
struct SiluUnary {
  ULPCHECK_HD float operator()(float x, float, float) const { return round_to_storage<F>(silu_fp32<Exp>(x)); }
};

/// Fused, one rounding: clamp and SiLU and the product in fp32, rounded once at the end
/// (FlashInfer's and PyTorch's fused style).
template <Format F, class Exp = PortableExp>
struct SiluAndMulSingleRounding {
  ULPCHECK_HD float operator()(float g, float u, float limit) const {
    return round_to_storage<F>(silu_fp32<Exp>(clamp_gate(g, limit)) * clamp_up(u, limit));
  }
};

/// Fused, two roundings: silu(g) rounded to storage before the multiply, as eager
/// frameworks do (F.silu(g) * u), which vLLM's kernel reproduces to match them bit for bit.
template <Format F, class Exp = PortableExp>
struct SiluAndMulDoubleRounding {
  ULPCHECK_HD float operator()(float g, float u, float limit) const {
    const float s = round_to_storage<F>(silu_fp32<Exp>(clamp_gate(g, limit)));
    return round_to_storage<F>(s * clamp_up(u, limit));
  }
};

/// Framework composite: torch.clamp, F.silu and the multiply as separate ops, each
/// writing a storage-format tensor; the clamped values are rounded too, so a limit that
/// the format cannot hold (7.3 in bf16 is 7.3125) moves the result.
template <Format F, class Exp = PortableExp>
struct SiluAndMulComposite {
  ULPCHECK_HD float operator()(float g, float u, float limit) const {
    const float gc = round_to_storage<F>(clamp_gate(g, limit));
    const float uc = round_to_storage<F>(clamp_up(u, limit));
    const float s = round_to_storage<F>(silu_fp32<Exp>(gc));
    return round_to_storage<F>(s * uc);
  }
};

}  // namespace ulpcheck::math
