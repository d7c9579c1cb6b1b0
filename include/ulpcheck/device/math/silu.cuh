// Per-element SiLU as production kernels write it: fp32 compute on values loaded from the
// storage format. The variants (variants.cuh) differ only in where they round to storage.
#pragma once

#include "ulpcheck/device/math/exp.cuh"
#include "ulpcheck/device/math/variants.cuh"

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
  return divide_by_one_plus(t, 1.0f + Exp::eval(-t));
}

template <class Exp>
struct Silu {
  static ULPCHECK_HD float eval(float t) { return silu_fp32<Exp>(t); }
};

/// The variants for SiLU with a given exp: SiluAndMulSingleRounding<F, PortableExp> etc.
template <Format F, class Exp = PortableExp>
using SiluUnary = UnaryRounding<F, Silu<Exp>>;
template <Format F, class Exp = PortableExp>
using SiluAndMulSingleRounding = GatedSingleRounding<F, Silu<Exp>>;
template <Format F, class Exp = PortableExp>
using SiluAndMulDoubleRounding = GatedDoubleRounding<F, Silu<Exp>>;
template <Format F, class Exp = PortableExp>
using SiluAndMulComposite = GatedComposite<F, Silu<Exp>>;

}  // namespace ulpcheck::math
