// The case object of a report document (one kernel on one op, dtype and parameters) as
// types: each object's keys are its members, listed once here, and nlohmann's to_json and
// from_json of each come from that list. The few objects whose keys depend on the case (a
// gate and up for gated ops, a binade number or a region name) say so in their own
// to_json/from_json below. Numbers that may be NaN or infinite are Number, written "nan",
// "inf", "-inf"; Real is a figure written as a plain JSON number. Members missing from an
// older document read as their defaults. Internal to reports/.
#pragma once

#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "reports/report_text.hpp"

namespace ulpcheck::case_document {

using report_text::Number;
using report_text::Real;

/// The kernel's claim ("budget").
struct Budget {
  Real max_ulp, abs_floor;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Budget, max_ulp, abs_floor)

/// How the oracle decided the case's elements ("oracle").
struct Oracle {
  std::int64_t special = 0, double_tier = 0, mpfr_tier = 0, mpfr_retries = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Oracle, special, double_tier, mpfr_tier, mpfr_retries)

/// The figures of a row of a binade or range table.
struct Figures {
  std::int64_t count = 0;
  Real max_ulp, max_ulp_above_floor, p99_ulp;
  std::int64_t not_correctly_rounded = 0, in_floor_region = 0, breaches = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Figures, count, max_ulp, max_ulp_above_floor, p99_ulp,
                                                not_correctly_rounded, in_floor_region, breaches)

/// A row of "binades_input" or "binades_result": a binade ("binade": its exponent, with
/// "sign" "+" or "-" in input tables) or a region outside them ("binade": "zero",
/// "underflow" or "non-finite").
struct BinadeRow {
  Figures figures;
  std::string region;  ///< empty for a binade
  int binade = 0;
  std::string sign;  ///< empty where the row has none
};
inline void to_json(nlohmann::json& j, const BinadeRow& r) {
  j = r.figures;
  if (!r.region.empty()) {
    j["binade"] = r.region;
  } else {
    j["binade"] = r.binade;
    if (!r.sign.empty()) j["sign"] = r.sign;
  }
}
inline void from_json(const nlohmann::json& j, BinadeRow& r) {
  r.figures = j.get<Figures>();
  const nlohmann::json& b = j.at("binade");
  if (b.is_string()) r.region = b.get<std::string>();
  else r.binade = b.get<int>();
  r.sign = j.value("sign", std::string());
}

/// A row of "ranges_input" or "ranges_result": binades binade_lo..binade_hi (with "sign" in
/// input tables), or a region as in BinadeRow; "label" says which as a person reads it.
struct RangeRow {
  Figures figures;
  std::string label;
  std::string region;  ///< empty for a range of binades
  int binade_lo = 0, binade_hi = 0;
  std::string sign;
};
inline void to_json(nlohmann::json& j, const RangeRow& r) {
  j = r.figures;
  j["label"] = r.label;
  if (!r.region.empty()) {
    j["binade"] = r.region;
  } else {
    j["binade_lo"] = r.binade_lo;
    j["binade_hi"] = r.binade_hi;
    if (!r.sign.empty()) j["sign"] = r.sign;
  }
}
inline void from_json(const nlohmann::json& j, RangeRow& r) {
  r.figures = j.get<Figures>();
  r.label = j.at("label").get<std::string>();
  if (j.contains("binade")) {
    r.region = j["binade"].get<std::string>();
  } else {
    r.binade_lo = j.at("binade_lo").get<int>();
    r.binade_hi = j.at("binade_hi").get<int>();
  }
  r.sign = j.value("sign", std::string());
}

/// A row of "special_values": the input's class ("x"), or for a gated op the gate's and
/// up's ("gate", "up").
struct SpecialValue {
  bool gated = false;
  std::string x0, x1;  ///< x or gate; up
  std::int64_t count = 0, semantic_differences = 0, breaches = 0;
};
inline void to_json(nlohmann::json& j, const SpecialValue& r) {
  j = nlohmann::json{{r.gated ? "gate" : "x", r.x0}};
  if (r.gated) j["up"] = r.x1;
  j["count"] = r.count;
  j["semantic_differences"] = r.semantic_differences;
  j["breaches"] = r.breaches;
}
inline void from_json(const nlohmann::json& j, SpecialValue& r) {
  r.gated = j.contains("gate");
  r.x0 = j.at(r.gated ? "gate" : "x").get<std::string>();
  if (r.gated) r.x1 = j.at("up").get<std::string>();
  r.count = j.at("count").get<std::int64_t>();
  r.semantic_differences = j.at("semantic_differences").get<std::int64_t>();
  r.breaches = j.at("breaches").get<std::int64_t>();
}

/// A bin of "ulp_histogram": ULP errors in [lo, hi).
struct HistogramBin {
  Real lo;
  Number hi;
  std::int64_t count = 0, in_floor_region = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(HistogramBin, lo, hi, count, in_floor_region)

/// The keys every element row has.
struct ElementFields {
  std::int64_t row = 0, col = 0, index = 0;
  std::string x0_bits;
  Number x0;
  std::string got_bits;
  Number got, exact_hi, exact_lo;
  std::string correctly_rounded_bits;
  Number correctly_rounded;
  std::string semantics;
  bool semantic_violation = false, in_floor_region = false, within_budget = false;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ElementFields, row, col, index, x0_bits, x0, got_bits, got, exact_hi,
                                                exact_lo, correctly_rounded_bits, correctly_rounded, semantics,
                                                semantic_violation, in_floor_region, within_budget)

/// An element row ("worst", "worst_in_floor", "semantic", "breaches"): ElementFields, with
/// "x1_bits" and "x1" for gated ops, "ulp_error" where the element has a ULP figure, and
/// "batch" (the kernel call) in every document since rows named their call.
struct Element : ElementFields {
  std::optional<std::int64_t> batch;
  std::optional<std::string> x1_bits;
  Number x1;
  std::optional<Real> ulp_error;
};
inline void to_json(nlohmann::json& j, const Element& e) {
  j = static_cast<const ElementFields&>(e);
  if (e.batch) j["batch"] = *e.batch;
  if (e.x1_bits) {
    j["x1_bits"] = *e.x1_bits;
    j["x1"] = e.x1;
  }
  if (e.ulp_error) j["ulp_error"] = *e.ulp_error;
}
inline void from_json(const nlohmann::json& j, Element& e) {
  static_cast<ElementFields&>(e) = j.get<ElementFields>();
  if (j.contains("batch") && j["batch"].is_number_integer()) e.batch = j["batch"].get<std::int64_t>();
  if (j.contains("x1_bits")) {
    e.x1_bits = j["x1_bits"].get<std::string>();
    e.x1 = j.at("x1").get<Number>();
  }
  if (j.contains("ulp_error")) e.ulp_error = j["ulp_error"].get<Real>();
}

/// The input shape of a kernel call: [rows, columns].
using Shape = std::array<std::int64_t, 2>;

/// One kernel on one op, dtype and parameters: what was measured, its headline figures,
/// its tables and its worst elements.
struct Case {
  std::string op, formula;
  int arity = 1;
  std::string dtype, kernel, kernel_description;
  std::map<std::string, Number> params;
  std::string params_label, inputs;
  Shape shape{};
  std::vector<Shape> calls;  ///< empty in a document written before cases had them
  Budget budget;
  Oracle oracle;
  std::int64_t count = 0, numeric = 0;
  Real max_ulp, max_ulp_above_floor;
  std::int64_t correctly_rounded = 0;
  Real fraction_correctly_rounded;
  std::int64_t above_floor = 0, correctly_rounded_above_floor = 0;
  Real fraction_correctly_rounded_above_floor;
  std::int64_t off_by_one_ulp = 0;
  Real fraction_off_by_one_ulp;
  std::int64_t in_floor_region = 0, semantic_differences = 0, semantic_violations = 0, budget_breaches = 0;
  Real p50_ulp, p99_ulp, p99_9_ulp;
  bool pass = false;
  std::string verdict;
  std::vector<BinadeRow> binades_input, binades_result;
  std::vector<RangeRow> ranges_input, ranges_result;
  std::vector<SpecialValue> special_values;
  std::vector<HistogramBin> ulp_histogram;
  std::vector<Element> worst, worst_in_floor, semantic, breaches;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(
    Case, op, formula, arity, dtype, kernel, kernel_description, params, params_label, inputs, shape, calls, budget,
    oracle, count, numeric, max_ulp, max_ulp_above_floor, correctly_rounded, fraction_correctly_rounded, above_floor,
    correctly_rounded_above_floor, fraction_correctly_rounded_above_floor, off_by_one_ulp, fraction_off_by_one_ulp,
    in_floor_region, semantic_differences, semantic_violations, budget_breaches, p50_ulp, p99_ulp, p99_9_ulp, pass,
    verdict, binades_input, binades_result, ranges_input, ranges_result, special_values, ulp_histogram, worst,
    worst_in_floor, semantic, breaches)

/// The case's kernel calls: its "calls", or for a document written before cases had them,
/// one call of its "shape".
inline std::vector<Shape> calls_of(const Case& c) { return c.calls.empty() ? std::vector<Shape>{c.shape} : c.calls; }

/// The case's calls as the reports print them (report_text::calls_text).
inline std::string calls_text(const Case& c) {
  return report_text::calls_text(nlohmann::json{{"calls", calls_of(c)}});
}

}  // namespace ulpcheck::case_document
