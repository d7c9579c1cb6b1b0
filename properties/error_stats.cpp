#include "ulpcheck/properties/error_stats.hpp"

#include <algorithm>
#include <cmath>

namespace ulpcheck {

namespace {

/// Keeps the kKeep largest by ULP error, largest first; ties keep the earlier element.
void keep_worst(std::vector<ElementReport>& list, const ElementReport& e) {
  if (list.size() == ErrorStats::kKeep && e.check.ulp_error <= list.back().check.ulp_error) return;
  auto at = std::upper_bound(list.begin(), list.end(), e, [](const ElementReport& a, const ElementReport& b) {
    return a.check.ulp_error > b.check.ulp_error;
  });
  list.insert(at, e);
  if (list.size() > ErrorStats::kKeep) list.pop_back();
}

void keep_first(std::vector<ElementReport>& list, const ElementReport& e) {
  if (list.size() < ErrorStats::kKeep) list.push_back(e);
}

}  // namespace

void ErrorStats::add(const ElementReport& e) {
  const ElementCheck& c = e.check;
  ++count;
  {
    ElementTrace t;
    t.x0_bits = e.x0_bits;
    t.x1_bits = e.x1_bits;
    t.ulp_error = c.numeric ? static_cast<float>(c.ulp_error) : 0.0f;
    const double v = e.exact.value.hi;
    t.result_binade = !std::isfinite(v) ? ElementTrace::kBinadeNonFinite
                      : v == 0.0        ? ElementTrace::kBinadeZero
                                        : static_cast<std::int16_t>(std::ilogb(v));
    t.flags = static_cast<std::uint8_t>((c.numeric ? ElementTrace::kNumeric : 0) |
                                        (c.correctly_rounded ? ElementTrace::kCorrectlyRounded : 0) |
                                        (c.semantics != Semantics::agree ? ElementTrace::kSemanticDifference : 0) |
                                        (!c.within_budget ? ElementTrace::kBreach : 0) |
                                        (c.in_floor_region ? ElementTrace::kInFloorRegion : 0));
    elements.push_back(t);
  }
  if (c.correctly_rounded) ++correctly_rounded;
  if (c.semantics != Semantics::agree) {
    ++semantic_differences;
    if (c.semantic_violation) {
      ++semantic_violations;
      keep_first(semantic_failures, e);
    }
    keep_first(semantic, e);
  }
  if (c.numeric) {
    ++numeric;
    ulp_errors.push_back(static_cast<float>(c.ulp_error));
    if (c.ulp_error >= 1.0) ++off_by_one_ulp;
    max_ulp = std::max(max_ulp, c.ulp_error);
    if (c.in_floor_region) {
      ++in_floor_region;
      keep_worst(worst_in_floor, e);
    } else {
      ++above_floor;
      if (c.correctly_rounded) ++correctly_rounded_above_floor;
      max_ulp_above_floor = std::max(max_ulp_above_floor, c.ulp_error);
      keep_worst(worst, e);
    }
  }
  if (!c.within_budget) {
    ++budget_breaches;
    keep_first(breaches, e);
  }
}

double nearest_rank_percentile(std::vector<float> values, double q) {
  if (values.empty()) return 0.0;
  const auto rank = static_cast<std::size_t>(std::ceil(std::clamp(q, 0.0, 1.0) * static_cast<double>(values.size())));
  const std::size_t k = rank == 0 ? 0 : rank - 1;
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(k), values.end());
  return values[k];
}

double ErrorStats::percentile(double q) const { return nearest_rank_percentile(ulp_errors, q); }

void ErrorStats::merge(const ErrorStats& o) {
  count += o.count;
  numeric += o.numeric;
  correctly_rounded += o.correctly_rounded;
  off_by_one_ulp += o.off_by_one_ulp;
  in_floor_region += o.in_floor_region;
  above_floor += o.above_floor;
  correctly_rounded_above_floor += o.correctly_rounded_above_floor;
  budget_breaches += o.budget_breaches;
  semantic_differences += o.semantic_differences;
  semantic_violations += o.semantic_violations;
  max_ulp = std::max(max_ulp, o.max_ulp);
  ulp_errors.insert(ulp_errors.end(), o.ulp_errors.begin(), o.ulp_errors.end());
  elements.insert(elements.end(), o.elements.begin(), o.elements.end());
  max_ulp_above_floor = std::max(max_ulp_above_floor, o.max_ulp_above_floor);
  for (const ElementReport& e : o.worst) keep_worst(worst, e);
  for (const ElementReport& e : o.worst_in_floor) keep_worst(worst_in_floor, e);
  for (const ElementReport& e : o.breaches) keep_first(breaches, e);
  for (const ElementReport& e : o.semantic) keep_first(semantic, e);
  for (const ElementReport& e : o.semantic_failures) keep_first(semantic_failures, e);
}

}  // namespace ulpcheck
