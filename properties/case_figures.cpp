#include "ulpcheck/properties/case_figures.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <cstring>
#include <utility>

namespace ulpcheck {

namespace {

ValueClass value_class(Format f, double v) {
  if (std::isnan(v)) return ValueClass::nan;
  if (std::isinf(v)) return v > 0 ? ValueClass::plus_inf : ValueClass::minus_inf;
  if (v == 0.0) return ValueClass::zero;
  if (std::fabs(v) < std::ldexp(1.0, info(f).emin)) return ValueClass::subnormal;
  return ValueClass::normal;
}

double nearest_rank(std::vector<float>& v, double q) {
  if (v.empty()) return 0.0;
  const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(v.size())));
  const std::size_t k = rank == 0 ? 0 : rank - 1;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

using Distribution = std::vector<std::pair<std::uint16_t, std::int64_t>>;

/// The numeric elements of one binade (or of zero, or of non-finite values): their ULP
/// errors one by one (a sampled case), or counted by bins of their float figure (an
/// exhaustive one, sweep::Figures).
struct Bucket {
  std::int64_t count = 0, not_cr = 0, in_floor = 0, breaches = 0;
  double max_ulp = 0.0, max_ulp_above_floor = 0.0;
  std::vector<float> errors;
  Distribution bins;

  void add(const ElementTrace& t) {
    ++count;
    if (!t.has(ElementTrace::kCorrectlyRounded)) ++not_cr;
    if (t.has(ElementTrace::kInFloorRegion))
      ++in_floor;
    else
      max_ulp_above_floor = std::max(max_ulp_above_floor, static_cast<double>(t.ulp_error));
    if (t.has(ElementTrace::kBreach)) ++breaches;
    max_ulp = std::max(max_ulp, static_cast<double>(t.ulp_error));
    errors.push_back(t.ulp_error);
  }
  void absorb(const Bucket& b) {
    count += b.count;
    not_cr += b.not_cr;
    in_floor += b.in_floor;
    breaches += b.breaches;
    max_ulp = std::max(max_ulp, b.max_ulp);
    max_ulp_above_floor = std::max(max_ulp_above_floor, b.max_ulp_above_floor);
  }
  /// Whether most elements lie in the floor region: the tail, in a table of ranges.
  bool mostly_floor() const { return 2 * in_floor >= count; }
};

/// The 0.99-quantile of the members' ULP errors: exactly from the errors, or as the top of
/// the bin it lies in from the counts by bin (distribution_percentile).
double p99_of(const std::vector<const Bucket*>& members) {
  std::vector<float> errors;
  Distribution bins;
  for (const Bucket* b : members) {
    errors.insert(errors.end(), b->errors.begin(), b->errors.end());
    bins.insert(bins.end(), b->bins.begin(), b->bins.end());
  }
  if (!errors.empty()) return nearest_rank(errors, 0.99);
  return distribution_percentile(std::move(bins), 0.99);
}

ErrorFigures figures(const Bucket& b, const std::vector<const Bucket*>& members) {
  return {b.count, b.not_cr, b.in_floor, b.breaches, b.max_ulp, b.max_ulp_above_floor, p99_of(members)};
}

/// Binades from below the smallest fp32 subnormal (2^-149) to past the largest fp32
/// value, as vector indices.
constexpr int kBinadeOffset = 160, kBinadeSlots = 320;

/// The binade of the smallest subnormal of `f`: exact results below it round to 0 or to
/// that subnormal whatever the kernel does well, so they form one bucket.
int lowest_binade(Format f) { return info(f).emin - info(f).precision + 1; }

/// The buckets of one table: by sign and binade of the input, or by binade of |result|.
struct Buckets {
  std::array<std::vector<Bucket>, 2> by_sign{std::vector<Bucket>(kBinadeSlots), std::vector<Bucket>(kBinadeSlots)};
  Bucket zero, underflow, non_finite;
};

/// One non-empty binade in number-line order: sign -1 or +1 for inputs, 0 for |result|.
struct Item {
  int sign;
  int binade;
  Bucket* bucket;
};

Buckets fill_buckets(const Measurement& m, bool by_input) {
  Buckets b;
  for (const ElementTrace& t : m.stats.elements) {
    if (!t.has(ElementTrace::kNumeric)) continue;
    if (by_input) {
      const double v = decode(m.format, t.x0_bits);
      if (!std::isfinite(v))
        b.non_finite.add(t);
      else if (v == 0.0)
        b.zero.add(t);
      else
        b.by_sign[std::signbit(v) ? 0 : 1][static_cast<std::size_t>(std::ilogb(v) + kBinadeOffset)].add(t);
    } else if (t.result_binade == ElementTrace::kBinadeZero) {
      b.zero.add(t);
    } else if (t.result_binade == ElementTrace::kBinadeNonFinite) {
      b.non_finite.add(t);
    } else if (t.result_binade < lowest_binade(m.format)) {
      b.underflow.add(t);
    } else {
      b.by_sign[1][static_cast<std::size_t>(std::min(t.result_binade + kBinadeOffset, kBinadeSlots - 1))].add(t);
    }
  }
  return b;
}

/// The non-empty binades, negative inputs from the largest magnitude down, then positive
/// (or |result|) from the smallest up.
std::vector<Item> items_of(Buckets& b, bool by_input) {
  std::vector<Item> items;
  if (by_input)
    for (int i = kBinadeSlots - 1; i >= 0; --i)
      if (Bucket& x = b.by_sign[0][static_cast<std::size_t>(i)]; x.count) items.push_back({-1, i - kBinadeOffset, &x});
  for (int i = 0; i < kBinadeSlots; ++i)
    if (Bucket& x = b.by_sign[1][static_cast<std::size_t>(i)]; x.count)
      items.push_back({by_input ? 1 : 0, i - kBinadeOffset, &x});
  return items;
}

std::vector<BinadeRow> binade_rows(Buckets& b, bool by_input) {
  std::vector<BinadeRow> rows;
  auto special = [&](Bucket& x, RowKind kind) {
    if (x.count) rows.push_back({kind, 0, 0, figures(x, {&x})});
  };
  const std::vector<Item> items = items_of(b, by_input);
  // Number-line order: zero sits between the negative and the positive inputs.
  bool zero_done = !by_input;
  if (!by_input) {
    special(b.zero, RowKind::zero);
    special(b.underflow, RowKind::underflow);
  }
  for (const Item& it : items) {
    if (!zero_done && it.sign > 0) {
      special(b.zero, RowKind::zero);
      zero_done = true;
    }
    rows.push_back({RowKind::binade, it.sign, it.binade, figures(*it.bucket, {it.bucket})});
  }
  if (!zero_done) special(b.zero, RowKind::zero);
  special(b.non_finite, RowKind::non_finite);
  return rows;
}

/// The maxima outside the floor region of the binades of a range span at most a factor
/// of two, so that figures hovering around 0.5 or 1 (0.4999 and 0.5000001 alike) share a
/// range; all below 2^-20 count as 2^-20; exact (0) binades only join exact ones.
constexpr double kSpan = 2.0, kNegligible = 0x1p-20;

struct Range {
  std::size_t first, last;  ///< items
  Bucket total;             ///< without errors
  double low, high;         ///< least and largest of the binades' max_ulp_above_floor
  bool subnormal;           ///< every binade below the format's smallest normal
  int sign;

  bool alike(double max_low, double max_high) const {
    if ((high == 0.0) != (max_high == 0.0) || (low == 0.0) != (max_low == 0.0)) return false;
    return std::max(high, max_high) <= kSpan * std::max(kNegligible, std::min(low, max_low));
  }
  void take(const Range& next) {
    last = next.last;
    total.absorb(next.total);
    low = std::min(low, next.low);
    high = std::max(high, next.high);
    subnormal = subnormal && next.subnormal;
  }
};

std::string pow2(int e) { return fmt::format("2^{}", e); }

std::string range_label(const Range& r, const std::vector<Item>& items) {
  const int a = items[r.first].binade, b = items[r.last].binade;
  const std::string suffix = r.subnormal ? " subnormal" : "";
  if (r.sign < 0) return fmt::format("(-{}, -{}]{}", pow2(a + 1), pow2(b), suffix);
  return fmt::format("[{}, {}){}", pow2(a), pow2(b + 1), suffix);
}

std::vector<RangeRow> range_rows(Buckets& b, bool by_input, Format f, std::size_t max_rows) {
  std::vector<Item> items = items_of(b, by_input);
  std::vector<Range> ranges;
  // Ranges follow the maximum outside the floor region: elements in it have errors of any
  // size (that is what the floor allows), which would split ranges for no reason; the floor
  // region shows as ranges of its own (mostly_floor) and in the max ULP column.
  for (std::size_t i = 0; i < items.size(); ++i) {
    const Item& it = items[i];
    Range next{i, i, {}, it.bucket->max_ulp_above_floor, it.bucket->max_ulp_above_floor, it.binade < info(f).emin,
               it.sign};
    next.total.absorb(*it.bucket);
    if (!ranges.empty()) {
      Range& r = ranges.back();
      if (r.sign == next.sign && r.subnormal == next.subnormal &&
          r.total.mostly_floor() == next.total.mostly_floor() &&
          (r.total.breaches > 0) == (next.total.breaches > 0) && r.alike(next.low, next.high)) {
        r.take(next);
        continue;
      }
    }
    ranges.push_back(next);
  }
  // Too many ranges for a table: merge the most alike neighbours of one sign. A difference
  // in kind (floor region, breaches, subnormal) weighs more than any spread of maxima.
  auto cost = [](const Range& x, const Range& y) {
    const double spread = std::log2(std::max(kNegligible, std::max(x.high, y.high)) /
                                    std::max(kNegligible, std::min(x.low, y.low)));
    return spread + 64.0 * (x.total.mostly_floor() != y.total.mostly_floor()) +
           64.0 * ((x.total.breaches > 0) != (y.total.breaches > 0)) + 64.0 * (x.subnormal != y.subnormal);
  };
  while (ranges.size() > max_rows) {
    std::size_t best = ranges.size();
    double best_cost = HUGE_VAL;
    for (std::size_t i = 0; i + 1 < ranges.size(); ++i)
      if (ranges[i].sign == ranges[i + 1].sign)
        if (const double c = cost(ranges[i], ranges[i + 1]); c < best_cost) {
          best_cost = c;
          best = i;
        }
    if (best == ranges.size()) break;
    ranges[best].take(ranges[best + 1]);
    ranges.erase(ranges.begin() + static_cast<std::ptrdiff_t>(best) + 1);
  }

  std::vector<RangeRow> rows;
  auto special = [&](Bucket& x, std::string label, RowKind kind) {
    if (x.count) rows.push_back({kind, std::move(label), 0, 0, 0, figures(x, {&x})});
  };
  const char* zero_label = by_input ? "+-0" : "0";
  if (!by_input) {
    special(b.zero, zero_label, RowKind::zero);
    special(b.underflow, fmt::format("(0, 2^{}) below subnormal", lowest_binade(f)), RowKind::underflow);
  }
  bool zero_done = !by_input;
  for (const Range& r : ranges) {
    if (!zero_done && r.sign > 0) {
      special(b.zero, zero_label, RowKind::zero);
      zero_done = true;
    }
    std::vector<const Bucket*> members;
    for (std::size_t i = r.first; i <= r.last; ++i) members.push_back(items[i].bucket);
    const int a = items[r.first].binade, c = items[r.last].binade;
    rows.push_back({RowKind::binade, range_label(r, items), r.sign, std::min(a, c), std::max(a, c),
                    figures(r.total, members)});
  }
  if (!zero_done) special(b.zero, zero_label, RowKind::zero);
  special(b.non_finite, by_input ? "NaN, +-inf" : "non-finite", RowKind::non_finite);
  return rows;
}

std::vector<SpecialValueRow> special_value_table(const Measurement& m) {
  std::map<std::pair<ValueClass, ValueClass>, SpecialValueRow> rows;
  const bool gated = m.op->arity == 2;
  for (const ElementTrace& t : m.stats.elements) {
    const ValueClass a = value_class(m.format, decode(m.format, t.x0_bits));
    const ValueClass b = gated ? value_class(m.format, decode(m.format, t.x1_bits)) : ValueClass::nan;
    SpecialValueRow& row = rows.try_emplace({a, b}, SpecialValueRow{a, b}).first->second;
    ++row.count;
    if (t.has(ElementTrace::kSemanticDifference)) ++row.semantic_differences;
    if (t.has(ElementTrace::kBreach)) ++row.breaches;
  }
  std::vector<SpecialValueRow> out;
  for (auto& [key, row] : rows) out.push_back(row);
  return out;
}

/// The histogram's bins with their edges (sweep::histogram_bin numbers them), empty.
std::vector<HistogramBin> empty_histogram() {
  constexpr int kLo = -8;
  const std::size_t n = sweep::kHistogramBins;
  std::vector<HistogramBin> bins(n);
  for (std::size_t i = 0; i < n; ++i) {
    bins[i].lo = i == 0 ? 0.0 : std::ldexp(1.0, kLo + static_cast<int>(i) - 1);
    bins[i].hi = i + 1 == n ? HUGE_VAL : std::ldexp(1.0, kLo + static_cast<int>(i));
  }
  return bins;
}

std::vector<HistogramBin> ulp_histogram(const ErrorStats& s) {
  std::vector<HistogramBin> bins = empty_histogram();
  for (const ElementTrace& t : s.elements) {
    if (!t.has(ElementTrace::kNumeric)) continue;
    HistogramBin& b = bins[static_cast<std::size_t>(sweep::histogram_bin(t.ulp_error))];
    ++b.count;
    if (t.has(ElementTrace::kInFloorRegion)) ++b.in_floor_region;
  }
  return bins;
}

/// A sweep's bucket as a table bucket: its counts, and its errors by bin for percentiles.
Bucket bucket_of(const sweep::BucketFigures& b, const Distribution& bins) {
  Bucket out{b.count, b.not_correctly_rounded, b.in_floor, b.breaches, b.max_ulp, b.max_ulp_above_floor, {}, bins};
  return out;
}

Buckets sweep_buckets(const sweep::Figures& f, bool by_input) {
  Buckets b;
  if (by_input) {
    for (int i = 0; i < sweep::kBinadeSlots; ++i) {
      b.by_sign[0][static_cast<std::size_t>(i)] = bucket_of(f.input[static_cast<std::size_t>(i)], f.input_prefix[static_cast<std::size_t>(i)]);
      const auto pos = static_cast<std::size_t>(sweep::kBinadeSlots + i);
      b.by_sign[1][static_cast<std::size_t>(i)] = bucket_of(f.input[pos], f.input_prefix[pos]);
    }
    b.zero = bucket_of(f.input[sweep::kInputZero], f.input_prefix[sweep::kInputZero]);
    b.non_finite = bucket_of(f.input[sweep::kInputNonFinite], f.input_prefix[sweep::kInputNonFinite]);
  } else {
    for (int i = 0; i < sweep::kBinadeSlots; ++i)
      b.by_sign[1][static_cast<std::size_t>(i)] = bucket_of(f.result[static_cast<std::size_t>(i)], f.result_prefix[static_cast<std::size_t>(i)]);
    b.zero = bucket_of(f.result[sweep::kResultZero], f.result_prefix[sweep::kResultZero]);
    b.underflow = bucket_of(f.result[sweep::kResultUnderflow], f.result_prefix[sweep::kResultUnderflow]);
    b.non_finite = bucket_of(f.result[sweep::kResultNonFinite], f.result_prefix[sweep::kResultNonFinite]);
  }
  return b;
}

/// The tables shared by both kinds of case, from their buckets.
void fill_tables(CaseFigures& f, Buckets& by_input, Buckets& by_result, Format format) {
  constexpr std::size_t kRangeRows = 14;
  f.binades_input = binade_rows(by_input, true);
  f.binades_result = binade_rows(by_result, false);
  f.ranges_input = range_rows(by_input, true, format, kRangeRows);
  f.ranges_result = range_rows(by_result, false, format, kRangeRows);
}

}  // namespace

const char* name(ValueClass c) {
  static constexpr std::array kNames{"NaN", "+inf", "-inf", "zero", "subnormal", "normal"};
  return kNames[static_cast<std::size_t>(c)];
}

CaseFigures case_figures(const Measurement& m) {
  Buckets by_input = fill_buckets(m, true), by_result = fill_buckets(m, false);
  CaseFigures f;
  f.p50_ulp = m.stats.percentile(0.5);
  f.p99_ulp = m.stats.percentile(0.99);
  f.p99_9_ulp = m.stats.percentile(0.999);
  fill_tables(f, by_input, by_result, m.format);
  f.special_values = special_value_table(m);
  f.ulp_histogram = ulp_histogram(m.stats);
  return f;
}

double distribution_percentile(std::vector<std::pair<std::uint16_t, std::int64_t>> bins, double q) {
  std::sort(bins.begin(), bins.end());
  std::int64_t total = 0;
  for (const auto& [bin, n] : bins) total += n;
  if (total == 0) return 0.0;
  const auto rank = static_cast<std::int64_t>(std::ceil(std::clamp(q, 0.0, 1.0) * static_cast<double>(total)));
  const std::int64_t k = rank == 0 ? 0 : rank - 1;
  std::int64_t below = 0;
  for (const auto& [bin, n] : bins) {
    if (below + n > k) {
      if (bin == 0) return 0.0;
      const std::uint32_t top = (static_cast<std::uint32_t>(bin) << 16) | 0xffffu;
      float v;
      std::memcpy(&v, &top, sizeof v);
      return v;
    }
    below += n;
  }
  return 0.0;
}

CaseFigures case_figures(const sweep::Figures& sweep_figures, Format format) {
  Buckets by_input = sweep_buckets(sweep_figures, true), by_result = sweep_buckets(sweep_figures, false);
  CaseFigures f;
  std::vector<std::pair<std::uint16_t, std::int64_t>> all;
  for (const auto& bucket : sweep_figures.input_prefix) all.insert(all.end(), bucket.begin(), bucket.end());
  f.p50_ulp = distribution_percentile(all, 0.5);
  f.p99_ulp = distribution_percentile(all, 0.99);
  f.p99_9_ulp = distribution_percentile(all, 0.999);
  fill_tables(f, by_input, by_result, format);
  for (int x0 = 0; x0 < sweep::kValueClasses; ++x0)
    for (int x1 = 0; x1 < sweep::kValueClasses; ++x1) {
      const sweep::SpecialCell& c = sweep_figures.special[static_cast<std::size_t>(x0 * sweep::kValueClasses + x1)];
      if (c.count)
        f.special_values.push_back({static_cast<ValueClass>(x0), static_cast<ValueClass>(x1), c.count,
                                    c.semantic_differences, c.breaches});
    }
  f.ulp_histogram = empty_histogram();
  for (std::size_t i = 0; i < f.ulp_histogram.size(); ++i) {
    f.ulp_histogram[i].count = sweep_figures.histogram[i].count;
    f.ulp_histogram[i].in_floor_region = sweep_figures.histogram[i].in_floor;
  }
  return f;
}

CaseResult digest(Measurement m) {
  CaseFigures figures = case_figures(m);
  m.stats.elements = {};
  m.stats.ulp_errors = {};
  return {std::move(m), std::move(figures)};
}

}  // namespace ulpcheck
