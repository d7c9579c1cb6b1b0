#include "ulpcheck/runs/explain.hpp"

#include <fmt/format.h>

namespace ulpcheck {

std::string first_failure(const ReportResults& results) {
  std::size_t measured = 0;
  for (const FamilyReport& family : results.families) {
    const std::string why = std::visit([](const auto& r) { return first_failure(r); }, family);
    if (!why.empty()) return why;
    measured += std::visit([](const auto& r) { return measured_cases(r); }, family);
  }
  if (measured > 0) return {};
  std::string out = "nothing was measured";
  for (const SkippedCase& s : results.skipped)
    out += fmt::format("\n  {} on {} {}{}: {}", s.kernel, s.op, s.dtype, s.params_label.empty() ? "" : " " + s.params_label,
                       s.reason);
  return out;
}

}  // namespace ulpcheck
