// Whether two routings of the same tokens pick the same experts, ignoring order (kernels
// differ in output order): the figure of the precision study and of the bias-cast check.
#pragma once

#include <cstdint>
#include <vector>

#include "ulpcheck/device/routing_kernel.hpp"
#include "ulpcheck/reference/routing.hpp"

namespace ulpcheck {

/// Tokens whose expert sets differ, out of the tokens compared.
struct SetDifference {
  std::int64_t tokens = 0;
  std::int64_t differ = 0;
  /// differ / tokens; 0 for no tokens.
  double fraction() const { return tokens ? static_cast<double>(differ) / static_cast<double>(tokens) : 0.0; }
};

/// Token by token: the oracle's answers against other answers, or against a kernel's ids
/// ([tokens, topk], row-major), or two kernels' ids against each other. Every token of
/// both sides is compared; the sides must have the same number of tokens (otherwise
/// std::invalid_argument).
SetDifference expert_sets_differ(const std::vector<TokenRouting>& a, const std::vector<TokenRouting>& b);
SetDifference expert_sets_differ(const std::vector<TokenRouting>& a, const RoutingOutputs& b, int topk);
SetDifference expert_sets_differ(const RoutingOutputs& a, const RoutingOutputs& b, int topk);

}  // namespace ulpcheck
