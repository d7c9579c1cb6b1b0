// Per-element helpers that the CUDA kernels and the host backend share (ULPCHECK_HD), so
// both compile the same arithmetic and can be compared bit for bit.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

#include "ulpcheck/support/hd.hpp"

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

ULPCHECK_HD std::uint32_t float_bits(float f) {
#if defined(__CUDA_ARCH__)
  return __float_as_uint(f);
#else
  std::uint32_t b;
  std::memcpy(&b, &f, sizeof b);
  return b;
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
/// a * b + c rounded once, and a / b correctly rounded, alike on both sides.
ULPCHECK_HD float fma_rn(float a, float b, float c) {
#if defined(__CUDA_ARCH__)
  return __fmaf_rn(a, b, c);
#else
  return std::fma(a, b, c);
#endif
}
ULPCHECK_HD float div_rn(float a, float b) {
#if defined(__CUDA_ARCH__)
  return __fdiv_rn(a, b);
#else
  return a / b;
#endif
}

/// t / d for d = 1 + e, e >= 0 (so d >= 1 or NaN), as IEEE division rounds it. A finite t
/// over an infinite d is a signed zero: saying so first keeps the GPU's correctly rounded
/// division off its slow path, which it takes for operands of extreme exponent and which
/// random bit patterns, half of them beyond exp's range, would otherwise hit half the time.
ULPCHECK_HD float divide_by_one_plus(float t, float d) {
  return (d == HUGE_VALF && t - t == 0.0f) ? t * 0.0f : t / d;
}

/// 2^n as a float for n in [-126, 127], built from its exponent field (exact, no libm).
ULPCHECK_HD float pow2(int n) { return float_from_bits(static_cast<std::uint32_t>(n + 127) << 23); }

}  // namespace ulpcheck::math
