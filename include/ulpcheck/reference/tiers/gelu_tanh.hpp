// Tanh GELU's double tier, gelu_tanh(t) = t / (1 + e^-2z), z = sqrt(2/pi) (t + 0.044715 t^3)
// with real constants: its tails, its arithmetic in double and the proof of its error
// bound. Host and device code share it (ULPCHECK_HD): the host oracle with glibc's exp, the
// GPU sweep with CUDA's; the bound holds for both.
#pragma once

#include <cmath>

#include "ulpcheck/reference/tiers/special_values.hpp"

namespace ulpcheck {

struct GeluTanhTier {
  static constexpr ActivationKind kind = ActivationKind::gelu_tanh;

  /// Deep negative tail. For t > 0 and z = sqrt(2/pi) (t + 0.044715 t^3),
  /// |gelu_tanh(-t)| = t / (1 + e^2z) < t e^-2z; at t = 24, z > 512.35 and t e^-2z < 2^-1473,
  /// and t e^-2z decreases for t >= 1, so for g <= -24 the product with any |u| < 2^128 is
  /// below 2^-1345. (At t = 23 the bound is 2^-1300.9, not small enough once times u.)
  /// Large gates. For g >= 10, gelu_tanh(g) = g (1 - eps) with eps = 1 / (1 + e^2z) < e^-2z
  /// and z > 43.65, so eps < 2^-125. Just below the cut eps is about 2^-126, under the first
  /// MPFR rung's error bound: an exact midpoint of g * u there is decided at the second.
  static constexpr Tails tails{-24.0, 10.0};

  /// Near zero, with k = sqrt(2/pi), tanh z = k t + (0.044715 k - k^3/3) t^3 + ..., so
  /// gelu_tanh(t) = t/2 + k t^2 / 2 + (0.044715 k / 2 - k^3 / 6) t^4 + ... (that coefficient
  /// is -0.0668): what decides a product that t/2 * u puts on a rounding midpoint
  /// (certified/element_oracles.hpp). k/2 rounded to double.
  static constexpr double second_order = 0x1.9884533d43651p-2;

  /// sqrt(2/pi) correctly rounded (mpmath: 0.797884560802865355879892119869).
  static constexpr double kSqrt2OverPi = 0x1.9884533d43651p-1;
  /// The double nearest the decimal 0.044715 (relative error 4.9e-17, under one unit).
  static constexpr double kCubic = 0.044715;

  ULPCHECK_HD static double z_of(double t) { return kSqrt2OverPi * (t * (1.0 + kCubic * (t * t))); }

  /// The shortfall 1 - gelu_tanh(t)/t = (1 - tanh z) / 2 = e^-2z / (1 + e^-2z).
  ULPCHECK_HD static double shortfall(double t) {
    const double e = std::exp(-2.0 * kSqrt2OverPi * (t + kCubic * t * t * t));
    return e / (1.0 + e);
  }

  /// gelu_tanh(g) * u = g u / (1 + e^-2z) in double. Error, in units of 2^-53:
  ///  - z = sqrt(2/pi) * (g * (1 + 0.044715 * g^2)): g^2 1 unit; times the rounded 0.044715,
  ///    3; adding 1 to a nonnegative term, 4; times g, 5; times the rounded sqrt(2/pi), 7.
  ///    So 2z is off by at most 7 * 2|z| units absolute, and e^-2z relatively by as much.
  ///    (nvcc may fuse 1 + 0.044715 g^2 into one FMA: one rounding fewer, within the count.)
  ///  - exp: glibc records 1 ulp (2 units) for double exp, CUDA 1 ulp from the correctly
  ///    rounded value (3 units from the exact one): 3 counted.
  ///  - 1 + e: no cancellation (e > 0): e's relative error scaled by e / (1 + e), plus one.
  ///    For g >= 0 (z >= 0, e <= 1): 14 |z| e^-2z <= 7 max(s e^-s) = 7/e < 2.6 units, plus
  ///    e's own 3 units times 1/2: under 6 units in all. For g < 0 the factor is below 1
  ///    and e^-2z must stay finite, so 2|z| < 709.79 and the argument costs 7 * 709.79 =
  ///    4969 units; with exp's 3 and the add's 1, 4973.
  ///  - g * u (exact for inputs of the formats, counted anyway) and the division, one each.
  /// 4975 units to first order; 5200 declared. As for gelu, the amplification is inherent to
  /// a double argument and costs only rare escalations in the negative tail.
  /// error_units_at(g) is the same count at one gate: 14 |z| + 6 for g < 0, with 3% on the
  /// amplified part and 4 units of margin (at most 5127, under the constant); 10 for g >= 0.
  ULPCHECK_HD static bool mul_in_double(double g, double u, double& y) {
    const double e = std::exp(-2.0 * z_of(g));
    if (!std::isfinite(e)) return false;
    y = (g * u) / (1.0 + e);
    return hd::is_normal(y);
  }
  static constexpr double error_units = 5200.0;
  ULPCHECK_HD static double error_units_at(double g) { return g < 0 ? 14.42 * std::fabs(z_of(g)) + 10.0 : 10.0; }

  /// With u = 1, mul_in_double fails only below g = -21.1598 (2|z| > 709.78: e^-2z
  /// overflows; mpmath), and at g <= -21.15, |gelu_tanh(g)| < 2^-1018 (mpmath: 2^-1018.3
  /// at the cut, decreasing below it).
  static constexpr double underflow_below = -21.15;
};

}  // namespace ulpcheck
