#include "ulpcheck/reference/mpfr_rounding.hpp"

#include <algorithm>
#include <cmath>

namespace ulpcheck {

double round_to(Format f, mpfr_srcptr x) {
  if (mpfr_nan_p(x)) return std::nan("");
  if (mpfr_inf_p(x)) return mpfr_signbit(x) ? -HUGE_VAL : HUGE_VAL;
  if (mpfr_zero_p(x)) return mpfr_signbit(x) ? -0.0 : 0.0;
  const FormatInfo& fi = info(f);
  // mpfr_get_exp gives e with x = m * 2^e, 1/2 <= |m| < 1, so floor(log2 |x|) = e - 1.
  const long binade = static_cast<long>(mpfr_get_exp(x)) - 1;
  const long q = std::max(binade, static_cast<long>(fi.emin)) - fi.precision + 1;
  // Scaling by 2^-q is exact (MPFR's exponent range is far wider than any format's), and
  // the scaled value has at most p integer bits, so rint to nearest-even is the rounding,
  // and the integer it returns fits in x's precision (>= 53 bits here).
  mpfr_t n;
  mpfr_init2(n, std::max<mpfr_prec_t>(mpfr_get_prec(x), 64));
  mpfr_mul_2si(n, x, -q, MPFR_RNDN);
  mpfr_rint(n, n, MPFR_RNDN);
  const double r = std::ldexp(mpfr_get_d(n, MPFR_RNDN), static_cast<int>(q));
  mpfr_clear(n);
  if (std::fabs(r) >= std::ldexp(1.0, fi.emax + 1)) return mpfr_signbit(x) ? -HUGE_VAL : HUGE_VAL;
  return r == 0.0 ? (mpfr_signbit(x) ? -0.0 : 0.0) : r;
}

DoubleDouble to_double_double(mpfr_srcptr x) {
  const double hi = mpfr_get_d(x, MPFR_RNDN);
  if (!std::isfinite(hi) || mpfr_inf_p(x) || mpfr_nan_p(x)) return {hi, 0.0};
  mpfr_t rest;
  mpfr_init2(rest, mpfr_get_prec(x));
  mpfr_sub_d(rest, x, hi, MPFR_RNDN);
  const double lo = mpfr_get_d(rest, MPFR_RNDN);
  mpfr_clear(rest);
  return {hi, lo};
}

}  // namespace ulpcheck
