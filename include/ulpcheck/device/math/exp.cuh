// exp in fp32 arithmetic only (FMA, rint and exponent-field scaling), identical on host
// and GPU. CUDA's own expf goes through the MUFU.EX2 hardware approximation, which the
// host cannot reproduce bit for bit; kernels that want it use it under a separate name.
//
// Accuracy: at most 1 ulp over the whole fp32 range (tests/device/math/exp_test.cpp
// measures it against double exp on a sample in CI and exhaustively with label slow).
#pragma once

#include <cmath>

#include "ulpcheck/device/math/hd.cuh"

namespace ulpcheck::math {

/// Range limits, as hex floats:
///   0x1.62e42ep+6  = 88.72283...: the largest x with exp(x) <= FLT_MAX;
///   -0x1.9fe368p+6 = -103.97208...: below it exp(x) is under half the smallest subnormal.
ULPCHECK_HD float exp_fp32(float x) {
  if (x != x) return x;
  if (x > 0x1.62e42ep+6f) return HUGE_VALF;
  if (x < -0x1.9fe368p+6f) return 0.0f;
  // x = k ln2 + r, |r| <= ln2/2 (+ rounding). ln2 is split Cody-Waite style into
  // 0x1.62e4p-1 (17 bits) and the float nearest the rest; each FMA rounds once.
  // k = rint(x log2 e): adding and subtracting 1.5 * 2^23 rounds the (rounded) product to
  // an integer, ties to even, as rintf does, for |x log2 e| < 2^22; k's integer value is
  // then the low bits of the sum. Two adds and an integer subtract instead of the GPU's
  // quarter-rate FRND and F2I: the same k, bit for bit, at a fraction of the cost.
  const float shifted = add_rn(mul_rn(x, 0x1.715476p+0f), 0x1.8p23f);
  const float k = add_rn(shifted, -0x1.8p23f);
  float r = fmaf(k, -0x1.62e4p-1f, x);
  r = fmaf(k, -0x1.7f7d1cp-20f, r);
  // exp(r) by its Taylor series to degree 7: truncation < |r|^8/8! * e^|r| < 7.3e-9
  // relative (0.06 ulp) on |r| <= 0.347.
  float p = 0x1.a01a02p-13f;      // 1/5040
  p = fmaf(p, r, 0x1.6c16c2p-10f);  // 1/720
  p = fmaf(p, r, 0x1.111112p-7f);   // 1/120
  p = fmaf(p, r, 0x1.555556p-5f);   // 1/24
  p = fmaf(p, r, 0x1.555556p-3f);   // 1/6
  p = fmaf(p, r, 0.5f);
  p = fmaf(p, r, 1.0f);
  p = fmaf(p, r, 1.0f);
  // k is in [-150, 128]: scale by two powers of two, each a normal float, so only the
  // final product rounds (and only when the result is subnormal).
  const int ki = static_cast<int>(float_bits(shifted) - float_bits(0x1.8p23f));
  const int k1 = ki / 2;
  return (p * pow2(k1)) * pow2(ki - k1);
}

}  // namespace ulpcheck::math
