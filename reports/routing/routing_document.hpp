// The routing section of a report document as types: each object's keys are its members,
// listed once here, and nlohmann's to_json/from_json of each come from that list. Numbers
// that may be NaN or infinite are Number (report_text.hpp), written "nan", "inf", "-inf".
// Internal to reports/.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
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

/// A batch: its dtypes and bias, without its cases (they are written apart).
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

/// The section without its batches and study (written apart).
struct Section {
  std::string op, formula;
  Config config;
  std::string logits;
  std::int64_t tokens = 0;
  std::uint64_t seed = 0;
  Summary summary;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Section, op, formula, config, logits, tokens, seed, summary)

}  // namespace ulpcheck::routing_document
