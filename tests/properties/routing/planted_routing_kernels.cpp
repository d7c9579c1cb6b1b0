#include "tests/properties/routing/planted_routing_kernels.hpp"

#include <algorithm>
#include <atomic>
#include <array>
#include <functional>
#include <cmath>
#include <numeric>
#include <vector>

#include "ulpcheck/device/routing_variants.hpp"

namespace ulpcheck::planted {

namespace {

enum class Bug {
  weights_from_biased_scores,   // the renormalised weights use b = s + bias, not s
  group_score_is_max,           // a group scores its best expert, not the sum of its best two
  dropped_groups_selectable,    // the expert pick ignores the group mask
  one_group_too_few,            // topk_group - 1 groups kept
  bias_ignored_in_selection,    // the bias added after selection: experts ranked by s alone
  no_epsilon_undeclared,        // 0/0 = NaN weights, not declared in the claim
  bias_multiplied,              // b = s * bias: selection depends on where the biases sit
  group_zero_always_kept,       // group 0 kept whatever it scores, then the best others
  group_score_first_two,        // a group scores its first two experts, not its best two
  large_logits_invalid,         // an "overflow guard" that drops logits above 88
  sum_not_reset,                // the renormalising sum carried from token to token
  nondeterministic,             // every other run, token 0's first weight one ulp up
  tanh_sigmoid_above_128,       // above 128 tokens another kernel scores with 0.5 tanh(x/2) + 0.5
};

/// Scalar routing with the bug switched in; everything else as the fp32 reference kernel.
class PlantedRouting final : public RoutingKernel {
 public:
  PlantedRouting(std::string_view name, Bug bug) : name_(name), bug_(bug) {}
  std::string_view name() const override { return name_; }
  std::string_view description() const override { return "planted bug"; }
  /// Sigmoid scoring only, as the loop below computes it: each planted kernel is right but
  /// for its bug, so every failure the checks report is the bug's.
  std::optional<RoutingClaim> claim(const RoutingConfig& c, Format logits, Format bias) const override {
    if (c.scoring != Scoring::sigmoid) return std::nullopt;
    return routing_variants::claim(routing_variants::kFp32, c, logits, bias);
  }
  void run(const RoutingConfig& c, const RoutingInputs& in, RoutingOutputs& out) const override {
    const int E = c.experts, per = c.experts_per_group();
    std::vector<float> s(E), b(E), gs(c.n_group);
    float sum = 0.0f;
    for (std::int64_t t = 0; t < in.tokens; ++t) {
      for (int e = 0; e < E; ++e) {
        const float x = static_cast<float>(decode(in.logits_format, in.logits[t * E + e]));
        const float bias = static_cast<float>(decode(in.bias_format, in.bias[e]));
        const bool other_path = bug_ == Bug::tanh_sigmoid_above_128 && in.tokens > 128;
        s[e] = std::isnan(x)  ? 0.0f
               : other_path ? 0.5f * std::tanh(0.5f * x) + 0.5f
                            : 1.0f / (1.0f + std::exp(-x));
        const bool invalid = std::isnan(x) || (bug_ == Bug::large_logits_invalid && x > 88.0f);
        b[e] = invalid ? -INFINITY
                       : (bug_ == Bug::bias_ignored_in_selection ? s[e]
                          : bug_ == Bug::bias_multiplied        ? s[e] * bias
                                                                : s[e] + bias);
      }
      for (int g = 0; g < c.n_group; ++g) {
        std::vector<float> v(b.begin() + g * per, b.begin() + (g + 1) * per);
        std::sort(v.begin(), v.end(), std::greater<>());
        gs[g] = bug_ == Bug::group_score_is_max      ? v[0]
                : bug_ == Bug::group_score_first_two ? b[g * per] + b[g * per + 1]
                                                     : v[0] + v[1];
      }
      std::vector<int> order(c.n_group);
      std::iota(order.begin(), order.end(), 0);
      std::stable_sort(order.begin(), order.end(), [&](int a, int z) { return gs[a] > gs[z]; });
      const int keep = bug_ == Bug::one_group_too_few ? std::max(1, c.topk_group - 1) : c.topk_group;
      std::vector<bool> kept(c.n_group, false);
      if (bug_ == Bug::group_zero_always_kept) {
        kept[0] = true;
        for (int k = 0, n = 1; n < keep; ++k)
          if (!kept[order[k]]) kept[order[k]] = true, ++n;
      } else {
        for (int k = 0; k < keep; ++k) kept[order[k]] = true;
      }
      std::vector<int> experts;
      for (int e = 0; e < E; ++e)
        if (kept[e / per] || bug_ == Bug::dropped_groups_selectable) experts.push_back(e);
      std::stable_sort(experts.begin(), experts.end(), [&](int a, int z) { return b[a] > b[z]; });
      if (bug_ != Bug::sum_not_reset) sum = 0.0f;
      for (int k = 0; k < c.topk; ++k) {
        const int e = k < static_cast<int>(experts.size()) ? experts[k] : k;  // too few kept: pad in range
        out.ids[t * c.topk + k] = e;
        out.weights[t * c.topk + k] = bug_ == Bug::weights_from_biased_scores ? b[e] : s[e];
        sum += out.weights[t * c.topk + k];
      }
      if (bug_ != Bug::no_epsilon_undeclared) sum += 1e-20f;
      for (int k = 0; k < c.topk; ++k) {
        float& w = out.weights[t * c.topk + k];
        w = c.renormalize ? w / sum * static_cast<float>(c.routed_scaling_factor)
                          : w * static_cast<float>(c.routed_scaling_factor);
      }
    }
    // A race: every other launch, the first weight comes out one ulp up.
    if (bug_ == Bug::nondeterministic && runs_.fetch_add(1) % 2 == 1 && !out.weights.empty())
      out.weights[0] = std::nextafter(out.weights[0], HUGE_VALF);
  }

 private:
  std::string_view name_;
  Bug bug_;
  mutable std::atomic<unsigned> runs_{0};
};

const PlantedRouting kWeightsFromBiased{"planted.routing_weights_from_biased_scores", Bug::weights_from_biased_scores};
const PlantedRouting kGroupMax{"planted.routing_group_score_is_max", Bug::group_score_is_max};
const PlantedRouting kDroppedSelectable{"planted.routing_dropped_groups_selectable", Bug::dropped_groups_selectable};
const PlantedRouting kOneGroupTooFew{"planted.routing_one_group_too_few", Bug::one_group_too_few};
const PlantedRouting kBiasIgnored{"planted.routing_bias_ignored_in_selection", Bug::bias_ignored_in_selection};
const PlantedRouting kNoEpsilon{"planted.routing_no_epsilon_undeclared", Bug::no_epsilon_undeclared};
const PlantedRouting kBiasMultiplied{"planted.routing_bias_multiplied", Bug::bias_multiplied};
const PlantedRouting kGroupZeroKept{"planted.routing_group_zero_always_kept", Bug::group_zero_always_kept};
const PlantedRouting kFirstTwo{"planted.routing_group_score_first_two", Bug::group_score_first_two};
const PlantedRouting kLargeInvalid{"planted.routing_large_logits_invalid", Bug::large_logits_invalid};
const PlantedRouting kSumNotReset{"planted.routing_sum_not_reset", Bug::sum_not_reset};
const PlantedRouting kNondeterministic{"planted.routing_nondeterministic", Bug::nondeterministic};
const PlantedRouting kOtherPathAbove128{"planted.routing_tanh_sigmoid_above_128_tokens", Bug::tanh_sigmoid_above_128};

const PlantedRoutingKernel kAll[] = {
    {&kWeightsFromBiased, "weights from the biased scores", "matches_oracle", false},
    {&kGroupMax, "group score = max instead of the sum of the top two", "matches_oracle", false},
    {&kDroppedSelectable, "experts of dropped groups selectable", "ids_valid", false},
    {&kOneGroupTooFew, "one group fewer kept than asked", "matches_oracle", false},
    {&kBiasIgnored, "bias added after selection (ranked by s alone)", "matches_oracle", false},
    {&kNoEpsilon, "no epsilon in the renormalising sum, undeclared: 0/0 = NaN", "weights_finite", true},
    {&kBiasMultiplied, "the bias multiplied into the score instead of added", "bias_shift_invariant", false},
    {&kGroupZeroKept, "group 0 kept whatever it scores", "group_permutation_equivariant", false},
    {&kFirstTwo, "a group scored by its first two experts, not its best two", "expert_permutation_equivariant", false},
    {&kLargeInvalid, "logits above 88 dropped by an overflow guard", "raising_a_picked_logit_keeps_it_picked", true},
    {&kSumNotReset, "the renormalising sum carried from token to token", "tokens_are_independent", false},
    {&kNondeterministic, "every other run differs by one ulp in a weight", "reruns_are_identical", true},
    {&kOtherPathAbove128, "above 128 tokens another code path scores with the tanh sigmoid", "tokens_are_independent",
     false},
};

}  // namespace

std::span<const PlantedRoutingKernel> all_routing() { return kAll; }

}  // namespace ulpcheck::planted
