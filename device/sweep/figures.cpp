#include <algorithm>
#include <cstring>

#include "ulpcheck/device/sweep/sweep.hpp"

namespace ulpcheck::sweep {

void keep_listed(ListKind kind, std::vector<Listed>& list) {
  const auto by_index = [](const Listed& a, const Listed& b) { return a.index < b.index; };
  const auto by_error = [](const Listed& a, const Listed& b) {
    return a.ulp != b.ulp ? a.ulp > b.ulp : a.index < b.index;
  };
  const std::size_t keep = std::min(kKeep, list.size());
  if (kind == kWorst || kind == kWorstInFloor)
    std::partial_sort(list.begin(), list.begin() + static_cast<std::ptrdiff_t>(keep), list.end(), by_error);
  else
    std::partial_sort(list.begin(), list.begin() + static_cast<std::ptrdiff_t>(keep), list.end(), by_index);
  list.resize(keep);
}

std::uint16_t prefix_bin(double ulp) {
  const float f = static_cast<float>(ulp);
  std::uint32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  return static_cast<std::uint16_t>(bits >> 16);
}

namespace {

using Distribution = std::vector<std::pair<std::uint16_t, std::int64_t>>;

/// Adds `n` to bin `bin` of a distribution sorted by bin.
void count_in(Distribution& d, std::uint16_t bin, std::int64_t n) {
  auto at = std::lower_bound(d.begin(), d.end(), bin, [](const auto& e, std::uint16_t b) { return e.first < b; });
  if (at != d.end() && at->first == bin)
    at->second += n;
  else
    d.insert(at, {bin, n});
}

void merge_distribution(Distribution& d, const Distribution& o) {
  Distribution out;
  out.reserve(d.size() + o.size());
  auto i = d.cbegin(), j = o.cbegin();
  while (i != d.cend() || j != o.cend()) {
    if (j == o.cend() || (i != d.cend() && i->first < j->first))
      out.push_back(*i++);
    else if (i == d.cend() || j->first < i->first)
      out.push_back(*j++);
    else
      out.push_back({i->first, (i++)->second + (j++)->second});
  }
  d = std::move(out);
}

void add_to(BucketFigures& b, const Outcome& o) {
  const double ulp = static_cast<float>(o.ulp);
  ++b.count;
  if (!o.has(Outcome::kCorrectlyRounded)) ++b.not_correctly_rounded;
  if (o.has(Outcome::kInFloor))
    ++b.in_floor;
  else
    b.max_ulp_above_floor = std::max(b.max_ulp_above_floor, ulp);
  if (o.has(Outcome::kBreach)) ++b.breaches;
  b.max_ulp = std::max(b.max_ulp, ulp);
}

void merge_into(BucketFigures& b, const BucketFigures& o) {
  b.count += o.count;
  b.not_correctly_rounded += o.not_correctly_rounded;
  b.in_floor += o.in_floor;
  b.breaches += o.breaches;
  b.max_ulp = std::max(b.max_ulp, o.max_ulp);
  b.max_ulp_above_floor = std::max(b.max_ulp_above_floor, o.max_ulp_above_floor);
}

}  // namespace

void Figures::add(std::int64_t index, std::uint32_t got_bits, const Outcome& o) {
  Totals& t = totals;
  ++t.count;
  const bool numeric = o.has(Outcome::kNumeric), floor = o.has(Outcome::kInFloor);
  if (o.has(Outcome::kCorrectlyRounded)) ++t.correctly_rounded;
  if (o.has(Outcome::kSemantic)) ++t.semantic_differences;
  if (o.has(Outcome::kViolation)) ++t.semantic_violations;
  if (o.has(Outcome::kBreach)) ++t.budget_breaches;
  SpecialCell& cell = special[static_cast<std::size_t>(o.x0_class * kValueClasses + o.x1_class)];
  ++cell.count;
  if (o.has(Outcome::kSemantic)) ++cell.semantic_differences;
  if (o.has(Outcome::kBreach)) ++cell.breaches;
  const Listed listed{index, got_bits, o.ulp};
  const auto list = [&](ListKind k) {
    lists[k].push_back(listed);
    keep_listed(k, lists[k]);
  };
  if (numeric) {
    ++t.numeric;
    if (o.ulp >= 1.0) ++t.off_by_one_ulp;
    ++(floor ? t.in_floor_region : t.above_floor);
    if (!floor && o.has(Outcome::kCorrectlyRounded)) ++t.correctly_rounded_above_floor;
    t.max_ulp = std::max(t.max_ulp, o.ulp);
    if (!floor) t.max_ulp_above_floor = std::max(t.max_ulp_above_floor, o.ulp);
    HistogramCell& h = histogram[static_cast<std::size_t>(histogram_bin(static_cast<float>(o.ulp)))];
    ++h.count;
    if (floor) ++h.in_floor;
    add_to(input[static_cast<std::size_t>(o.input_bucket)], o);
    add_to(result[static_cast<std::size_t>(o.result_bucket)], o);
    count_in(input_prefix[static_cast<std::size_t>(o.input_bucket)], prefix_bin(o.ulp), 1);
    count_in(result_prefix[static_cast<std::size_t>(o.result_bucket)], prefix_bin(o.ulp), 1);
    list(floor ? kWorstInFloor : kWorst);
  }
  if (o.has(Outcome::kBreach)) list(kBreaches);
  if (o.has(Outcome::kSemantic)) list(kSemantic);
  if (o.has(Outcome::kViolation)) list(kSemanticFailures);
}

void Figures::merge(const Figures& o) {
  Totals& t = totals;
  const Totals& u = o.totals;
  t.count += u.count;
  t.numeric += u.numeric;
  t.correctly_rounded += u.correctly_rounded;
  t.off_by_one_ulp += u.off_by_one_ulp;
  t.in_floor_region += u.in_floor_region;
  t.above_floor += u.above_floor;
  t.correctly_rounded_above_floor += u.correctly_rounded_above_floor;
  t.budget_breaches += u.budget_breaches;
  t.semantic_differences += u.semantic_differences;
  t.semantic_violations += u.semantic_violations;
  t.max_ulp = std::max(t.max_ulp, u.max_ulp);
  t.max_ulp_above_floor = std::max(t.max_ulp_above_floor, u.max_ulp_above_floor);
  for (std::size_t i = 0; i < input.size(); ++i) {
    merge_into(input[i], o.input[i]);
    merge_distribution(input_prefix[i], o.input_prefix[i]);
  }
  for (std::size_t i = 0; i < result.size(); ++i) {
    merge_into(result[i], o.result[i]);
    merge_distribution(result_prefix[i], o.result_prefix[i]);
  }
  for (std::size_t i = 0; i < special.size(); ++i) {
    special[i].count += o.special[i].count;
    special[i].semantic_differences += o.special[i].semantic_differences;
    special[i].breaches += o.special[i].breaches;
  }
  for (std::size_t i = 0; i < histogram.size(); ++i) {
    histogram[i].count += o.histogram[i].count;
    histogram[i].in_floor += o.histogram[i].in_floor;
  }
  for (int k = 0; k < kListKinds; ++k) {
    lists[k].insert(lists[k].end(), o.lists[k].begin(), o.lists[k].end());
    keep_listed(static_cast<ListKind>(k), lists[k]);
  }
  special_rules += o.special_rules;
  escalated += o.escalated;
}

}  // namespace ulpcheck::sweep
