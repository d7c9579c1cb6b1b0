// Exact GELU's double tier, gelu(t) = t/2 erfc(-t / sqrt 2): its tails, its arithmetic in
// double and the proof of its error bound. Host and device code share it (ULPCHECK_HD): the
// host oracle with glibc's erfc, the GPU sweep with CUDA's; the bound holds for both.
#pragma once

#include <cmath>
#include <numbers>

#include "ulpcheck/reference/tiers/special_values.hpp"

namespace ulpcheck {

struct GeluTier {
  static constexpr ActivationKind kind = ActivationKind::gelu;

  /// Deep negative tail. For t > 0 the Mills-ratio bound 1 - Phi(t) < phi(t) / t, with
  /// phi(t) = e^(-t^2/2) / sqrt(2 pi), gives |gelu(-t)| = t (1 - Phi(t)) < phi(t); at t = 45
  /// that is e^-1012.5 / 2.51 < 2^-1462, and phi decreases, so for g <= -45 the product with
  /// any |u| < 2^128 is below 2^-1334. (The cut could be -44.5; -45 is the round number.)
  /// Large gates. For g >= 12, gelu(g) = g (1 - eps) with eps = 1 - Phi(g) < phi(12) / 12
  /// < 2^-108, so even the value g * u returned is exact to double-double accuracy. Below
  /// the cut eps > 2^-109 keeps an exact midpoint of g * u visibly off the midpoint at the
  /// first MPFR rung (136 bits, error bound below 2^-123).
  static constexpr Tails tails{-45.0, 12.0};

  /// Near zero, Phi(t) = 1/2 + (t - t^3/6 + ...) / sqrt(2 pi), so gelu(t) = t/2 +
  /// t^2 / sqrt(2 pi) - t^4 / (6 sqrt(2 pi)) + ...: what decides a product that t/2 * u puts
  /// on a rounding midpoint (certified/element_oracles.hpp). 1/sqrt(2 pi) rounded to double.
  static constexpr double second_order = 0x1.9884533d43651p-2;

  /// 1/sqrt 2 rounded to double: sqrt2 is correctly rounded and halving is exact.
  static constexpr double kInvSqrt2 = std::numbers::sqrt2 / 2;

  /// The shortfall 1 - gelu(t)/t = Phi(-t) = erfc(t / sqrt 2) / 2.
  ULPCHECK_HD static double shortfall(double t) { return 0.5 * std::erfc(t / std::numbers::sqrt2); }

  /// gelu(g) * u = (g u / 2) erfc(a), a = -g / sqrt 2, in double. Error, in units of 2^-53:
  ///  - a: 1/sqrt 2's rounding (0.62 units) and the product's (1): under 2 units relative.
  ///  - erfc amplifies a relative error of its argument by its condition number
  ///    k(a) = |a erfc'(a) / erfc(a)| = 2 |a| e^(-a^2) / (sqrt(pi) erfc(a)). For a <= 0
  ///    (g >= 0) erfc(a) >= 1, so k(a) <= 2 max(|a| e^(-a^2)) / sqrt(pi) < 0.49. For a > 0
  ///    the lower bound erfc(a) > 2 e^(-a^2) / (sqrt(pi) (a + sqrt(a^2 + 2))) (Abramowitz &
  ///    Stegun 7.1.13) gives k(a) < a (a + sqrt(a^2 + 2)) <= 2 a^2 + 1 = g^2 + 1. erfc(a)
  ///    stays a normal double only for a < 26.55 (erfc(26.55) = 2^-1022.5; checked below),
  ///    so k < 2 * 26.56^2 + 1 < 1412, and a's 2 units become at most 2824 units of erfc(a).
  ///  - erfc itself: glibc's x86_64 libm-test-ulps records 5 ulps for double erfc (the figure
  ///    its manual's "Known Maximum Errors in Math Functions" table lists), CUDA's table 5
  ///    from the correctly rounded value (5.5 from the exact one); both are maxima over
  ///    their makers' tests, not proofs, so 8 ulps = 16 units are counted. The tier
  ///    agreement tests check the whole bound on every 16-bit input and 10^6 random others.
  ///  - g * u (exact for inputs of the formats, at most 48 bits, but counted), the product
  ///    with erfc(a), one unit each; the halving is exact while the result is normal.
  /// 2824 + 16 + 2 = 2842 units to first order; 3000 declared. The amplification is the
  /// price of a double argument; it costs only escalations, about 2^-17 of the tail in fp32.
  /// error_units_at(g) is the same count at one gate: 2 (g^2 + 1) + 18 for g < 0, with 5%
  /// on the amplified part and 2 units of margin (at most 2983 over the tier's range, so
  /// the constant is their maximum); 20 for g >= 0.
  ULPCHECK_HD static bool mul_in_double(double g, double u, double& y) {
    const double e = std::erfc(-g * kInvSqrt2);
    if (!hd::is_normal(e)) return false;
    y = 0.5 * ((g * u) * e);
    return hd::is_normal(y);
  }
  static constexpr double error_units = 3000.0;
  ULPCHECK_HD static double error_units_at(double g) { return g < 0 ? 2.1 * (g * g + 1.0) + 20.0 : 20.0; }

  /// With u = 1, mul_in_double fails only below g = -37.5378 (erfc(-g / sqrt 2) leaves the
  /// normal range; mpmath), and at g <= -37.53, |gelu(g)| < 2^-1017 (mpmath: 2^-1017.6 at
  /// the cut, decreasing below it).
  static constexpr double underflow_below = -37.53;
};

}  // namespace ulpcheck
