#include <fmt/format.h>

#include "ulpcheck/properties/explain.hpp"
#include "ulpcheck/runs/explain.hpp"

namespace ulpcheck {

std::string first_failure(const ElementwiseReport& report) {
  for (const CaseResult& c : report.cases) {
    const Measurement& m = c.measurement;
    const ErrorStats& s = m.stats;
    if (s.passes()) continue;
    const std::string params = m.params.label();
    std::string out = fmt::format(
        "{} on {} {}{}: {} of {} outputs outside the claimed budget (max_ulp {:g}, abs_floor {:g}), {} semantic "
        "violations; max ULP error {:g} ({:g} outside the floor region); inputs: {}\n",
        m.kernel->name(), m.op->name, name(m.format), params.empty() ? "" : " " + params, s.budget_breaches, s.count,
        m.budget.max_ulp, m.budget.abs_floor, s.semantic_violations, s.max_ulp, s.max_ulp_above_floor, m.inputs);
    return out + "first failing output:\n" + explain(m, s.first_failure());
  }
  return {};
}

std::size_t measured_cases(const ElementwiseReport& report) { return report.cases.size(); }

}  // namespace ulpcheck
