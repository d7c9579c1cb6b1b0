#include <fmt/format.h>

#include "ulpcheck/runs/explain.hpp"

namespace ulpcheck {

std::string first_failure(const RoutingReport& report) {
  for (const RoutingBatchResult& b : report.batches)
    for (const RoutingCaseResult& c : b.cases) {
      const RoutingStats& s = c.stats;
      if (s.passes()) continue;
      std::string out = fmt::format(
          "{} on biased_grouped_topk {}, {} logits and {} bias ({}), {} tokens: {} expert sets differ beyond a "
          "near-tie, {} invalid outputs, {} weights outside the claimed budget (max_ulp {:g}, abs_floor {:g}), {} "
          "bad weights; max weight ULP error {:g}\n",
          c.kernel->name(), report.config.label(), name(b.info.logits), name(b.info.bias), b.info.bias_name, s.tokens,
          s.mismatches, s.invalid, s.weight_breaches, c.claim.weights.max_ulp, c.claim.weights.abs_floor, s.bad_weights,
          s.max_weight_ulp);
      if (!s.failures.empty()) out += "first failing token:\n" + s.failures.front();
      return out;
    }
  return {};
}

std::size_t measured_cases(const RoutingReport& report) {
  std::size_t n = 0;
  for (const RoutingBatchResult& b : report.batches) n += b.cases.size();
  return n;
}

}  // namespace ulpcheck
