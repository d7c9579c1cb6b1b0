// Op descriptors: everything the pipeline knows about an op lives in its descriptor, defined
// in one file under reference/ops/ and listed once in reference/ops/registry.cpp.
#pragma once

#include <array>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "ulpcheck/reference/budget.hpp"
#include "ulpcheck/reference/exact.hpp"
#include "ulpcheck/reference/format.hpp"
#include "ulpcheck/reference/params.hpp"
#include "ulpcheck/reference/tiers/special_values.hpp"

namespace ulpcheck {

/// MPFR precisions of Ziv's loop, in decimal digits (Boost's unit); about 136, 269, 535
/// and 2126 bits. The first already yields a full double-double value.
inline constexpr std::array<unsigned, 4> kMpfrRungDigits10{40, 80, 160, 640};

/// Decides, at one MPFR precision, the elements of a batch it can: writes out[i] for every
/// element whose rounding to `f` the precision settles and leaves the others empty.
using MpfrRung = void (*)(Format f, std::span<const double> gate, std::span<const double> up,
                          std::span<std::optional<Exact>> out);

/// A value and a bound on its distance to the real number it stands for: |x - value| <= error.
struct Enclosure {
  DoubleDouble value;
  double error;
};

/// An activation `act` as the oracle evaluates `act(gate) * up` exactly. Unary ops use
/// up = 1, so one definition serves act(x) and act(gate) * up.
struct Activation {
  std::string_view name;
  /// Which tier (reference/tiers/) computes it: the GPU sweep runs that tier's arithmetic.
  ActivationKind kind;
  /// act(gate) * up for inputs the numeric tiers do not take: NaN, infinities, zeros and
  /// gates so deep in a tail that the result is below 2^-1300 in magnitude (those round to
  /// a signed zero in every format). nullopt for everything else.
  std::optional<Exact> (*special)(Format f, double gate, double up);
  /// act(gate) * up in double arithmetic, decided when its relative error bound
  /// `double_error_units * 2^-53` leaves the rounding to `f` unambiguous; nullopt when an
  /// intermediate leaves double's normal range (the bound would not hold).
  std::optional<double> (*in_double)(double gate, double up);
  double double_error_units;
  /// The same at each of kMpfrRungDigits10's precisions (Ziv's loop).
  std::array<MpfrRung, kMpfrRungDigits10.size()> mpfr_rungs;
  /// act(g) alone in MPFR, as a double-double and its error bound (about 2^-106 relative),
  /// for gates the special rules leave and whose act is in double's normal range: what the
  /// pair oracle (certified/element_oracles.hpp) multiplies by every up.
  Enclosure (*mpfr_value)(double gate);
  /// Gates where kernels of this activation go wrong (overflow and flush edges,
  /// cancellation, the oracle's own cuts), each with its reason beside it in the op's
  /// file: fuzzing weights them and golden files pin them, both signs.
  std::span<const double> hard_inputs = {};
};

/// A pair of inputs after the op's exact input transform (the clamp), ready for the
/// activation: the oracle evaluates act(gate) * up on it.
struct ActivationInput {
  double gate;
  double up;
};

/// The op an op approximates (gelu_tanh approximates gelu): reports compare the two on the
/// same inputs, as real functions and as correctly rounded results, so that a reader sees
/// what using one in place of the other costs.
struct Approximation {
  /// Name of the op approximated; empty for an op that approximates none.
  std::string_view of = {};
  /// The largest difference of the two real functions is sought for gates in [-r, r]
  /// (up = 1 for gated ops: the difference scales with up). The op's file shows that the
  /// two differ less outside it than the largest difference inside.
  double search_radius = 0.0;
};

/// An elementwise op: y = act(gate') * up' where (gate', up') = prepare(inputs).
/// arity 1: input row [d] is x, and up' = 1. arity 2: input row [2d] is gate then up.
struct ElementwiseOp {
  std::string_view name;
  std::string_view formula;
  int arity;
  std::span<const ParamSpec> params;
  const Activation* activation;
  /// Exact input transform: min/clamp are selections, so no rounding happens here.
  ActivationInput (*prepare)(double x0, double x1, const Params& params);
  /// For an op with a clamp, the op it equals when its parameter is +inf and nothing is
  /// clamped (the op's fuzz property inf_limit_equals_unclamped runs both); empty otherwise.
  std::string_view unclamped_op = {};
  /// The op this one approximates, if any (see Approximation).
  Approximation approximates = {};
  /// Budget that a fused fp32-compute kernel with one final rounding should meet; kernels
  /// that declare nothing else are held to it. Indexed by Format.
  std::array<Budget, 3> default_budget;

  const Budget& default_budget_for(Format f) const { return default_budget[static_cast<int>(f)]; }
  /// The factor the budget's abs_floor is scaled by for one element (see budget.hpp): |up'|.
  static double floor_scale(const ActivationInput& in) { return in.up < 0 ? -in.up : in.up; }
  /// The parameters with their defaults, ready to be overridden.
  Params default_params() const;
  /// One Params per combination of the parameters' checked values (their defaults where
  /// a parameter lists none), in the order listed: what golden files and reports cover.
  std::vector<Params> checked_params() const;
};

}  // namespace ulpcheck
