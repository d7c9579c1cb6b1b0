// The oracle's special-value rules for act(gate) * up: what it answers without arithmetic,
// for every activation (tiers/silu.hpp, gelu.hpp, gelu_tanh.hpp give the cuts). Host and
// device code share them: the host oracle and the GPU sweep decide these elements alike.
#pragma once

#include <cmath>

#include "ulpcheck/reference/exact.hpp"
#include "ulpcheck/reference/format.hpp"
#include "ulpcheck/support/hd.hpp"

namespace ulpcheck {

/// Which activation a tier computes: what host code holds an Activation for, and what the
/// GPU sweep switches on to pick the tier's arithmetic.
enum class ActivationKind : unsigned char { silu, gelu, gelu_tanh };

/// Where an activation's numeric tiers stop; each tier proves its two cuts beside them.
struct Tails {
  /// For finite g <= deep_negative, |act(g)| * |u| < 2^-1300 for every |u| < 2^128 (the
  /// largest input of any format): a signed zero in every format and in double.
  double deep_negative;
  /// For g >= large_gate, act(g) = g (1 - eps) with 0 < eps < 2^-92: see special_values.
  double large_gate;
};

/// An element's answer, or none (decided false) when the rule or tier asked cannot give it.
struct Decided {
  bool decided = false;
  Exact exact;
};

ULPCHECK_HD Decided decided(double rounded, DoubleDouble value) { return {true, {rounded, value}}; }
ULPCHECK_HD Decided decided_exactly(double v) { return decided(v, DoubleDouble::of(v)); }

/// act(g) * u where it is not a finite, nonzero product of finite numbers, for an act with
/// act(+inf) = +inf, act(-inf) = -0 (it tends to 0 from below), act(+-0) = +-0, and the
/// tails of Tier (Tier::tails, and Tier::shortfall(g) = eps for large gates). 0 * inf is
/// undefined (NaN). A gate deep in the negative tail has a tiny, nonzero act: times an
/// infinite up it is an infinity, times anything else a signed zero.
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
template <class Tier>
ULPCHECK_HD Decided special_values(Format f, double g, double u) {
  if (std::isnan(g) || std::isnan(u)) return decided_exactly(NAN);
  const double s = (std::signbit(g) ? -1.0 : 1.0) * (std::signbit(u) ? -1.0 : 1.0);
  const bool act_infinite = g == HUGE_VAL;
  const bool act_zero = g == -HUGE_VAL || g == 0.0;
  const bool act_tiny = std::isfinite(g) && g <= Tier::tails.deep_negative;
  if (act_infinite) return decided_exactly(u == 0.0 ? NAN : s * HUGE_VAL);
  if (act_zero) return decided_exactly(std::isinf(u) ? NAN : s * 0.0);
  if (std::isinf(u)) return decided_exactly(s * HUGE_VAL);  // finite nonzero act, tiny ones included
  if (u == 0.0 || act_tiny) return decided_exactly(s * 0.0);
  if (g >= Tier::tails.large_gate) {
    const double v = g * u;
    return decided(round_to(f, std::nextafter(v, 0.0)), DoubleDouble{v, -v * Tier::shortfall(g)});
  }
  return {};
}

/// The double tier's verdict on y = act(g) * u computed with relative error at most
/// error_units * 2^-53: decided when both ends of y * (1 +- delta) round alike. delta gets
/// two extra units for the roundings of the enclosure itself.
ULPCHECK_HD Decided decide_in_double(Format f, double y, double error_units) {
  const double delta = (error_units + 2.0) * 0x1p-53;
  const double ra = round_to(f, y * (1.0 - delta));
  if (ra != round_to(f, y * (1.0 + delta))) return {};
  return decided(ra, DoubleDouble::of(y));
}

/// Unary ops (u = 1) past the point where the double tier fails: |act(g)| < 2^-1000 there
/// (each tier proves its underflow_below), so the result is a signed zero in every format,
/// and so is its value to far below any ULP the metric sees. The GPU sweep uses it; the
/// host oracle leaves these to MPFR and keeps their tiny values.
template <class Tier>
ULPCHECK_HD Decided underflowed_unary(double g) {
  if (!(g <= Tier::underflow_below)) return {};
  return decided_exactly(std::copysign(0.0, g));
}

}  // namespace ulpcheck
