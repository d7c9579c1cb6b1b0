// One output against the oracle's answer, as the error metric defines it (DESIGN: a ULP
// figure when both are numbers, a semantic verdict when NaN-ness or infinity differ). Host
// and device code share it: the GPU sweep checks 2^32 outputs with these same lines.
#pragma once

#include <cmath>

#include "ulpcheck/reference/budget.hpp"
#include "ulpcheck/reference/exact.hpp"
#include "ulpcheck/reference/format.hpp"
#include "ulpcheck/reference/ulp.hpp"
#include "ulpcheck/support/hd.hpp"

namespace ulpcheck {

enum class Semantics {
  agree,         ///< both NaN, equal infinities, or both finite (then the ULP figures apply)
  nan_lost,      ///< exact result undefined (NaN), output a number
  spurious_nan,  ///< output NaN, exact result defined
  wrong_inf,     ///< one side infinite and the other finite, or infinities of opposite sign
};

struct ElementCheck {
  Semantics semantics = Semantics::agree;
  /// Whether a semantic disagreement fails the check. Differences that need an infinite
  /// input (silu(-inf) computed as -inf / inf = NaN where the exact result is -0) are reported but
  /// do not fail: the formula every production kernel uses has them. A NaN lost, or any
  /// disagreement on finite inputs, fails.
  bool semantic_violation = false;
  bool numeric = false;           ///< both finite (or inf in the top binade): figures below apply
  double ulp_error = 0.0;         ///< ulp_error(got, exact); 0 when not numeric
  double abs_error = 0.0;         ///< |got - exact|; 0 when not numeric
  bool correctly_rounded = false; ///< got equals the correctly rounded result (+-0 equal, NaN == NaN)
  bool in_floor_region = false;   ///< |exact| < abs_floor * floor_scale
  double floor_scale = 1.0;       ///< the op's scale of the budget floor for this element
  bool within_budget = true;      ///< numeric and within the budget, or not numeric

  ULPCHECK_HD bool passes() const { return within_budget && !semantic_violation; }
};

/// `c` marked as a semantic disagreement of kind `s`: it fails when a NaN was lost or when
/// every input was finite.
ULPCHECK_HD ElementCheck semantic_disagreement(ElementCheck c, bool finite_inputs, Semantics s) {
  c.semantics = s;
  c.semantic_violation = s == Semantics::nan_lost || finite_inputs;
  c.within_budget = true;
  return c;
}

/// Checks `got` against `exact` for format `f`. `finite_inputs` says whether every input
/// of the element was finite; `floor_scale` is the op's scale for the budget floor.
///
/// An infinite output where the exact value is finite but at least 2^emax (the format's top
/// binade) is an overflow-boundary rounding error, not a semantic one: the output counts as
/// 2^(emax+1), the value IEEE rounding assigns to overflow, and gets a ULP figure.
ULPCHECK_HD ElementCheck check_element(Format f, double got, const Exact& exact, bool finite_inputs,
                                       double floor_scale, const Budget& budget) {
  ElementCheck c;
  c.floor_scale = floor_scale;
  const DoubleDouble& r = exact.value;

  if (r.is_nan()) {
    c.correctly_rounded = std::isnan(got);
    return std::isnan(got) ? c : semantic_disagreement(c, finite_inputs, Semantics::nan_lost);
  }
  if (std::isnan(got)) return semantic_disagreement(c, finite_inputs, Semantics::spurious_nan);

  double got_value = got;
  if (std::isinf(r.hi)) {
    c.correctly_rounded = got == r.hi;
    return got == r.hi ? c : semantic_disagreement(c, finite_inputs, Semantics::wrong_inf);
  }
  if (std::isinf(got) && got == exact.rounded) {  // a finite exact value that overflows
    c.correctly_rounded = true;
    return c;
  }
  if (std::isinf(got)) {
    const double top_binade = hd::pow2(format_shape(f).emax);
    const bool near_overflow = std::fabs(r.hi) >= top_binade && std::signbit(got) == std::signbit(r.hi);
    if (!near_overflow) return semantic_disagreement(c, finite_inputs, Semantics::wrong_inf);
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
