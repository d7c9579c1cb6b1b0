// What the oracle returns for one output element.
#pragma once

#include <cstdint>

#include "ulpcheck/reference/double_double.hpp"

namespace ulpcheck {

/// `rounded` is the exact result correctly rounded to the output format (ties to even);
/// `value` is the exact result itself, for the error metric. Both are NaN when the exact
/// result is undefined (a NaN input, 0 * inf) and +-inf when it is infinite in the
/// extended reals (silu(+inf) * 2). A finite exact value may still round to inf.
struct Exact {
  double rounded = 0.0;
  DoubleDouble value;
};

/// How each element's exact value was obtained; reports print it as provenance.
struct OracleCounts {
  std::int64_t special = 0;      ///< decided by the op's special-value rules (NaN, inf, 0, far tails)
  std::int64_t double_tier = 0;  ///< decided by the double tier's error bound
  std::int64_t mpfr_tier = 0;    ///< needed MPFR (Ziv's loop)
  std::int64_t mpfr_retries = 0; ///< MPFR evaluations beyond the first precision

  OracleCounts& operator+=(const OracleCounts& o) {
    special += o.special;
    double_tier += o.double_tier;
    mpfr_tier += o.mpfr_tier;
    mpfr_retries += o.mpfr_retries;
    return *this;
  }
};

}  // namespace ulpcheck
