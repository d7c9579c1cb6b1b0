// How far the oracle's routing decisions are from a tie: the distribution of the group and
// expert margins of a batch (TokenRouting::group_margin, expert_margin) by powers of two,
// and how many tokens decide within a kernel's tie band, where its arithmetic may
// legitimately pick otherwise (the near-ties of compare_routing).
#pragma once

#include <cstdint>
#include <vector>

#include "ulpcheck/device/routing_kernel.hpp"
#include "ulpcheck/reference/routing.hpp"

namespace ulpcheck {

/// Margins in [2^binade, 2^(binade+1)).
struct MarginBinade {
  int binade = 0;
  std::int64_t group = 0, expert = 0;
};

struct MarginHistogram {
  std::int64_t tokens = 0;
  /// Exact ties (margin 0, resolved by index).
  std::int64_t group_ties = 0, expert_ties = 0;
  /// Nothing dropped, or only invalid candidates dropped (margin +inf).
  std::int64_t group_unbounded = 0, expert_unbounded = 0;
  /// The binades that hold a margin, ascending.
  std::vector<MarginBinade> binades;
};

MarginHistogram margin_histogram(const std::vector<TokenRouting>& exact);

/// Tokens whose margin lies within the kernel's tie band (expert_tie_band at the last
/// picked expert, group_tie_band at the last kept group: the bands compare_routing judges
/// near-ties by).
struct MarginsWithinBand {
  std::int64_t tokens = 0;
  std::int64_t group = 0, expert = 0, either = 0;
};

MarginsWithinBand margins_within_band(const RoutingConfig& config, const RoutingClaim& claim,
                                      const RoutingInputs& inputs, const std::vector<TokenRouting>& exact);

}  // namespace ulpcheck
