// The error metric: distance from a result to the exact real value, in units in the last
// place of the output format at that exact value (the definition of LLVM libc and
// CORE-MATH). Never against the rounded reference and never in bit distance.
#pragma once

#include "ulpcheck/reference/double_double.hpp"
#include "ulpcheck/reference/format.hpp"

namespace ulpcheck {

/// ulp(r) = 2^(max(floor(log2 |r|), emin) - p + 1) for the exact value r = hi + lo.
/// r = 0 gives the smallest subnormal of `f`. floor(log2 |r|) is taken from the exact sum,
/// so hi = 2^k with lo of the other sign lands in the binade below. Requires finite r.
double ulp_of(Format f, const DoubleDouble& exact);

/// |got - exact| / ulp_of(f, exact), a real number: 0 when equal, <= 0.5 exactly when `got`
/// is a correctly rounded value of `exact`. +0 and -0 are the same point (error 0).
/// Requires finite `got` and finite `exact`; non-finite pairs are classified by
/// properties/compare.hpp as semantic matches or mismatches, not given a ULP figure.
double ulp_error(Format f, double got, const DoubleDouble& exact);

}  // namespace ulpcheck
