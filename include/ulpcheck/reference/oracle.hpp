// The exact oracle: correctly rounded results and exact values of an op on quantized inputs.
#pragma once

#include <span>
#include <vector>

#include "ulpcheck/reference/exact.hpp"
#include "ulpcheck/reference/op.hpp"

namespace ulpcheck {

/// How the oracle decides each element. Both give the same rounded results (a test pins
/// it); double_then_mpfr is the one to use, mpfr_only exists to check it.
enum class OracleMethod {
  /// Special-value rules, then double arithmetic with a proven error bound, escalating to
  /// MPFR only where that bound straddles a rounding boundary of the output format.
  double_then_mpfr,
  /// Special-value rules, then MPFR (Ziv's loop) for every element.
  mpfr_only,
};

/// Exact results of `op` for output format `f` on element inputs (x0[i], x1[i]); x1 is
/// ignored (may be empty) for unary ops. Inputs are values of the input format, as
/// doubles. Params must have been validated against op.params.
std::vector<Exact> evaluate(const ElementwiseOp& op, Format f, std::span<const double> x0,
                            std::span<const double> x1, const Params& params,
                            OracleMethod method = OracleMethod::double_then_mpfr,
                            OracleCounts* counts = nullptr);

}  // namespace ulpcheck
