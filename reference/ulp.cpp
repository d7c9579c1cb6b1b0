#include "ulpcheck/reference/ulp.hpp"

#include <algorithm>
#include <cmath>

namespace ulpcheck {

namespace {

/// floor(log2 |hi + lo|) for hi != 0: ilogb(hi) unless |hi| is a power of two and lo pulls
/// the sum below it.
int exact_binade(const DoubleDouble& r) {
  const int e = std::ilogb(r.hi);
  const bool power_of_two = std::fabs(r.hi) == std::ldexp(1.0, e);
  const bool pulls_down = r.lo != 0.0 && std::signbit(r.lo) != std::signbit(r.hi);
  return (power_of_two && pulls_down) ? e - 1 : e;
}

}  // namespace

double ulp_of(Format f, const DoubleDouble& exact) {
  const FormatInfo& fi = info(f);
  const int e = exact.hi == 0.0 ? fi.emin : std::max(exact_binade(exact), fi.emin);
  return std::ldexp(1.0, e - fi.precision + 1);
}

double ulp_error(Format f, double got, const DoubleDouble& exact) {
  return abs_difference(got, exact) / ulp_of(f, exact);
}

}  // namespace ulpcheck
