// The error metric: distance from a result to the exact real value, in units in the last
// place of the output format at that exact value (the definition of LLVM libc and
// CORE-MATH). Never against the rounded reference and never in bit distance.
#pragma once

#include <cmath>

#include "ulpcheck/reference/double_double.hpp"
#include "ulpcheck/reference/format.hpp"

namespace ulpcheck {

/// floor(log2 |hi + lo|) for hi != 0: ilogb(hi) unless |hi| is a power of two and lo pulls
/// the sum below it.
ULPCHECK_HD int exact_binade(const DoubleDouble& r) {
  const int e = hd::ilogb(r.hi);
  const bool power_of_two = std::fabs(r.hi) == hd::pow2(e);
  const bool pulls_down = r.lo != 0.0 && std::signbit(r.lo) != std::signbit(r.hi);
  return (power_of_two && pulls_down) ? e - 1 : e;
}

/// ulp(r) = 2^(max(floor(log2 |r|), emin) - p + 1) for the exact value r = hi + lo.
/// r = 0 gives the smallest subnormal of `f`. floor(log2 |r|) is taken from the exact sum,
/// so hi = 2^k with lo of the other sign lands in the binade below. Requires finite r.
ULPCHECK_HD int ulp_exponent_of(Format f, const DoubleDouble& exact) {
  const FormatShape s = format_shape(f);
  const int b = exact.hi == 0.0 ? s.emin : exact_binade(exact);
  return (b > s.emin ? b : s.emin) - s.precision + 1;
}
ULPCHECK_HD double ulp_of(Format f, const DoubleDouble& exact) { return hd::pow2(ulp_exponent_of(f, exact)); }

/// |got - exact| / ulp_of(f, exact), a real number: 0 when equal, <= 0.5 exactly when `got`
/// is a correctly rounded value of `exact`. +0 and -0 are the same point (error 0).
/// Requires finite `got` and finite `exact`; non-finite pairs are classified by
/// check_element (element_check.hpp) as semantic matches or mismatches, not given a ULP figure.
ULPCHECK_HD double ulp_error(Format f, double got, const DoubleDouble& exact) {
  // Times 2^-e rather than over 2^e: the same real number, so the same rounding, and the
  // GPU sweep's hot path has no division.
  return abs_difference(got, exact) * hd::pow2(-ulp_exponent_of(f, exact));
}

}  // namespace ulpcheck
