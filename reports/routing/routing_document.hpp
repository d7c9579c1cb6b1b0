// The routing section of a report document as types: each object's keys are its members,
// listed once here, and nlohmann's to_json/from_json of each come from that list. Numbers
// that may be NaN or infinite are Number (report_text.hpp), written "nan", "inf", "-inf".
// Internal to reports/.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "reports/report_text.hpp"

namespace ulpcheck::routing_document {

using report_text::Number;

/// What a kernel claims ("claim").
struct Claim {
  std::string arithmetic;
  Number score_abs_error, weights_max_ulp, weights_abs_floor, min_score_sum;
  bool nan_weights_when_scores_vanish = false, sorted = false;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Claim, arithmetic, score_abs_error, weights_max_ulp, weights_abs_floor,
                                   min_score_sum, nan_weights_when_scores_vanish, sorted)

/// Tokens whose exact margin lies within the kernel's tie band ("margins_within_band").
struct Band {
  std::int64_t group = 0, expert = 0, either = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Band, group, expert, either)

/// The weights' errors of a case ("weights").
struct Weights {
  std::int64_t tokens_checked = 0, tokens_in_floor = 0;
  Number max_ulp, p99_ulp;
  std::int64_t breaches = 0, bad = 0;
  Number max_sum_error;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Weights, tokens_checked, tokens_in_floor, max_ulp, p99_ulp, breaches, bad,
                                   max_sum_error)

/// One kernel on one batch.
struct Case {
  std::string kernel, kernel_description;
  Claim claim;
  std::int64_t tokens = 0, matches = 0, near_ties = 0, mismatches = 0, invalid = 0, order_differs = 0;
  double fraction_mismatches = 0.0, fraction_near_ties = 0.0;
  Band margins_within_band;
  Weights weights;
  std::vector<std::string> failures;
  bool pass = false;
  std::string verdict;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Case, kernel, kernel_description, claim, tokens, matches, near_ties, mismatches,
                                   invalid, order_differs, fraction_mismatches, fraction_near_ties,
                                   margins_within_band, weights, failures, pass, verdict)

/// How the oracle decided a batch's comparisons ("oracle").
struct Oracle {
  std::int64_t comparisons = 0, special = 0, double_tier = 0, exact_ties = 0, mpfr_tier = 0, mpfr_retries = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Oracle, comparisons, special, double_tier, exact_ties, mpfr_tier, mpfr_retries)

struct MarginBinade {
  int binade = 0;
  std::int64_t group = 0, expert = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(MarginBinade, binade, group, expert)

/// The exact margins of a batch's tokens ("margin_histogram").
struct Margins {
  std::int64_t tokens = 0, group_ties = 0, expert_ties = 0, group_unbounded = 0, expert_unbounded = 0;
  std::vector<MarginBinade> binades;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Margins, tokens, group_ties, expert_ties, group_unbounded, expert_unbounded,
                                   binades)

/// A batch: its dtypes and bias, without its cases (BatchWithCases adds them).
struct Batch {
  std::string logits_dtype, bias_dtype, bias_name, bias;
  std::int64_t tokens = 0;
  Oracle oracle;
  Margins margin_histogram;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Batch, logits_dtype, bias_dtype, bias_name, bias, tokens, oracle,
                                   margin_histogram)

struct Config {
  std::int64_t experts = 0, n_group = 0, topk_group = 0, topk = 0;
  std::string scoring;
  bool renormalize = true;
  double routed_scaling_factor = 1.0;
  std::string label;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Config, experts, n_group, topk_group, topk, scoring, renormalize,
                                   routed_scaling_factor, label)

struct Summary {
  std::int64_t cases = 0, passed = 0, failed = 0;
  bool pass = false;
  std::string verdict;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Summary, cases, passed, failed, pass, verdict)

/// A batch with its cases, as the section's "batches" hold it.
struct BatchWithCases {
  Batch batch;
  std::vector<Case> cases;
};
inline void to_json(nlohmann::json& j, const BatchWithCases& b) { report_text::write_extended(j, b.batch, "cases", b.cases); }
inline void from_json(const nlohmann::json& j, BatchWithCases& b) { report_text::read_extended(j, b.batch, "cases", b.cases); }

/// One (logits, bias) dtype pair of the study's input rounding ("cells").
struct StudyCell {
  std::string logits_dtype, bias_dtype;
  std::int64_t tokens = 0, oracle_differ = 0, kernel_differ = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(StudyCell, logits_dtype, bias_dtype, tokens, oracle_differ, kernel_differ)

/// The calls of a bias-cast run that cast to one target dtype ("per_target").
struct TargetCalls {
  std::string target;
  std::int64_t calls = 0, identical_calls = 0, tokens = 0, tokens_differ = 0, sets_differ = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(TargetCalls, target, calls, identical_calls, tokens, tokens_differ, sets_differ)

/// A run casting the bias once or on every call ("bias_cast"): "targets" are the dtypes
/// its calls cast to, in the order they first appear.
struct BiasCast {
  std::string cast_once_to;
  std::vector<std::string> targets;
  std::int64_t calls = 0, identical_calls = 0, tokens = 0, tokens_differ = 0, sets_differ = 0;
  std::vector<TargetCalls> per_target;
  std::string first_difference;

  /// Every call casts to the dtype the bias was cast to once: the run must be bit-identical.
  bool steady() const { return targets.size() == 1 && targets[0] == cast_once_to; }
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(BiasCast, cast_once_to, targets, calls, identical_calls, tokens, tokens_differ,
                                   sets_differ, per_target, first_difference)

/// Tokens whose expert set flips between the bias in fp32 and in bf16, for one logits dtype.
struct Flip {
  std::string logits_dtype;
  std::int64_t tokens = 0, differ = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Flip, logits_dtype, tokens, differ)

/// One bias of the precision study.
struct StudyBias {
  std::string bias_name, bias;
  std::vector<StudyCell> cells;
  std::vector<BiasCast> bias_cast;
  std::vector<Flip> flips;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(StudyBias, bias_name, bias, cells, bias_cast, flips)

/// The precision study ("precision_study").
struct Study {
  std::string kernel;
  std::int64_t call_tokens = 0;
  std::vector<StudyBias> biases;
  bool holds = false;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Study, kernel, call_tokens, biases, holds)

/// The section without its batches and study (SectionWithBatches adds them).
struct Section {
  std::string op, formula;
  Config config;
  std::string logits;
  std::int64_t tokens = 0;
  std::uint64_t seed = 0;
  Summary summary;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Section, op, formula, config, logits, tokens, seed, summary)

/// The whole section: its batches with their cases, and the precision study (null when it
/// was not run).
struct SectionWithBatches {
  Section section;
  std::vector<BatchWithCases> batches;
  std::optional<Study> precision_study;
};
inline void to_json(nlohmann::json& j, const SectionWithBatches& s) {
  j = s.section;
  j["batches"] = s.batches;
  j["precision_study"] = s.precision_study ? nlohmann::json(*s.precision_study) : nlohmann::json(nullptr);
}
inline void from_json(const nlohmann::json& j, SectionWithBatches& s) {
  j.get_to(s.section);
  j.at("batches").get_to(s.batches);
  const nlohmann::json& study = j.at("precision_study");
  s.precision_study = study.is_null() ? std::nullopt : std::optional<Study>(study.get<Study>());
}

}  // namespace ulpcheck::routing_document
