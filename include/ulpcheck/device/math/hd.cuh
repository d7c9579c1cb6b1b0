// ULPCHECK_HD marks per-element math that the CUDA kernels and the host backend share, so
// both compile the same arithmetic and can be compared bit for bit.
#pragma once

#include <cstdint>
#include <cstring>

#if defined(__CUDACC__)
#define ULPCHECK_HD __host__ __device__ __forceinline__
#else
#define ULPCHECK_HD inline
#endif

namespace ulpcheck::math {

ULPCHECK_HD float float_from_bits(std::uint32_t b) {
#if defined(__CUDA_ARCH__)
  return __uint_as_float(b);
#else
  float f;
  std::memcpy(&f, &b, sizeof f);
  return f;
#endif
}

/// a + b and a * b, each rounded once and never fused into an FMA. Error-free
/// transformations (TwoSum, the FMA remainder of a product) rely on each operation's own
/// rounding, and nvcc contracts a * b + c into one FMA by default (the host compiler, for
/// x86-64 without -mfma, does not): written plainly, the GPU would compute other bits.
ULPCHECK_HD float add_rn(float a, float b) {
#if defined(__CUDA_ARCH__)
  return __fadd_rn(a, b);
#else
  return a + b;
#endif
}
ULPCHECK_HD float mul_rn(float a, float b) {
#if defined(__CUDA_ARCH__)
  return __fmul_rn(a, b);
#else
  return a * b;
#endif
}

/// 2^n as a float for n in [-126, 127], built from its exponent field (exact, no libm).
ULPCHECK_HD float pow2(int n) { return float_from_bits(static_cast<std::uint32_t>(n + 127) << 23); }

}  // namespace ulpcheck::math
