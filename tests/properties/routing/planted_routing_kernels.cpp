#include "tests/properties/routing/planted_routing_kernels.hpp"

#include <algorithm>
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
};

/// Scalar routing with the bug switched in; everything else as the fp32 reference kernel.
class PlantedRouting final : public RoutingKernel {
 public:
  PlantedRouting(std::string_view name, Bug bug) : name_(name), bug_(bug) {}
  std::string_view name() const override { return name_; }
  std::string_view description() const override { return "planted bug"; }
  std::optional<RoutingClaim> claim(const RoutingConfig& c, Format logits, Format bias) const override {
    return routing_variants::claim(routing_variants::kFp32, c, logits, bias);
  }
  void run(const RoutingConfig& c, const RoutingInputs& in, RoutingOutputs& out) const override {
    const int E = c.experts, per = c.experts_per_group();
    std::vector<float> s(E), b(E), gs(c.n_group);
    for (std::int64_t t = 0; t < in.tokens; ++t) {
      for (int e = 0; e < E; ++e) {
        const float x = static_cast<float>(decode(in.logits_format, in.logits[t * E + e]));
        const float bias = static_cast<float>(decode(in.bias_format, in.bias[e]));
        s[e] = std::isnan(x) ? 0.0f : 1.0f / (1.0f + std::exp(-x));
        b[e] = std::isnan(x) ? -INFINITY : (bug_ == Bug::bias_ignored_in_selection ? s[e] : s[e] + bias);
      }
      for (int g = 0; g < c.n_group; ++g) {
        std::vector<float> v(b.begin() + g * per, b.begin() + (g + 1) * per);
        std::sort(v.begin(), v.end(), std::greater<>());
        gs[g] = bug_ == Bug::group_score_is_max ? v[0] : v[0] + v[1];
      }
      std::vector<int> order(c.n_group);
      std::iota(order.begin(), order.end(), 0);
      std::stable_sort(order.begin(), order.end(), [&](int a, int z) { return gs[a] > gs[z]; });
      const int keep = bug_ == Bug::one_group_too_few ? std::max(1, c.topk_group - 1) : c.topk_group;
      std::vector<bool> kept(c.n_group, false);
      for (int k = 0; k < keep; ++k) kept[order[k]] = true;
      std::vector<int> experts;
      for (int e = 0; e < E; ++e)
        if (kept[e / per] || bug_ == Bug::dropped_groups_selectable) experts.push_back(e);
      std::stable_sort(experts.begin(), experts.end(), [&](int a, int z) { return b[a] > b[z]; });
      float sum = 0.0f;
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
  }

 private:
  std::string_view name_;
  Bug bug_;
};

const PlantedRouting kWeightsFromBiased{"planted.routing_weights_from_biased_scores", Bug::weights_from_biased_scores};
const PlantedRouting kGroupMax{"planted.routing_group_score_is_max", Bug::group_score_is_max};
const PlantedRouting kDroppedSelectable{"planted.routing_dropped_groups_selectable", Bug::dropped_groups_selectable};
const PlantedRouting kOneGroupTooFew{"planted.routing_one_group_too_few", Bug::one_group_too_few};
const PlantedRouting kBiasIgnored{"planted.routing_bias_ignored_in_selection", Bug::bias_ignored_in_selection};
const PlantedRouting kNoEpsilon{"planted.routing_no_epsilon_undeclared", Bug::no_epsilon_undeclared};

const PlantedRoutingKernel kAll[] = {
    {&kWeightsFromBiased, "weights from the biased scores", "matches_oracle", false},
    {&kGroupMax, "group score = max instead of the sum of the top two", "matches_oracle", false},
    {&kDroppedSelectable, "experts of dropped groups selectable", "ids_valid", false},
    {&kOneGroupTooFew, "one group fewer kept than asked", "matches_oracle", false},
    {&kBiasIgnored, "bias added after selection (ranked by s alone)", "matches_oracle", false},
    {&kNoEpsilon, "no epsilon in the renormalising sum, undeclared: 0/0 = NaN", "weights_finite", true},
};

}  // namespace

std::span<const PlantedRoutingKernel> all_routing() { return kAll; }

}  // namespace ulpcheck::planted
