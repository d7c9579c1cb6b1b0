// The "<op> vs <exact op>" section of a report, for an op that approximates another
// (ElementwiseOp's `approximates`): the largest difference of the real functions, then per
// dtype how often the correctly rounded results differ and by how many ULPs, and the same
// between the outputs of each kernel of the one and each kernel of the other.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "ulpcheck/properties/approximation.hpp"
#include "ulpcheck/reference/approximation.hpp"
#include "ulpcheck/runs/elementwise/report.hpp"

namespace ulpcheck {

/// One dtype entry of a section: {"dtype", "params_label", "inputs", "abs_floor" (the exact
/// op's floor, see DifferenceStats), "rounded": figures, "kernel_pairs": [{"exact_kernel",
/// "approx_kernel", figures}]}. Figures: "count", "differ", "fraction_differ", "compared",
/// "in_floor_region", "above_floor", "differ_above_floor", "fraction_differ_above_floor",
/// "max_ulp", "max_ulp_above_floor", "worst" and "worst_above_floor" (lists of at most one
/// element: "row", "col", "x0_bits", "x0", for gated ops "x1_bits", "x1", then
/// "result_bits", "result", "approx_result_bits", "approx_result", "exact_hi", "exact_lo",
/// "ulp_difference"); "rounded" also has "binades_input": [{"sign", "binade", "count",
/// "differ", "in_floor_region", "max_ulp", "max_ulp_above_floor"}].
nlohmann::json approximation_dtype_json(const ElementwiseOp& exact, const ApproximationFigures& figures);

/// A section: {"op", "formula", "approximates", "approximates_formula", "arity",
/// "real_difference": {"max_abs_difference", "difference" (op - approximated op, signed),
/// "x", "symmetric" (the same at -x), "radius", "step"}, "dtypes": [approximation_dtype_json
/// entries]}.
nlohmann::json approximation_section_json(const ElementwiseOp& exact, const ElementwiseOp& approx,
                                          const RealDifference& real, std::vector<nlohmann::json> dtypes);

/// Empty when `section` has every key above with the right type; otherwise the first
/// problem, named from `where` ("approximations[0] (gelu_tanh vs gelu)").
std::string check_approximation_section(const nlohmann::json& section, const std::string& where);

/// The Markdown of a section, headed "<op> vs <approximated op>" at heading level `level`:
/// the formulas and the real functions' largest difference, a table of the correctly rounded
/// results per dtype, and per dtype a matrix of kernel pairs.
std::string render_approximation_markdown(const nlohmann::json& section, int level = 2);

}  // namespace ulpcheck
