// The document of a report diff (report_diff.hpp) as types, its keys listed once here. An
// entry matched in both reports carries its comparison; one found in a single report has
// only that side's headline ("old" or "new"), so entries write their optional parts
// themselves. Keys "old" and "new" are members old_side and new_side (new is a keyword).
// Internal to reports/.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "reports/elementwise/case_document.hpp"
#include "reports/report_text.hpp"

namespace ulpcheck::diff_document {

using report_text::Number;
using report_text::Real;

/// A figure that moved: its key in the case object, its name, both values and the change.
struct MovedFigure {
  std::string figure, name;
  Number old_value, new_value, delta;
};
inline void to_json(nlohmann::json& j, const MovedFigure& f) {
  j = {{"figure", f.figure}, {"name", f.name}, {"old", f.old_value}, {"new", f.new_value}, {"delta", f.delta}};
}
inline void from_json(const nlohmann::json& j, MovedFigure& f) {
  f = {j.at("figure").get<std::string>(), j.at("name").get<std::string>(), j.at("old").get<Number>(),
       j.at("new").get<Number>(), j.at("delta").get<Number>()};
}

/// What a matched entry adds: both verdicts, the figures that moved and notes on what else
/// differs (inputs, budget, claim).
struct Comparison {
  std::string verdict_old, verdict_new;
  std::vector<MovedFigure> figures;
  std::vector<std::string> notes;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Comparison, verdict_old, verdict_new, figures, notes)

/// The headline figures of an elementwise case, for the diff's table.
struct CaseHeadline {
  Real max_ulp, max_ulp_above_floor, fraction_correctly_rounded, p99_ulp;
  std::int64_t budget_breaches = 0, semantic_violations = 0;
  std::string verdict;
  bool pass = false;
  case_document::Budget budget;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(CaseHeadline, max_ulp, max_ulp_above_floor, fraction_correctly_rounded,
                                                p99_ulp, budget_breaches, semantic_violations, verdict, pass, budget)

/// The headline figures of a routing case.
struct RoutingHeadline {
  std::int64_t mismatches = 0, near_ties = 0, invalid = 0;
  Number weights_max_ulp;
  std::int64_t weights_breaches = 0;
  std::string verdict;
  bool pass = false;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(RoutingHeadline, mismatches, near_ties, invalid, weights_max_ulp,
                                                weights_breaches, verdict, pass)

/// The headline figures of a combine case.
struct CombineHeadline {
  Number max_ulp, max_ulp_above_floor, p99_ulp, fraction_correctly_rounded;
  std::int64_t breaches = 0, semantic_violations = 0;
  std::string verdict;
  bool pass = false;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(CombineHeadline, max_ulp, max_ulp_above_floor, p99_ulp,
                                                fraction_correctly_rounded, breaches, semantic_violations, verdict,
                                                pass)

/// The headline figures of a stage of the MoE block: its own error, its claim (empty when
/// it claims nothing for its format) and the outputs outside it, the chain's error there.
/// It passes while no own output is outside the claim.
struct MoeStageHeadline {
  Number own_max_ulp, own_p99_ulp, chained_max_relative;
  std::string claim;
  std::int64_t own_breaches = 0;
  std::string verdict;
  bool pass = false;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(MoeStageHeadline, own_max_ulp, own_p99_ulp, chained_max_relative,
                                                claim, own_breaches, verdict, pass)

/// What every entry has besides its key: its status ("regression", "fixed", "changed",
/// "unchanged", "only_old", "only_new"), the comparison where both reports have it, and
/// each side's headline.
template <class Headline>
struct Matched {
  std::string status;
  std::optional<Comparison> comparison;
  std::optional<Headline> old_side, new_side;
};
template <class Headline>
void write_matched(nlohmann::json& j, const Matched<Headline>& m) {
  j["status"] = m.status;
  if (m.comparison) j.update(nlohmann::json(*m.comparison));
  if (m.old_side) j["old"] = *m.old_side;
  if (m.new_side) j["new"] = *m.new_side;
}
template <class Headline>
void read_matched(const nlohmann::json& j, Matched<Headline>& m) {
  m.status = j.at("status").get<std::string>();
  if (j.contains("verdict_old")) m.comparison = j.get<Comparison>();
  if (j.contains("old")) m.old_side = j["old"].get<Headline>();
  if (j.contains("new")) m.new_side = j["new"].get<Headline>();
}

/// An elementwise case, matched by (op, dtype, parameters, kernel); "new_worst" (worst
/// inputs and breaches of the new report the old one did not list) with a comparison.
struct CaseEntry : Matched<CaseHeadline> {
  std::string op, dtype, params_label, kernel;
  int arity = 1;
  std::vector<case_document::Element> new_worst;
};
inline void to_json(nlohmann::json& j, const CaseEntry& e) {
  j = {{"op", e.op}, {"dtype", e.dtype}, {"params_label", e.params_label}, {"kernel", e.kernel}, {"arity", e.arity}};
  write_matched(j, e);
  if (e.comparison) j["new_worst"] = e.new_worst;
}
inline void from_json(const nlohmann::json& j, CaseEntry& e) {
  e.op = j.at("op").get<std::string>();
  e.dtype = j.at("dtype").get<std::string>();
  e.params_label = j.at("params_label").get<std::string>();
  e.kernel = j.at("kernel").get<std::string>();
  e.arity = j.at("arity").get<int>();
  read_matched(j, e);
  e.new_worst = j.value("new_worst", std::vector<case_document::Element>{});
}

/// A routing case, matched by (configuration, logits dtype, bias dtype, bias, kernel).
struct RoutingEntry : Matched<RoutingHeadline> {
  std::string config, logits_dtype, bias_dtype, bias_name, kernel;
};
inline void to_json(nlohmann::json& j, const RoutingEntry& e) {
  j = {{"config", e.config},         {"logits_dtype", e.logits_dtype}, {"bias_dtype", e.bias_dtype},
       {"bias_name", e.bias_name},   {"kernel", e.kernel}};
  write_matched(j, e);
}
inline void from_json(const nlohmann::json& j, RoutingEntry& e) {
  e.config = j.at("config").get<std::string>();
  e.logits_dtype = j.at("logits_dtype").get<std::string>();
  e.bias_dtype = j.at("bias_dtype").get<std::string>();
  e.bias_name = j.at("bias_name").get<std::string>();
  e.kernel = j.at("kernel").get<std::string>();
  read_matched(j, e);
}

/// A combine case, matched by (dtype, configuration label, kernel).
struct CombineEntry : Matched<CombineHeadline> {
  std::string dtype, config, kernel;
};
inline void to_json(nlohmann::json& j, const CombineEntry& e) {
  j = {{"dtype", e.dtype}, {"config", e.config}, {"kernel", e.kernel}};
  write_matched(j, e);
}
inline void from_json(const nlohmann::json& j, CombineEntry& e) {
  e.dtype = j.at("dtype").get<std::string>();
  e.config = j.at("config").get<std::string>();
  e.kernel = j.at("kernel").get<std::string>();
  read_matched(j, e);
}

/// A stage of the MoE block (its stages and its combine placements together), matched by
/// (stage, kernel) within its block.
struct MoeStageEntry : Matched<MoeStageHeadline> {
  std::string stage, kernel;
};
inline void to_json(nlohmann::json& j, const MoeStageEntry& e) {
  j = {{"stage", e.stage}, {"kernel", e.kernel}};
  write_matched(j, e);
}
inline void from_json(const nlohmann::json& j, MoeStageEntry& e) {
  e.stage = j.at("stage").get<std::string>();
  e.kernel = j.at("kernel").get<std::string>();
  read_matched(j, e);
}

/// A MoE block, matched by (configuration label, pipeline). Its status is its stages' worst
/// (regression, then fixed, then changed), or only_old / only_new for a block in one report;
/// its stages are counted in the summary, the block itself is not. "notes": a block measured
/// in one report only, other tokens, tokens whose kernel ids moved.
struct MoeBlockEntry {
  std::string config, pipeline, status;
  std::vector<std::string> notes;
  std::vector<MoeStageEntry> stages;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(MoeBlockEntry, config, pipeline, status, notes, stages)

/// How many entries of each status: cases, routing cases, combine cases and MoE block
/// stages counted together.
struct Summary {
  std::int64_t regressions = 0, fixed = 0, changed = 0, unchanged = 0, only_old = 0, only_new = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Summary, regressions, fixed, changed, unchanged, only_old, only_new)

/// The whole diff; "old" and "new" name the two reports as given.
struct Diff {
  std::string schema;
  int version = 0;
  std::string old_name, new_name;
  Summary summary;
  std::vector<CaseEntry> cases;
  std::vector<RoutingEntry> routing;
  std::vector<CombineEntry> combine;
  std::vector<MoeBlockEntry> moe_blocks;
};
inline void to_json(nlohmann::json& j, const Diff& d) {
  j = {{"schema", d.schema}, {"version", d.version}, {"old", d.old_name},   {"new", d.new_name},
       {"summary", d.summary}, {"cases", d.cases},   {"routing", d.routing},
       {"combine", d.combine}, {"moe_blocks", d.moe_blocks}};
}
inline void from_json(const nlohmann::json& j, Diff& d) {
  d.schema = j.at("schema").get<std::string>();
  d.version = j.at("version").get<int>();
  d.old_name = j.at("old").get<std::string>();
  d.new_name = j.at("new").get<std::string>();
  d.summary = j.at("summary").get<Summary>();
  d.cases = j.at("cases").get<std::vector<CaseEntry>>();
  d.routing = j.value("routing", std::vector<RoutingEntry>{});
  d.combine = j.value("combine", std::vector<CombineEntry>{});
  d.moe_blocks = j.value("moe_blocks", std::vector<MoeBlockEntry>{});
}

}  // namespace ulpcheck::diff_document
