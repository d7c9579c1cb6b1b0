// SiLU's double tier, silu(t) = t / (1 + e^-t): its tails, its arithmetic in double and the
// proof of its error bound. Host and device code share it (ULPCHECK_HD): the host oracle
// with glibc's exp, the GPU sweep with CUDA's; the bound below holds for both.
#pragma once

#include <cmath>

#include "ulpcheck/reference/tiers/special_values.hpp"

namespace ulpcheck {

struct SiluTier {
  static constexpr ActivationKind kind = ActivationKind::silu;

  /// Deep negative tail: for t <= -1024, |silu(t)| <= 1024 e^-1024 < 2^-1467; times |u| <
  /// 2^128 the product stays below 2^-1339. Deeper gates would also overflow e^-t in double
  /// and, past -2^62 or so, in MPFR, so the numeric tiers never see them.
  /// Large gates: for t >= 64, silu(t) = t (1 - eps) with 0 < eps < e^-64 < 2^-92.
  static constexpr Tails tails{-1024.0, 64.0};

  /// Near zero, silu(t) = t sigma(t) with sigma(t) = 1/2 + t/4 - t^3/48 + ..., so
  /// silu(t) = t/2 + t^2/4 - t^4/48 + ...: what decides a product that t/2 * u puts on a
  /// rounding midpoint (certified/element_oracles.hpp).
  static constexpr double second_order = 0.25;

  /// The shortfall 1 - silu(t)/t = e^-t / (1 + e^-t).
  ULPCHECK_HD static double shortfall(double t) { return std::exp(-t) / (1.0 + std::exp(-t)); }

  /// In double: exp within 1 ulp of the exact value (glibc's documented bound; CUDA's table
  /// gives 1 ulp from the correctly rounded value, so 1.5 from the exact one) is at most 3
  /// units of 2^-53; then the add (e >= 0, so no cancellation: its relative error is at
  /// most e's plus one unit), the divide and the multiply, one unit each: 6 units to first
  /// order; 8 declared for margin. Valid only while e^-g is finite and silu(g) and the
  /// product are normal doubles (false otherwise).
  ULPCHECK_HD static bool mul_in_double(double g, double u, double& y) {
    const double e = std::exp(-g);
    if (!std::isfinite(e)) return false;
    const double s = g / (1.0 + e);
    y = s * u;
    return hd::is_normal(s) && hd::is_normal(y);
  }
  static constexpr double error_units = 8.0;
  ULPCHECK_HD static double error_units_at(double) { return error_units; }

  /// With u = 1, mul_in_double fails only below g = -709.78 (e^-g overflows), where
  /// |silu(g)| < 709.79 e^-709.78 < 2^-1014.
  static constexpr double underflow_below = -709.78;
};

}  // namespace ulpcheck
