// The moe_combine section of a report: per storage format a table of every kernel on every
// config (max and p99 ULP, correctly rounded, elements in the floor region, breaches, the
// claim and the verdict), where each kernel puts the routed scaling factor (the reason for
// its claim), and the first failing element of each failing case explained.
//
// The generic document (report_document.hpp) does not hold the section yet: once the family
// is registered, DocumentParts gains `std::optional<nlohmann::json> combine`, filled by
// `parts.combine = combine_section_json(report)`, and the document's check, Markdown and HTML
// call check_combine_section, render_combine_markdown and render_combine_html below.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "ulpcheck/reports/report_document.hpp"
#include "ulpcheck/runs/combine/report.hpp"

namespace ulpcheck {

/// One kernel on one batch: {"kernel", "kernel_description", "claim": {"max_ulp", "relative",
/// "absolute"}, "count", "numeric", "correctly_rounded", "fraction_correctly_rounded",
/// "in_floor_region", "semantic_differences", "semantic_violations", "breaches" (budget
/// breaches), "max_ulp", "max_ulp_above_floor", "p99_ulp", "failure" (the first failing
/// element explained, "" when it passes), "pass", "verdict"}. A case passes with no breach
/// and no failing semantic difference.
nlohmann::json combine_case_json(const CombineCaseResult& result);

/// One batch: {"dtype", "config": {"topk", "hidden", "routed_scaling_factor", "label"},
/// "tokens", "cases": [cases]}.
nlohmann::json combine_batch_json(const CombineConfig& config, Format format, std::int64_t tokens,
                                  std::vector<nlohmann::json> cases);

/// The section: {"op", "formula", "inputs" (what they were drawn from), "tokens", "seed",
/// "summary": {"cases", "passed", "failed", "pass", "verdict"}, "batches": [batches]}. The
/// summary counts the cases of every batch.
nlohmann::json combine_section_json(std::int64_t tokens, std::uint64_t seed, const std::string& inputs,
                                    std::vector<nlohmann::json> batches);

/// The section of a run's results: each case and batch as above.
nlohmann::json combine_section_json(const CombineReport& report);

/// The combine family's part of a document: its section, from a run's results.
inline void section_parts(DocumentParts& parts, const CombineReport& report) { parts.combine = combine_section_json(report); }

/// Empty when `section` has every key above with the right type; otherwise the first
/// problem, named from `where` ("combine.batches[2] (\"bf16\" k=8 ...).cases[0]
/// (\"host.combine_fold\"): \"p99_ulp\" is missing").
std::string check_combine_section(const nlohmann::json& section, const std::string& where = "combine");

/// The Markdown of the section at heading level `level`: the op, inputs and claim rule, a
/// table per storage format, where each kernel puts the factor, then the failing elements.
std::string render_combine_markdown(const nlohmann::json& section, int level = 2);

/// The section as the HTML report page shows it (the page's card markup and style): the same
/// tables, failing rows marked, the failing elements in open <details>; under
/// <h2 id="combine">, which the page's header links to.
std::string render_combine_html(const nlohmann::json& section);

}  // namespace ulpcheck
