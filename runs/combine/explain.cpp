#include <fmt/format.h>

#include "ulpcheck/runs/explain.hpp"

namespace ulpcheck {

std::string first_failure(const CombineReport& report) {
  for (const CombineBatchResult& b : report.batches)
    for (const CombineCaseResult& c : b.cases) {
      const ErrorStats& s = c.stats;
      if (s.passes()) continue;
      std::string out = fmt::format(
          "{} on {} {}, {}, {} tokens: {} elements outside the claim (max_ulp {:g}, floor {:g} * s + {:g}), {} "
          "failing NaN/inf differences; max ULP error {:g} ({:g} outside the floor region)\n",
          c.kernel->name(), kCombineOpName, b.config.label(), name(b.format), b.tokens, s.budget_breaches,
          c.claim.max_ulp, c.claim.relative, c.claim.absolute, s.semantic_violations, s.max_ulp, s.max_ulp_above_floor);
      if (!c.failure.empty()) out += "first failing element: " + c.failure + "\n";
      return out;
    }
  for (const MoeBlockReport& block : report.blocks) {
    if (!block.measured || block.own_within_claims()) continue;
    for (const std::vector<MoeStageFigures>* stages : {&block.stages, &block.combines})
      for (const MoeStageFigures& s : *stages)
        if (s.own_breaches > 0)
          return fmt::format("{} {} on the {} pipeline: stage {} ({}) has {} outputs outside its claim {} on exact "
                             "inputs; max {:g} ULP\n",
                             kMoeBlockOpName, block.config, block.pipeline, s.stage, s.kernel, s.own_breaches, s.claim,
                             s.own.max_ulp);
  }
  return {};
}

std::size_t measured_cases(const CombineReport& report) {
  std::size_t n = 0;
  for (const CombineBatchResult& b : report.batches) n += b.cases.size();
  for (const MoeBlockReport& block : report.blocks) n += block.measured;
  return n;
}

}  // namespace ulpcheck
