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
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ulpcheck/reference/double_double.hpp"
#include "ulpcheck/reference/format.hpp"

namespace ulpcheck {

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
/// expert (as if b = -inf) and scores s = 0. Under softmax, s is taken over the valid
/// logits: +inf logits share 1 equally, and when every valid logit is -inf (or none is
/// valid) every s is 0. A group's score is -inf when it has fewer than two valid experts
/// with finite b. When the picked experts' s sum to 0, renormalised weights are 0 (not
/// 0/0). The ids are therefore always distinct, in range, and from kept groups.
struct TokenRouting {
  /// The picked experts, best first: decreasing b, ties to the lower index.
  std::vector<std::int32_t> ids;
  /// Their exact weights, in the same order (double-double).
  std::vector<DoubleDouble> weights;
  /// The kept groups, best first (ties to the lower index).
  std::vector<std::int32_t> groups;
  /// Exact gap between the last kept and the best dropped group score, and between the
  /// last picked b and the best unpicked b in the kept groups: how far the decision is
  /// from a tie. +inf when nothing was dropped (or what was dropped is invalid), 0 for an
  /// exact tie resolved by index.
  double group_margin = 0.0;
  double expert_margin = 0.0;
};

/// The exact routing of every token. Throws std::invalid_argument for an invalid config
/// (the message says what) or inputs whose sizes do not fit it.
std::vector<TokenRouting> route_exact(const RoutingConfig& config, const RoutingInputs& inputs);

}  // namespace ulpcheck
