// ULPCHECK_HD marks arithmetic that host and CUDA code share, so both compile the same
// lines and can be compared bit for bit: the kernels' per-element math (device/math/) and
// the oracle's double and double-double tiers (reference/), which the GPU sweep runs.
#pragma once

#if defined(__CUDACC__)
#define ULPCHECK_HD __host__ __device__ __forceinline__
#else
#define ULPCHECK_HD inline
#endif

namespace ulpcheck::hd {

/// a + b, a * b and a * b + c, each rounded once, never contracted: error-free transforms
/// rely on each operation's own rounding, and nvcc fuses a * b + c into one FMA by default
/// (the host compiler, for x86-64 without -mfma, does not), so written plainly the GPU
/// would compute other bits.
ULPCHECK_HD double add(double a, double b) {
#if defined(__CUDA_ARCH__)
  return __dadd_rn(a, b);
#else
  return a + b;
#endif
}
ULPCHECK_HD double mul(double a, double b) {
#if defined(__CUDA_ARCH__)
  return __dmul_rn(a, b);
#else
  return a * b;
#endif
}

/// Whether x is a normal double (not zero, subnormal, infinite or NaN), written out: with
/// std::isnormal the double tier compiled for an H200 (CUDA 13) left every element it
/// should decide undecided, while the same lines on the host decided them.
ULPCHECK_HD bool is_normal(double x) {
  const double a = x < 0 ? -x : x;
  return a >= 0x1p-1022 && a <= 0x1.fffffffffffffp+1023;
}

}  // namespace ulpcheck::hd
