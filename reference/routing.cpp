// The routing configuration: its valid space, its label and the scoring names.
#include "ulpcheck/reference/routing.hpp"

#include <fmt/format.h>

#include "ulpcheck/reference/routed_scaling_factor.hpp"

namespace ulpcheck {

std::string_view name(Scoring s) {
  switch (s) {
    case Scoring::sigmoid: return "sigmoid";
    case Scoring::softmax: return "softmax";
  }
  return "unknown";
}

std::string RoutingConfig::validate() const {
  if (experts < 2 || experts > 512) return fmt::format("experts is {}; it must be in [2, 512]", experts);
  if (n_group < 1 || n_group > 32) return fmt::format("n_group is {}; it must be in [1, 32]", n_group);
  if (experts % n_group != 0)
    return fmt::format("n_group {} does not divide experts {}; groups must be of equal size", n_group, experts);
  if (experts / n_group < 2)
    return fmt::format("experts / n_group is {} / {} = 1; a group needs at least 2 experts (its score is the "
                       "sum of its two largest)",
                       experts, n_group);
  if (topk_group < 1 || topk_group > n_group)
    return fmt::format("topk_group is {}; it must be in [1, n_group = {}]", topk_group, n_group);
  const int candidates = topk_group * experts_per_group();
  if (topk < 1 || topk > candidates)
    return fmt::format("topk is {}; it must be in [1, topk_group * experts / n_group = {}]", topk, candidates);
  return check_routed_scaling_factor(routed_scaling_factor);
}

std::string RoutingConfig::label() const {
  return fmt::format("E={} groups={} keep={} top={} {} {} scale={}", experts, n_group, topk_group, topk,
                     name(scoring), renormalize ? "renorm" : "no-renorm", routed_scaling_factor_text(routed_scaling_factor));
}

}  // namespace ulpcheck
