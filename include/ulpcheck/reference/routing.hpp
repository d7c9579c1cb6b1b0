// Biased grouped top-k routing (DeepSeek-V3): the op, its configuration, and the exact
// answer the oracle gives per token. Routing is not elementwise: its inputs are a logits
// row per token and one bias vector, its outputs a set of expert ids and their weights.
//
//   s_e   = sigmoid(logit_e)                (or softmax over the E logits)
//   b_e   = s_e + bias_e                    (the bias steers selection only)
//   group score = sum of the two largest b_e of the group
//   keep the topk_group best groups; pick the topk largest b_e among their experts
//   weight_e = s_e of each picked expert, / sum of the picked s when renormalize,
//              times routed_scaling_factor
//
// Everything is evaluated on the quantized inputs (logits and bias each fp32, fp16 or bf16)
// in exact arithmetic; ties (equal values) go to the lower index, for experts and groups.
// Values are compared exactly, not only inputs: sigmoid(+inf) + 0 ties with
// sigmoid(-inf) + 1, and sigmoid(x) + sigmoid(-x) = 1 makes two group scores equal.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ulpcheck/reference/double_double.hpp"
#include "ulpcheck/reference/format.hpp"

namespace ulpcheck {

/// The op's name wherever an op is named (commands, golden files, reports).
inline constexpr std::string_view kRoutingOpName = "biased_grouped_topk";
/// Its definition, for listings.
inline constexpr std::string_view kRoutingFormula =
    "s = sigmoid(logit) (or softmax); b = s + bias; keep the topk_group groups with the largest sum of their two "
    "largest b; pick the topk largest b in them; weight = s (/ sum of the picked s) * routed_scaling_factor";

enum class Scoring : std::uint8_t { sigmoid, softmax };
std::string_view name(Scoring s);

struct RoutingConfig {
  int experts = 256;
  int n_group = 8;
  int topk_group = 4;
  int topk = 8;
  Scoring scoring = Scoring::sigmoid;
  bool renormalize = true;
  /// An fp32 value, used exactly (kernels receive a float).
  double routed_scaling_factor = 2.5;

  /// Empty when valid, else what is wrong: experts in [2, 512], n_group in [1, 32] dividing
  /// experts with at least 2 experts per group (the group score needs two), topk_group in
  /// [1, n_group], topk in [1, topk_group * experts / n_group], the factor a finite fp32 > 0.
  std::string validate() const;
  int experts_per_group() const { return experts / n_group; }
  /// "E=256 groups=8 keep=4 top=8 sigmoid renorm scale=2.5"
  std::string label() const;

  /// Hugging Face DeepSeek-V3: 256 experts, 8 groups, 4 kept, top 8, sigmoid, renormalised,
  /// routed_scaling_factor 2.5.
  static RoutingConfig deepseek_v3() { return {}; }
  friend bool operator==(const RoutingConfig&, const RoutingConfig&) = default;
};

/// One batch: logits [tokens, experts] and bias [experts], as bit patterns of their formats.
struct RoutingInputs {
  Format logits_format = Format::fp32;
  Format bias_format = Format::fp32;
  std::int64_t tokens = 0;
  std::vector<std::uint32_t> logits;  ///< row-major [tokens, experts]
  std::vector<std::uint32_t> bias;    ///< [experts]
};

/// The oracle's answer for one token.
///
/// Non-finite inputs: a logit of +inf scores s = 1 (sigmoid) and -inf scores s = 0. A NaN
/// logit or a NaN or infinite bias makes its expert *invalid*: it ranks below every valid
/// expert (as if b = -inf; invalid experts tie among themselves) and scores s = 0. Under
/// softmax, s is taken over the logits of the valid experts: +inf logits share 1 equally,
/// and when every valid logit is -inf (or none is valid) every s is 0. A group's score is
/// -inf when it has fewer than two valid experts (a valid expert's b is always finite);
/// such groups tie among themselves. When the picked experts' s sum to 0, renormalised
/// weights are 0 (not 0/0). The ids are therefore always distinct, in range, and from
/// kept groups.
struct TokenRouting {
  /// The picked experts, best first: decreasing b, ties to the lower index.
  std::vector<std::int32_t> ids;
  /// Their exact weights, in the same order (double-double).
  std::vector<DoubleDouble> weights;
  /// The kept groups, best first (ties to the lower index).
  std::vector<std::int32_t> groups;
  /// Exact gap between the last kept and the best dropped group score, and between the
  /// last picked b and the best unpicked b in the kept groups: how far the decision is
  /// from a tie, rounded to the nearest double. +inf when nothing was dropped, or when the
  /// best dropped is invalid and the last kept is not; 0 for an exact tie resolved by index
  /// (two invalid ones included), and only then: a gap below 2^-1074 is given as 2^-1074.
  double group_margin = 0.0;
  double expert_margin = 0.0;
};

/// How route_exact decides its comparisons; both give identical answers (a test pins it).
enum class RoutingMethod : std::uint8_t {
  /// Double arithmetic with a proven error bound first; exact-tie proofs and MPFR (with
  /// rising precision) for what that bound leaves open.
  double_then_mpfr,
  /// Every comparison through the exact-tie proof and MPFR; exists to check the first.
  mpfr_only,
};

struct RoutingOracleOptions {
  RoutingMethod method = RoutingMethod::double_then_mpfr;
  /// Threads over tokens; 0 means one per core. The answer never depends on it.
  int threads = 0;
};

/// How route_exact decided its comparisons (expert against expert, group against group),
/// for reports and tests: comparisons = special + double_tier + exact_ties + mpfr_tier.
struct RoutingOracleCounts {
  std::int64_t tokens = 0;
  std::int64_t comparisons = 0;
  std::int64_t special = 0;       ///< settled by validity alone (an invalid expert or group)
  std::int64_t double_tier = 0;   ///< decided by the double tier's error bound
  std::int64_t exact_ties = 0;    ///< values proven equal (the lower index wins)
  std::int64_t mpfr_tier = 0;     ///< decided in MPFR
  std::int64_t mpfr_retries = 0;  ///< comparisons and margins that needed more than 267 bits

  RoutingOracleCounts& operator+=(const RoutingOracleCounts& o) {
    tokens += o.tokens;
    comparisons += o.comparisons;
    special += o.special;
    double_tier += o.double_tier;
    exact_ties += o.exact_ties;
    mpfr_tier += o.mpfr_tier;
    mpfr_retries += o.mpfr_retries;
    return *this;
  }
};

/// The exact routing of every token. Throws std::invalid_argument for an invalid config
/// (the message says what) or inputs whose sizes do not fit it, and std::runtime_error if
/// a comparison stays undecided at 4121 bits (never expected; the message names the
/// token and experts).
std::vector<TokenRouting> route_exact(const RoutingConfig& config, const RoutingInputs& inputs);
std::vector<TokenRouting> route_exact(const RoutingConfig& config, const RoutingInputs& inputs,
                                      const RoutingOracleOptions& options,
                                      RoutingOracleCounts* counts = nullptr);

}  // namespace ulpcheck
