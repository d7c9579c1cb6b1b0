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

namespace ulpcheck::detail {

/// Where an activation's numeric tiers stop; each op proves its two cuts beside them.
struct Tails {
  /// For finite g <= deep_negative, |act(g)| * |u| < 2^-1300 for every |u| < 2^128 (the
  /// largest input of any format): a signed zero in every format and in double.
  double deep_negative;
  /// For g >= large_gate, act(g) = g (1 - eps) with 0 < eps < 2^-92: see special_values.
  double large_gate;
  /// eps(g) for g >= large_gate, to double precision (relative): the exact value returned
  /// is then the double-double g u - g u eps, which is all of it to far below 2^-106.
  double (*large_gate_shortfall)(double g);
};

/// act(g) * u where it is not a finite, nonzero product of finite numbers, for an act with
/// act(+inf) = +inf, act(-inf) = -0 (it tends to 0 from below), act(+-0) = +-0, and the
/// tails above. 0 * inf is undefined (NaN). A gate deep in the negative tail has a tiny,
/// nonzero act: times an infinite up it is an infinity, times anything else a signed zero.
///
/// Large gates: g * u is exact in double (two values of at most 24 bits), so the exact
/// result is g * u shrunk by eps in magnitude. When g * u is exactly a rounding midpoint
/// of the format the true value lies just inside it, so it must round toward zero, not to
/// even: bf16 silu(96) * 1.0078125 is 96.75 - 2^-130 or so and rounds to 96.5, where
/// ties-to-even would give 97. No precision decides such a case (eps falls below 2^-2^30
/// for gates large enough), so it is settled here. Stepping g * u one double toward zero
/// decides it: g * u has at most 48 significant bits, so unless it is a midpoint it is at
/// least 2^-48 relative away from one, and a double step (2^-52) cannot cross; eps < 2^-92
/// cannot cross either, so the step and the true value round alike. The value returned is
/// hi = g * u, lo = -g * u * eps(g): eps is below 2^-53 of hi, so hi + lo is a normalised
/// double-double.
inline std::optional<Exact> special_values(Format f, double g, double u, const Tails& tails) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  const auto exact_of = [](double v) { return Exact{v, DoubleDouble::of(v)}; };
  if (std::isnan(g) || std::isnan(u)) return exact_of(kNaN);
  const double s = (std::signbit(g) ? -1.0 : 1.0) * (std::signbit(u) ? -1.0 : 1.0);
  const bool act_infinite = g == kInf;
  const bool act_zero = g == -kInf || g == 0.0;
  const bool act_tiny = std::isfinite(g) && g <= tails.deep_negative;
  if (act_infinite) return exact_of(u == 0.0 ? kNaN : s * kInf);
  if (act_zero) return exact_of(std::isinf(u) ? kNaN : s * 0.0);
  if (std::isinf(u)) return exact_of(s * kInf);  // finite nonzero act, tiny ones included
  if (u == 0.0 || act_tiny) return exact_of(s * 0.0);
  if (g >= tails.large_gate) {
    const double v = g * u;
    return Exact{round_to(f, std::nextafter(v, 0.0)), DoubleDouble{v, -v * tails.large_gate_shortfall(g)}};
  }
  return std::nullopt;
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
