// An unevaluated sum hi + lo of two doubles with |lo| <= ulp(hi) / 2: about 106 bits,
// the form in which the oracle hands exact values to the error metric.
#pragma once

#include <cmath>

#include "ulpcheck/support/hd.hpp"

namespace ulpcheck {

struct DoubleDouble {
  double hi = 0.0;
  double lo = 0.0;

  ULPCHECK_HD static DoubleDouble of(double x) { return {x, 0.0}; }
  ULPCHECK_HD bool is_finite() const { return std::isfinite(hi); }
  ULPCHECK_HD bool is_nan() const { return std::isnan(hi); }
};

/// a + b as hi + lo exactly (Knuth's TwoSum; no precondition on magnitudes).
ULPCHECK_HD DoubleDouble two_sum(double a, double b) {
  const double s = hd::add(a, b);
  const double bb = hd::add(s, -a);
  const double err = hd::add(hd::add(a, -hd::add(s, -bb)), hd::add(b, -bb));
  return {s, err};
}

/// |x - r| for a double x and an exact r = hi + lo, with relative error below 2^-52:
/// x - hi is exact by TwoSum, so only the final addition of lo rounds.
ULPCHECK_HD double abs_difference(double x, const DoubleDouble& r) {
  const DoubleDouble d = two_sum(x, -r.hi);
  return std::fabs(hd::add(d.hi, hd::add(d.lo, -r.lo)));
}

}  // namespace ulpcheck
