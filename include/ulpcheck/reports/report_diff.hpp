// What changed between two report documents (report_document.hpp): before and after a
// kernel change, or between two ulpcheck versions.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace ulpcheck {

inline constexpr const char* kReportDiffSchema = "ulpcheck.report_diff";
inline constexpr int kReportDiffVersion = 1;

struct ReportDiff {
  /// {"schema", "version", "old", "new" (the names given), "summary": {"regressions",
  /// "fixed", "changed", "unchanged", "only_old", "only_new"}, "cases": [...]}. A case:
  /// "op", "dtype", "params_label", "kernel", "status" (regression: passed, now fails;
  /// fixed: failed, now passes; changed: a figure or the budget moved; unchanged;
  /// only_old; only_new), "figures": [{"figure", "old", "new", "delta"}] for every figure
  /// that differs, "verdict_old" / "verdict_new", "new_worst": worst inputs (outside the
  /// floor region) and breaches of the new report whose inputs are not among the old
  /// report's, and "notes" (inputs that differ, a budget that changed). "routing": the
  /// biased_grouped_topk cases the same way, matched by (configuration, logits dtype, bias
  /// dtype, bias, kernel): "config", "logits_dtype", "bias_dtype", "bias_name", "kernel",
  /// "status", "figures" (routing errors, near-ties, invalid ids, weight figures, tokens),
  /// "verdict_old" / "verdict_new", "notes" (other batches, another claim), "old" / "new"
  /// (the headline figures). "combine": the moe_combine cases the same way, matched by
  /// (dtype, configuration label, kernel): "dtype", "config", "kernel", "status", "figures"
  /// (max_ulp, max_ulp_above_floor, p99_ulp, fraction_correctly_rounded, breaches,
  /// semantic_violations), "notes" (another claim, other inputs), "old" / "new".
  /// "moe_blocks": the MoE blocks matched by (configuration label, pipeline), each with
  /// "status" (its stages' worst), "notes" and "stages": its stages and combine placements
  /// matched by (stage, kernel), a stage passing while its own_breaches is 0, "figures"
  /// (own.max_ulp, own.p99_ulp, own_breaches, chained.max_relative). The summary counts
  /// cases, routing cases, combine cases and MoE block stages together; the precision study
  /// is not compared.
  nlohmann::json json;
  std::int64_t regressions = 0;
};

/// Matches the cases of two documents that passed check_report by (op, dtype, parameter
/// label, kernel), in the new document's order, then the cases only in the old one; then
/// their routing cases, combine cases and MoE block stages likewise. A routing or combine
/// case that passed and now fails is a regression, and so is a MoE block stage whose own
/// outputs were within its claim and now are not.
ReportDiff diff_reports(const nlohmann::json& old_doc, const nlohmann::json& new_doc, const std::string& old_name,
                        const std::string& new_name);

/// The diff for a pull request: the verdict (regressions or none), counts, a table of every
/// case that is not unchanged with before -> after (change) per headline figure, then per
/// such case every figure that moved and the new worst inputs; then the same for the
/// routing cases.
std::string render_diff_markdown(const nlohmann::json& diff);

}  // namespace ulpcheck
