// One output against the oracle: a ULP figure, or a semantic verdict when NaN-ness or
// infinity differ.
#pragma once

#include <string_view>

#include "ulpcheck/reference/budget.hpp"
#include "ulpcheck/reference/exact.hpp"
#include "ulpcheck/reference/format.hpp"

namespace ulpcheck {

enum class Semantics {
  agree,         ///< both NaN, equal infinities, or both finite (then the ULP figures apply)
  nan_lost,      ///< exact result undefined (NaN), output a number
  spurious_nan,  ///< output NaN, exact result defined
  wrong_inf,     ///< one side infinite and the other finite, or infinities of opposite sign
};
std::string_view describe(Semantics s);

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

  bool passes() const { return within_budget && !semantic_violation; }
};

/// Checks `got` against `exact` for format `f`. `finite_inputs` says whether every input
/// of the element was finite; `floor_scale` is the op's scale for the budget floor.
///
/// An infinite output where the exact value is finite but at least 2^emax (the format's top
/// binade) is an overflow-boundary rounding error, not a semantic one: the output counts as
/// 2^(emax+1), the value IEEE rounding assigns to overflow, and gets a ULP figure.
ElementCheck check_element(Format f, double got, const Exact& exact, bool finite_inputs,
                           double floor_scale, const Budget& budget);

}  // namespace ulpcheck
