#include "ulpcheck/properties/compare.hpp"

#include <cmath>

#include "ulpcheck/reference/ulp.hpp"

namespace ulpcheck {

std::string_view describe(Semantics s) {
  switch (s) {
    case Semantics::agree: return "agree";
    case Semantics::nan_lost: return "NaN lost (exact result undefined, output a number)";
    case Semantics::spurious_nan: return "spurious NaN (exact result defined)";
    case Semantics::wrong_inf: return "infinity mismatch";
  }
  return "?";
}

ElementCheck check_element(Format f, double got, const Exact& exact, bool finite_inputs,
                           double floor_scale, const Budget& budget) {
  ElementCheck c;
  c.floor_scale = floor_scale;
  const DoubleDouble& r = exact.value;
  auto semantic = [&](Semantics s) {
    c.semantics = s;
    c.semantic_violation = s == Semantics::nan_lost || finite_inputs;
    c.within_budget = true;
    return c;
  };

  if (r.is_nan()) {
    c.correctly_rounded = std::isnan(got);
    return std::isnan(got) ? c : semantic(Semantics::nan_lost);
  }
  if (std::isnan(got)) return semantic(Semantics::spurious_nan);

  double got_value = got;
  if (std::isinf(r.hi)) {
    c.correctly_rounded = got == r.hi;
    return got == r.hi ? c : semantic(Semantics::wrong_inf);
  }
  if (std::isinf(got) && got == exact.rounded) {  // a finite exact value that overflows
    c.correctly_rounded = true;
    return c;
  }
  if (std::isinf(got)) {
    const double top_binade = std::ldexp(1.0, info(f).emax);
    const bool near_overflow = std::fabs(r.hi) >= top_binade && std::signbit(got) == std::signbit(r.hi);
    if (!near_overflow) return semantic(Semantics::wrong_inf);
    got_value = std::copysign(2 * top_binade, got);
  }

  c.numeric = true;
  c.correctly_rounded = got == exact.rounded;
  c.ulp_error = ulp_error(f, got_value, r);
  c.abs_error = abs_difference(got_value, r);
  c.in_floor_region = in_floor_region(std::fabs(r.hi), floor_scale, budget);
  c.within_budget = within_budget(c.ulp_error, c.abs_error, floor_scale, budget);
  return c;
}

}  // namespace ulpcheck
