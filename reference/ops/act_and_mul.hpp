// What every act(gate) * up op shares: its input forms and its special-value rules.
// Internal to reference/; the op files under reference/ops/ use it, each with its own tails.
//
// How the op files derive their default budgets (ElementwiseOp::default_budget): the budget
// a fused kernel meets when it computes act(g) * u in fp32 and rounds once to the storage
// format, with every fp32 add and multiply rounded to nearest and each library function
// within its documented error: expf, erff and tanhf within 2 ulps of the exact value and
// erfcf within 4 (CUDA's table of single-precision maxima; NVIDIA counts them from the
// correctly rounded value, and measures erff at 1.04 and tanhf at 1.82 from the exact one),
// exp_fp32 within 1 (device/math/exp.cuh). Let the fp32 result y32 be within E |u| of the
// exact r = act(g) u, and p be the storage precision.
//  - Without cancellation E = eps |act| for a relative error eps, and |r| < 2^p ulp(r), so
//    one final rounding leaves at most 0.5 + eps 2^p ULP: every fp32 rounding (2^-24) costs
//    2^-16 ULP in bf16, 2^-13 in fp16 and a whole one in fp32, whose last fp32 operation is
//    itself the final rounding.
//  - Where a form cancels (GELU for g < 0) eps is unbounded and the floor A takes over. An
//    element fails only when |y - r| > max(U ulp(r), A |u|); as |y - r| <= 0.5 ulp(r) + E |u|,
//    it then has ulp(r) > 2 (A - E) |u|, besides ulp(r) > |r| 2^-p, so its ULP error is below
//    0.5 + min(E / (2 (A - E)), 2^p E / |act|). A is the power of two just above the largest
//    E where the form cancels or flushes to zero.
// U is the largest such bound over fp32 gates, or over every 16-bit gate and significand of
// up, taking each element's worst rounding exactly; default_budget_bounds.py beside the op
// files computes it, and each op file quotes its figures. Rounded up to 0.01 (0.501 where
// the bound is 0.5 plus a few 2^-13).
#pragma once

#include <array>
#include <cmath>
#include <limits>
#include <optional>
#include <string_view>

#include "ulpcheck/reference/exact.hpp"
#include "ulpcheck/reference/format.hpp"
#include "ulpcheck/reference/op.hpp"
#include "ulpcheck/reference/tiers/special_values.hpp"

namespace ulpcheck::detail {

/// An activation's special-value rules (tiers/special_values.hpp) and double tier, as the
/// Activation descriptor holds them.
template <class Tier>
std::optional<Exact> tier_special(Format f, double g, double u) {
  const Decided d = special_values<Tier>(f, g, u);
  return d.decided ? std::optional<Exact>(d.exact) : std::nullopt;
}
template <class Tier>
std::optional<double> tier_in_double(double g, double u) {
  double y;
  return Tier::mul_in_double(g, u, y) ? std::optional<double>(y) : std::nullopt;
}

/// Unary ops: the input is the gate and up is 1, so act(x) * 1 is act(x).
inline ActivationInput unary_input(double x, double, const Params&) { return {x, 1.0}; }

/// Gated ops: input row [g | u], used as is.
inline ActivationInput gated_input(double g, double u, const Params&) { return {g, u}; }

/// The descriptor of y = act(x), without parameters.
constexpr ElementwiseOp unary_op(std::string_view name, std::string_view formula, const Activation& act,
                                 const std::array<Budget, 3>& budget, Approximation approximates = {}) {
  return {.name = name, .formula = formula, .arity = 1, .params = {}, .activation = &act, .prepare = &unary_input,
          .approximates = approximates, .default_budget = budget};
}

/// The descriptor of y = act(g) * u for x = [g | u], without parameters.
constexpr ElementwiseOp gated_op(std::string_view name, std::string_view formula, const Activation& act,
                                 const std::array<Budget, 3>& budget, Approximation approximates = {}) {
  return {.name = name, .formula = formula, .arity = 2, .params = {}, .activation = &act, .prepare = &gated_input,
          .approximates = approximates, .default_budget = budget};
}

}  // namespace ulpcheck::detail
