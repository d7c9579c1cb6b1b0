// The biased_grouped_topk section of a report: per batch (logits dtype, bias dtype, bias
// distribution) the oracle's margins, per kernel its routing errors, near-ties, invalid ids,
// margins within its tie band, weight errors and verdict; then the precision study (what
// rounding the logits and the bias costs, and casting the bias once against on every call).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ulpcheck/properties/routing/bias_cast.hpp"
#include "ulpcheck/properties/routing/compare.hpp"
#include "ulpcheck/properties/routing/input_rounding.hpp"
#include "ulpcheck/properties/routing/margins.hpp"
#include "ulpcheck/reports/report_document.hpp"
#include "ulpcheck/runs/routing/report.hpp"

namespace ulpcheck {

/// One kernel on one batch: {"kernel", "kernel_description", "claim": {"arithmetic",
/// "score_abs_error", "weights_max_ulp", "weights_abs_floor", "min_score_sum",
/// "nan_weights_when_scores_vanish", "sorted"}, "tokens", "matches", "near_ties",
/// "mismatches", "invalid", "order_differs", "fraction_mismatches", "fraction_near_ties",
/// "margins_within_band": {"group", "expert", "either"}, "weights": {"tokens_checked",
/// "tokens_in_floor", "max_ulp", "p99_ulp", "breaches", "bad", "max_sum_error"},
/// "failures" (the first failing tokens explained), "pass", "verdict"}. A case passes with
/// no mismatch, no invalid ids, no weight breach and no undeclared bad weight.
nlohmann::json routing_case_json(const RoutingKernel& kernel, const RoutingClaim& claim, const RoutingStats& stats,
                                 const MarginsWithinBand& band);

/// One batch: {"logits_dtype", "bias_dtype", "bias_name", "bias", "tokens", "oracle":
/// {"comparisons", "special", "double_tier", "exact_ties", "mpfr_tier", "mpfr_retries"},
/// "margin_histogram": {"tokens", "group_ties", "expert_ties", "group_unbounded",
/// "expert_unbounded", "binades": [{"binade", "group", "expert"}]}, "cases": [cases]}.
nlohmann::json routing_batch_json(const RoutingBatchInfo& batch, const RoutingOracleCounts& oracle,
                                  const MarginHistogram& margins, std::vector<nlohmann::json> cases);

/// {"kernel", "call_tokens", "holds" (every run whose target never changes is bit-identical),
/// "biases": [{"bias_name", "bias", "cells": [{"logits_dtype", "bias_dtype", "tokens",
/// "oracle_differ", "kernel_differ"}], "bias_cast": [{"cast_once_to", "targets" (in call
/// order), "calls", "identical_calls", "tokens", "tokens_differ", "sets_differ",
/// "per_target": [{"target", "calls", "identical_calls", "tokens", "tokens_differ",
/// "sets_differ"}], "first_difference"}], "flips": [{"logits_dtype", "tokens", "differ"}]}]}.
nlohmann::json precision_study_json(const PrecisionStudy& study);

/// The section: {"op", "formula", "config": {"experts", "n_group", "topk_group", "topk",
/// "scoring", "renormalize", "routed_scaling_factor", "label"}, "logits" (its distribution),
/// "tokens", "seed", "summary": {"cases", "passed", "failed", "pass", "verdict"}, "batches":
/// [batches], "precision_study": the study or null}. The summary counts the cases of every
/// batch; a study whose bias-cast property does not hold fails the section too.
nlohmann::json routing_section_json(const RoutingConfig& config, const std::string& logits, std::int64_t tokens,
                                    std::uint64_t seed, std::vector<nlohmann::json> batches,
                                    std::optional<nlohmann::json> precision_study);

/// Empty when `section` has every key above with the right type; otherwise the first
/// problem, named from `where` ("routing.batches[2].cases[0] (host.routing_fp32)").
std::string check_routing_section(const nlohmann::json& section, const std::string& where = "routing");

/// The routing family's part of a document: its section, from a run's results.
void section_parts(DocumentParts& parts, const RoutingReport& report);

/// The Markdown of the section at heading level `level`: the op, configuration and inputs,
/// a table of every case, the margins of every batch (ties, powers of 16, unbounded), the
/// failing tokens explained, then the precision study.
std::string render_routing_markdown(const nlohmann::json& section, int level = 2);

}  // namespace ulpcheck
