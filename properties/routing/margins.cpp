#include "ulpcheck/properties/routing/margins.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "ulpcheck/properties/routing/compare.hpp"

namespace ulpcheck {

MarginHistogram margin_histogram(const std::vector<TokenRouting>& exact) {
  MarginHistogram h;
  std::map<int, MarginBinade> bins;
  auto add = [&](double m, std::int64_t& ties, std::int64_t& unbounded, std::int64_t MarginBinade::*count) {
    if (m == 0.0) ++ties;
    else if (std::isinf(m)) ++unbounded;
    else {
      const int b = std::ilogb(m);
      bins[b].binade = b;
      ++(bins[b].*count);
    }
  };
  for (const TokenRouting& t : exact) {
    ++h.tokens;
    add(t.group_margin, h.group_ties, h.group_unbounded, &MarginBinade::group);
    add(t.expert_margin, h.expert_ties, h.expert_unbounded, &MarginBinade::expert);
  }
  for (const auto& [b, bin] : bins) h.binades.push_back(bin);
  return h;
}

MarginsWithinBand margins_within_band(const RoutingConfig& c, const RoutingClaim& claim, const RoutingInputs& in,
                                      const std::vector<TokenRouting>& exact) {
  // The magnitudes check_token sizes its bands by: |b| <= |bias| + 1, for the last picked
  // expert and for the best expert of the last kept group.
  const auto b_magnitude = [&](int e) {
    return std::fabs(decode(in.bias_format, in.bias[static_cast<std::size_t>(e)])) + 1.0;
  };
  const int per_group = c.experts_per_group();
  MarginsWithinBand r;
  for (const TokenRouting& t : exact) {
    ++r.tokens;
    if (t.ids.empty() || t.groups.empty()) continue;
    const int last_group = t.groups.back();
    double group_b = 0.0;
    for (int e = last_group * per_group; e < (last_group + 1) * per_group; ++e) group_b = std::max(group_b, b_magnitude(e));
    const bool expert = t.expert_margin <= expert_tie_band(c, claim, b_magnitude(t.ids.back()));
    const bool group = t.group_margin <= group_tie_band(c, claim, 2.0 * group_b, group_b);
    r.expert += expert;
    r.group += group;
    r.either += expert || group;
  }
  return r;
}

}  // namespace ulpcheck
