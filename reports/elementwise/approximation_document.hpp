// The "<op> vs <approximated op>" section of a report document (approximation_report.hpp)
// as types: each object's keys are its members, listed once here, and nlohmann's to_json
// and from_json of each come from that list. Where keys depend on the op (a gate and up for
// gated ops) or objects share a block of keys (the figures of "rounded" and of a kernel
// pair), their own to_json/from_json below say so. Number and Real as in case_document.hpp.
// Internal to reports/.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "reports/report_text.hpp"

namespace ulpcheck::approximation_document {

using report_text::Number;
using report_text::Real;

/// The keys every element of a "worst" list has.
struct DifferenceFields {
  std::int64_t row = 0, col = 0;
  std::string x0_bits;
  Number x0;
  std::string result_bits;
  Number result;
  std::string approx_result_bits;
  Number approx_result, exact_hi, exact_lo, ulp_difference;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(DifferenceFields, row, col, x0_bits, x0, result_bits, result,
                                                approx_result_bits, approx_result, exact_hi, exact_lo, ulp_difference)

/// Where a largest difference is reached: DifferenceFields, with "x1_bits" and "x1" (the
/// up) for gated ops.
struct Difference : DifferenceFields {
  std::optional<std::string> x1_bits;
  Number x1;
};
inline void to_json(nlohmann::json& j, const Difference& d) {
  j = static_cast<const DifferenceFields&>(d);
  if (d.x1_bits) {
    j["x1_bits"] = *d.x1_bits;
    j["x1"] = d.x1;
  }
}
inline void from_json(const nlohmann::json& j, Difference& d) {
  static_cast<DifferenceFields&>(d) = j.get<DifferenceFields>();
  if (j.contains("x1_bits")) {
    d.x1_bits = j["x1_bits"].get<std::string>();
    d.x1 = j.at("x1").get<Number>();
  }
}

/// How often two sets of results differ and by how much (DifferenceStats); "worst" and
/// "worst_above_floor" hold at most one element.
struct Figures {
  std::int64_t count = 0, differ = 0;
  Real fraction_differ;
  std::int64_t compared = 0, in_floor_region = 0, above_floor = 0, differ_above_floor = 0;
  Real fraction_differ_above_floor;
  Number max_ulp, max_ulp_above_floor;
  std::vector<Difference> worst, worst_above_floor;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Figures, count, differ, fraction_differ, compared, in_floor_region,
                                                above_floor, differ_above_floor, fraction_differ_above_floor,
                                                max_ulp, max_ulp_above_floor, worst, worst_above_floor)

/// A row of "binades_input": the inputs of one sign in one binade.
struct Binade {
  std::string sign;
  int binade = 0;
  std::int64_t count = 0, differ = 0, in_floor_region = 0;
  Number max_ulp, max_ulp_above_floor;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Binade, sign, binade, count, differ, in_floor_region, max_ulp,
                                                max_ulp_above_floor)

/// "rounded": the correctly rounded results of the two ops, Figures with "binades_input".
struct Rounded {
  Figures figures;
  std::vector<Binade> binades_input;
};
inline void to_json(nlohmann::json& j, const Rounded& r) {
  report_text::write_extended(j, r.figures, "binades_input", r.binades_input);
}
inline void from_json(const nlohmann::json& j, Rounded& r) {
  report_text::read_extended(j, r.figures, "binades_input", r.binades_input);
}

/// A "kernel_pairs" entry: the outputs of a kernel of each op, Figures with their names.
struct KernelPair {
  Figures figures;
  std::string exact_kernel, approx_kernel;
};
inline void to_json(nlohmann::json& j, const KernelPair& p) {
  j = p.figures;
  j["exact_kernel"] = p.exact_kernel;
  j["approx_kernel"] = p.approx_kernel;
}
inline void from_json(const nlohmann::json& j, KernelPair& p) {
  p.figures = j.get<Figures>();
  p.exact_kernel = j.at("exact_kernel").get<std::string>();
  p.approx_kernel = j.at("approx_kernel").get<std::string>();
}

/// A "dtypes" entry; "abs_floor" is the exact op's budget floor in that dtype.
struct Dtype {
  std::string dtype, params_label, inputs;
  Real abs_floor;
  Rounded rounded;
  std::vector<KernelPair> kernel_pairs;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Dtype, dtype, params_label, inputs, abs_floor, rounded, kernel_pairs)

/// "real_difference": the largest |op - approximated op| of the real functions, "difference"
/// signed, at "x" (and -x where "symmetric"), sought over [-radius, radius] to "step".
struct RealDifference {
  Number max_abs_difference, difference, x;
  bool symmetric = false;
  Number radius, step;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(RealDifference, max_abs_difference, difference, x, symmetric, radius,
                                                step)

/// An "approximations" entry.
struct Section {
  std::string op, formula, approximates, approximates_formula;
  int arity = 1;
  RealDifference real_difference;
  std::vector<Dtype> dtypes;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Section, op, formula, approximates, approximates_formula, arity,
                                                real_difference, dtypes)

}  // namespace ulpcheck::approximation_document
