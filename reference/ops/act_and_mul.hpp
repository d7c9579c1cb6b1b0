// What every act(gate) * up op shares: its input forms and its special-value rules.
// Internal to reference/; the op files under reference/ops/ use it, each with its own tails.
#pragma once

#include <cmath>
#include <limits>
#include <optional>

#include "ulpcheck/reference/exact.hpp"
#include "ulpcheck/reference/format.hpp"
#include "ulpcheck/reference/op.hpp"

namespace ulpcheck::detail {

/// Where an activation's numeric tiers stop; each op proves its two cuts beside them.
struct Tails {
  /// For finite g <= deep_negative, |act(g)| * |u| < 2^-1300 for every |u| < 2^128 (the
  /// largest input of any format): a signed zero in every format and in double.
  double deep_negative;
  /// For g >= large_gate, act(g) = g (1 - eps) with 0 < eps < 2^-92: see special_values.
  double large_gate;
  /// eps(g) for g >= large_gate, to double precision (relative): the exact value returned
  /// is then the double-double g u - g u eps, which is all of it to far below 2^-106.
  double (*large_gate_shortfall)(double g);
};

/// act(g) * u where it is not a finite, nonzero product of finite numbers, for an act with
/// act(+inf) = +inf, act(-inf) = -0 (it tends to 0 from below), act(+-0) = +-0, and the
/// tails above. 0 * inf is undefined (NaN). A gate deep in the negative tail has a tiny,
/// nonzero act: times an infinite up it is an infinity, times anything else a signed zero.
///
/// Large gates: g * u is exact in double (two values of at most 24 bits), so the exact
/// result is g * u shrunk by eps in magnitude. When g * u is exactly a rounding midpoint
/// of the format the true value lies just inside it, so it must round toward zero, not to
/// even: bf16 silu(96) * 1.0078125 is 96.75 - 2^-130 or so and rounds to 96.5, where
/// ties-to-even would give 97. No precision decides such a case (eps falls below 2^-2^30
/// for gates large enough), so it is settled here. Stepping g * u one double toward zero
/// decides it: g * u has at most 48 significant bits, so unless it is a midpoint it is at
/// least 2^-48 relative away from one, and a double step (2^-52) cannot cross; eps < 2^-92
/// cannot cross either, so the step and the true value round alike. The value returned is
/// hi = g * u, lo = -g * u * eps(g): eps is below 2^-53 of hi, so hi + lo is a normalised
/// double-double.
inline std::optional<Exact> special_values(Format f, double g, double u, const Tails& tails) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  const auto exact_of = [](double v) { return Exact{v, DoubleDouble::of(v)}; };
  if (std::isnan(g) || std::isnan(u)) return exact_of(kNaN);
  const double s = (std::signbit(g) ? -1.0 : 1.0) * (std::signbit(u) ? -1.0 : 1.0);
  const bool act_infinite = g == kInf;
  const bool act_zero = g == -kInf || g == 0.0;
  const bool act_tiny = std::isfinite(g) && g <= tails.deep_negative;
  if (act_infinite) return exact_of(u == 0.0 ? kNaN : s * kInf);
  if (act_zero) return exact_of(std::isinf(u) ? kNaN : s * 0.0);
  if (std::isinf(u)) return exact_of(s * kInf);  // finite nonzero act, tiny ones included
  if (u == 0.0 || act_tiny) return exact_of(s * 0.0);
  if (g >= tails.large_gate) {
    const double v = g * u;
    return Exact{round_to(f, std::nextafter(v, 0.0)), DoubleDouble{v, -v * tails.large_gate_shortfall(g)}};
  }
  return std::nullopt;
}

/// Unary ops: the input is the gate and up is 1, so act(x) * 1 is act(x).
inline ActivationInput unary_input(double x, double, const Params&) { return {x, 1.0}; }

/// Gated ops: input row [g | u], used as is.
inline ActivationInput gated_input(double g, double u, const Params&) { return {g, u}; }

}  // namespace ulpcheck::detail
