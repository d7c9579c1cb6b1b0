// The oracle one element at a time, in arithmetic a GPU runs fast and with a proven error
// bound, for the exhaustive sweeps: every (gate, up) pair of a gated op on a 16-bit format
// (2^32 pairs) and every fp32 input of a unary op (2^32 inputs). Host and device code share
// it (ULPCHECK_HD). An element the bound cannot decide comes back undecided, and the caller
// settles it with the MPFR tier (evaluate()), as the host oracle's double tier does.
#pragma once

#include <cmath>

#include "ulpcheck/reference/format.hpp"
#include "ulpcheck/reference/tiers/special_values.hpp"

namespace ulpcheck {

/// One gate of a 16-bit format, ready for every up: the op's prepared gate g' and act(g')
/// as hi + lo with its error bound (pair_tables.hpp builds them).
struct PreparedGate {
  double gate = 0.0;  ///< g', the op's transform of the gate (min(g, L) for a clamp)
  double hi = 0.0;    ///< act(g') = hi + lo (|lo| <= ulp(hi) / 2) within `error`, absolutely;
  double lo = 0.0;    ///< unused where the special rules answer, and for negligible gates
  double error = 0.0;
  /// |act(g')| < 2^-900: times any up of a 16-bit format (below 2^128) the product is below
  /// 2^-772, a signed zero in every format, and its value zero to far below any ULP.
  bool negligible = false;
};

/// Below this magnitude act(t) = t/2 + c t^2 + q t^4 + ..., c = Tier::second_order and
/// |q| < 0.07 for every tier (silu 1/48, gelu 0.0665, gelu_tanh 0.0668; beyond t^4 the
/// terms are below t^6). t/2 * u is often a rounding midpoint exactly (t/2 is half a 16-bit
/// value), and only c t^2 u, 2^-60 of it or less, decides which way the product rounds:
/// below the cut the oracles take act(t) from the series, where the decisive term is a
/// double of its own rather than a few bits lost below an MPFR rung's error bound.
inline constexpr double kSeriesBelow = 0x1p-60;

/// act(t) for 0 < |t| < kSeriesBelow as hi + lo = t/2 + c t^2 and its error: c t^2 rounds
/// twice (t^2 is exact for an input of the formats, or within 2^-53 for a clamp limit's
/// square; c itself is within 2^-53), so 2^-51 of it, and the quartic term 0.07 t^4.
template <class Tier>
ULPCHECK_HD PreparedGate series_gate(double t) {
  const double lo = Tier::second_order * (t * t);
  return {t, t / 2, lo, 0x1p-51 * std::fabs(lo) + 0.07 * (t * t) * (t * t), false};
}

/// Whether hi + lo rounds to `r` in f, certainly: its enclosure [hi + lo - bound, hi + lo +
/// bound] holds no rounding boundary around r. The distances to the midpoints below and
/// above r are taken exactly (TwoSum) up to the final addition, and must exceed twice the
/// bound, which covers that addition's rounding. a + b is |hi + lo|.
ULPCHECK_HD bool rounds_to(Format f, double r, double a, double b, double bound) {
  const FormatShape s = format_shape(f);
  const double unit = hd::pow2(ulp_exponent(f, std::isinf(r) ? hd::pow2(s.emax) : r));
  const auto clear_of = [&](double midpoint, double side) {
    const DoubleDouble d = two_sum(a, -midpoint);
    return side * hd::add(d.hi, hd::add(d.lo, b)) > 2.0 * bound;
  };
  if (std::isinf(r)) return clear_of(hd::pow2(s.emax + 1) - unit / 2, 1.0);
  const int e = r != 0.0 ? hd::ilogb(r) : s.emin;
  const bool binade_start = r == hd::pow2(e) && e > s.emin;
  const double below = binade_start ? unit / 2 : unit;
  return (r == 0.0 || clear_of(r - below / 2, 1.0)) && clear_of(r + unit / 2, -1.0);
}

/// The rounding of hi + lo (|lo| <= ulp(hi)) to f when its enclosure of half-width `bound`
/// settles it. Candidates: hi's own rounding, and where hi sits on a midpoint (or next to
/// one) hi nudged one double toward lo; exact midpoints of hi + lo are left undecided, as
/// no bound settles them.
ULPCHECK_HD Decided decide_double_double(Format f, double hi, double lo, double bound) {
  const bool negative = std::signbit(hi);
  const double a = std::fabs(hi), b = negative ? -lo : lo;
  double r = round_to(f, a);
  if (!rounds_to(f, r, a, b, bound)) {
    if (b == 0.0) return {};
    r = round_to(f, std::nextafter(a, b > 0.0 ? HUGE_VAL : 0.0));
    if (!rounds_to(f, r, a, b, bound)) return {};
  }
  return decided(std::copysign(r, hi), {hi, lo});
}

/// (hi + lo) * up as a normalised double-double, and a bound on its distance to act(g') u':
///  - act(g') itself: `error` |u'| (the table's bound);
///  - hi u' = p + e exactly (an FMA gives e): |p| >= 2^-900 keeps e in double's normal range;
///  - lo u' rounds once, at most 2^-53 of the rounded value (relative, while it is a normal
///    double; 2^-1075 absolutely when it is not);
///  - e plus that rounds once, at most 2^-53 of the rounded sum t, likewise;
///  - p + t as a fast two-sum is exact (|p| >= |t|).
/// So error |u'| + 2^-53 (|lo u'| + |t|) + 2^-1074, rounded up by 2^-50 for the rounding of
/// this sum itself. The bound is a posteriori: with lo small (hi u' a midpoint, say) it is
/// far below 2^-104 |p|, its worst case (error 2^-106 |p|, the two roundings 2^-106 and
/// 2^-105 |p|). A test measures it against MPFR and finds errors past half of it: the bound
/// is sharp to one bit.
struct PairProduct {
  DoubleDouble value;
  double bound;
};
ULPCHECK_HD PairProduct pair_product(const PreparedGate& g, double up) {
  const double p = hd::mul(g.hi, up);
  const double lo_up = hd::mul(g.lo, up);
  const double t = hd::add(std::fma(g.hi, up, -p), lo_up);
  const double hi = hd::add(p, t);
  const double bound =
      (g.error * std::fabs(up) + 0x1p-53 * (std::fabs(lo_up) + std::fabs(t)) + 0x1p-1074) * (1.0 + 0x1p-50);
  return {{hi, hd::add(t, -hd::add(hi, -p))}, bound};
}

/// act(g') * u' for a gated op on a 16-bit format: the special rules, then act(g') from the
/// table times u' in double-double (pair_product) and its certified rounding.
/// `special` says whether the special rules decided it.
template <class Tier>
ULPCHECK_HD Decided pair_exact(Format f, const PreparedGate& g, double up, bool* special = nullptr) {
  const Decided s = special_values<Tier>(f, g.gate, up);
  if (special) *special = s.decided;
  if (s.decided) return s;
  if (g.negligible) return decided_exactly(std::signbit(g.gate) == std::signbit(up) ? 0.0 : -0.0);
  const PairProduct v = pair_product(g, up);
  // Below 2^-900 the product rounds to a signed zero in every format (the smallest
  // subnormal is 2^-149), however inexact the arithmetic got there.
  if (std::fabs(v.value.hi) < 0x1p-900) return decided(std::copysign(0.0, v.value.hi), v.value);
  return decide_double_double(f, v.value.hi, v.value.lo, v.bound);
}

/// act(x) for a unary op on fp32 inputs: the special rules; below kSeriesBelow the series,
/// whose t^2 term is positive, so act(x) lies just above x/2 (never on its far side of a
/// rounding boundary: x/2 has at most 25 significant bits, so it is a midpoint or at least
/// 2^-26 away from one, and the t^2 term is under 2^-59 of it); then the double tier with
/// its bound at x (Tier::error_units_at), and past where the double tier fails the signed
/// zero every format rounds the tail to (underflowed_unary).
template <class Tier>
ULPCHECK_HD Decided unary_exact(Format f, double x, bool* special = nullptr) {
  const Decided s = special_values<Tier>(f, x, 1.0);
  if (special) *special = s.decided;
  if (s.decided) return s;
  if (std::fabs(x) < kSeriesBelow) {
    const PreparedGate g = series_gate<Tier>(x);
    return decided(round_to(f, std::nextafter(g.hi, HUGE_VAL)), {g.hi, g.lo});
  }
  double y;
  if (!Tier::mul_in_double(x, 1.0, y)) return underflowed_unary<Tier>(x);
  return decide_in_double(f, y, Tier::error_units_at(x));
}

}  // namespace ulpcheck
