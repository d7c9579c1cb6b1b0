// Conversions out of MPFR: correct rounding to a format and the double-double value.
// Kept apart from format.hpp so that only the oracle sees mpfr.h.
#pragma once

#include <mpfr.h>

#include "ulpcheck/reference/double_double.hpp"
#include "ulpcheck/reference/format.hpp"

namespace ulpcheck {

/// `x` rounded to `f`, ties to even, with the same subnormal, overflow and signed-zero
/// rules as round_to(Format, double), but in one rounding from MPFR's full precision.
/// (Going through double first would round twice and can be wrong on bf16/fp16 ties.)
double round_to(Format f, mpfr_srcptr x);

/// hi = x rounded to double, lo = (x - hi) rounded to double: x to about 106 bits while
/// |x| is in double's normal range; for |x| below 2^-1022 the absolute error is below
/// 2^-1074, which is less than 2^-900 ULP of any output format.
DoubleDouble to_double_double(mpfr_srcptr x);

}  // namespace ulpcheck
