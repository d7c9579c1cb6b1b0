// A report of many cases (op, dtype, parameters, kernel): the one JSON document that CI
// keeps and diffs, and its Markdown. The HTML (html_report.hpp) and the diff
// (report_diff.hpp) read the same document.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ulpcheck/runs/report.hpp"

namespace ulpcheck {

/// The document's "schema" and "version". A reader refuses other schemas and versions; the
/// version changes whenever a key is removed or changes meaning.
inline constexpr const char* kReportSchema = "ulpcheck.report";
inline constexpr int kReportVersion = 1;

/// The document's parts that the families fill, in the document's own keys: each family's
/// section_parts overload (precision_report.hpp, routing_report.hpp) adds what it measured.
struct DocumentParts {
  std::vector<nlohmann::json> cases;
  std::vector<nlohmann::json> approximations;
  std::optional<nlohmann::json> routing;
  std::optional<nlohmann::json> combine;
};

/// The document: {"schema", "version", "settings": {"seed", "samples"}, "summary":
/// {"cases", "passed", "failed", "skipped", "did_not_run", "pass", "verdict"}, "cases":
/// [case objects of precision_report.hpp's to_json, in the order given], "skipped": [{"op",
/// "dtype", "params_label", "kernel", "reason", "did_not_run"}], "approximations": [sections
/// of approximation_report.hpp, one per op whose approximated op the report also covers],
/// "routing": the biased_grouped_topk section (routing_report.hpp), present only when the
/// report covers routing}. The summary counts the routing cases with the others, and
/// passes only when the routing section does. "approximations" and "routing" came later
/// within version 1: a reader takes a document without them as one with none; so did a
/// case's "calls" and an element's "batch" and "index" (a case without "calls" was one
/// call of its "shape"). It holds no
/// timestamp or timing: the same inputs give the same document.
nlohmann::json report_document(std::vector<nlohmann::json> cases, const std::vector<SkippedCase>& skipped,
                               const ReportSettings& settings, std::vector<nlohmann::json> approximations = {},
                               std::optional<nlohmann::json> routing = std::nullopt,
                               std::optional<nlohmann::json> combine = std::nullopt);

/// Empty when `doc` is a report document of this schema and version with every key the
/// renderers and the diff read, of the right type; otherwise the first problem and where
/// it is: "cases[3] (silu_and_mul bf16 host.single_rounding): \"max_ulp\" is missing".
std::string check_report(const nlohmann::json& doc);

/// The document of a run's results: every family's parts, then report_document above.
nlohmann::json report_document(const ReportResults& results);

/// The document as JSON text: objects and arrays nest over lines, but an object or array
/// holding only numbers, strings and booleans (a table row, a budget) takes one line, so
/// that tables of hundreds of rows stay readable and diffable. Keys are sorted; the same
/// document gives the same bytes.
std::string report_json_text(const nlohmann::json& doc);

/// The Markdown of a report document. One case: that case's report (render_case_markdown
/// at level 1). More: a title, the verdict, a summary table (dtype, op, parameters,
/// kernel, budget, max ULP, max ULP outside the floor region, correctly rounded, p99,
/// breaches, verdict), the cases not measured, the "<op> vs <approximated op>" sections,
/// the routing section, then a section per dtype, per op and parameters (formula, inputs,
/// oracle), and per kernel.
std::string render_report_markdown(const nlohmann::json& doc);

}  // namespace ulpcheck
