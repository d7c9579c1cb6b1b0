#include "ulpcheck/reports/precision_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <utility>

#include "reports/report_text.hpp"

namespace ulpcheck {

using report_text::hex_bits;
using report_text::number;
using report_text::to_double;
using report_text::to_int;

namespace {


/// The input shape of each kernel call, in order: [[rows, arity * d], ...].
nlohmann::json calls_json(const Measurement& m) {
  nlohmann::json out = nlohmann::json::array();
  for (const Batch& b : m.batches) out.push_back({b.rows, m.op->arity * b.d});
  return out;
}

nlohmann::json element_json(const Measurement& m, const ElementReport& e) {
  const Format f = m.format;
  nlohmann::json j{{"batch", e.batch},
                   {"row", e.row},
                   {"col", e.col},
                   {"index", e.index},
                   {"x0_bits", hex_bits(f, e.x0_bits)},
                   {"x0", number(decode(f, e.x0_bits))},
                   {"got_bits", hex_bits(f, e.got_bits)},
                   {"got", number(decode(f, e.got_bits))},
                   {"exact_hi", number(e.exact.value.hi)},
                   {"exact_lo", number(e.exact.value.lo)},
                   {"correctly_rounded_bits", hex_bits(f, encode(f, e.exact.rounded))},
                   {"correctly_rounded", number(e.exact.rounded)},
                   {"semantics", describe(e.check.semantics)},
                   {"semantic_violation", e.check.semantic_violation},
                   {"in_floor_region", e.check.in_floor_region},
                   {"within_budget", e.check.within_budget}};
  if (m.op->arity == 2) {
    j["x1_bits"] = hex_bits(f, e.x1_bits);
    j["x1"] = number(decode(f, e.x1_bits));
  }
  if (e.check.numeric) j["ulp_error"] = e.check.ulp_error;
  return j;
}

/// Input classes of the special-value table.
constexpr std::array<const char*, 6> kClasses{"NaN", "+inf", "-inf", "zero", "subnormal", "normal"};

int value_class(Format f, double v) {
  if (std::isnan(v)) return 0;
  if (std::isinf(v)) return v > 0 ? 1 : 2;
  if (v == 0.0) return 3;
  if (std::fabs(v) < std::ldexp(1.0, info(f).emin)) return 4;
  return 5;
}

double nearest_rank(std::vector<float>& v, double q) {
  if (v.empty()) return 0.0;
  const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(v.size())));
  const std::size_t k = rank == 0 ? 0 : rank - 1;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

// --- where the error lives -------------------------------------------------------------

/// The numeric elements of one binade (or of zero, or of non-finite values).
struct Bucket {
  std::int64_t count = 0, not_cr = 0, in_floor = 0, breaches = 0;
  double max_ulp = 0.0, max_ulp_above_floor = 0.0;
  std::vector<float> errors;

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

nlohmann::json figures(const Bucket& b, std::vector<float>& errors) {
  return {{"count", b.count},
          {"max_ulp", b.max_ulp},
          {"max_ulp_above_floor", b.max_ulp_above_floor},
          {"p99_ulp", nearest_rank(errors, 0.99)},
          {"not_correctly_rounded", b.not_cr},
          {"in_floor_region", b.in_floor},
          {"breaches", b.breaches}};
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

const char* sign_text(int sign) { return sign < 0 ? "-" : "+"; }

nlohmann::json binade_rows(Buckets& b, bool by_input) {
  nlohmann::json rows = nlohmann::json::array();
  auto special = [&](Bucket& x, const char* key) {
    if (!x.count) return;
    nlohmann::json r = figures(x, x.errors);
    r["binade"] = key;
    rows.push_back(std::move(r));
  };
  const std::vector<Item> items = items_of(b, by_input);
  // Number-line order: zero sits between the negative and the positive inputs.
  bool zero_done = !by_input;
  if (!by_input) {
    special(b.zero, "zero");
    special(b.underflow, "underflow");
  }
  for (const Item& it : items) {
    if (!zero_done && it.sign > 0) {
      special(b.zero, "zero");
      zero_done = true;
    }
    nlohmann::json r = figures(*it.bucket, it.bucket->errors);
    r["binade"] = it.binade;
    if (by_input) r["sign"] = sign_text(it.sign);
    rows.push_back(std::move(r));
  }
  if (!zero_done) special(b.zero, "zero");
  special(b.non_finite, "non-finite");
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

nlohmann::json range_rows(Buckets& b, bool by_input, Format f, std::size_t max_rows) {
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

  nlohmann::json rows = nlohmann::json::array();
  auto special = [&](Bucket& x, const char* label, const char* key) {
    if (!x.count) return;
    nlohmann::json row = figures(x, x.errors);
    row["label"] = label;
    row["binade"] = key;
    rows.push_back(std::move(row));
  };
  const char* zero_label = by_input ? "+-0" : "0";
  const std::string underflow_label = fmt::format("(0, 2^{}) below subnormal", lowest_binade(f));
  if (!by_input) {
    special(b.zero, zero_label, "zero");
    special(b.underflow, underflow_label.c_str(), "underflow");
  }
  bool zero_done = !by_input;
  for (const Range& r : ranges) {
    if (!zero_done && r.sign > 0) {
      special(b.zero, zero_label, "zero");
      zero_done = true;
    }
    std::vector<float> errors;
    for (std::size_t i = r.first; i <= r.last; ++i)
      errors.insert(errors.end(), items[i].bucket->errors.begin(), items[i].bucket->errors.end());
    nlohmann::json row = figures(r.total, errors);
    row["label"] = range_label(r, items);
    const int a = items[r.first].binade, c = items[r.last].binade;
    row["binade_lo"] = std::min(a, c);
    row["binade_hi"] = std::max(a, c);
    if (by_input) row["sign"] = sign_text(r.sign);
    rows.push_back(std::move(row));
  }
  if (!zero_done) special(b.zero, zero_label, "zero");
  special(b.non_finite, by_input ? "NaN, +-inf" : "non-finite", "non-finite");
  return rows;
}

nlohmann::json special_value_table(const Measurement& m) {
  struct Acc {
    std::int64_t count = 0, semantic = 0, breaches = 0;
  };
  std::map<std::pair<int, int>, Acc> acc;
  const bool gated = m.op->arity == 2;
  for (const ElementTrace& t : m.stats.elements) {
    const int a = value_class(m.format, decode(m.format, t.x0_bits));
    const int b = gated ? value_class(m.format, decode(m.format, t.x1_bits)) : -1;
    Acc& x = acc[{a, b}];
    ++x.count;
    if (t.has(ElementTrace::kSemanticDifference)) ++x.semantic;
    if (t.has(ElementTrace::kBreach)) ++x.breaches;
  }
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& [k, x] : acc) {
    nlohmann::json r{{gated ? "gate" : "x", kClasses[static_cast<std::size_t>(k.first)]}};
    if (gated) r["up"] = kClasses[static_cast<std::size_t>(k.second)];
    r["count"] = x.count;
    r["semantic_differences"] = x.semantic;
    r["breaches"] = x.breaches;
    rows.push_back(r);
  }
  return rows;
}

/// Counts of ULP errors in log-scale bins: [0, 2^-8), [2^k, 2^(k+1)) for k = -8..31, and
/// [2^32, inf), with how many of each lie in the floor region. 2^32 is past any ULP error a
/// 24-bit format can have short of a wrong exponent.
nlohmann::json ulp_histogram(const ErrorStats& s) {
  constexpr int kLo = -8, kHi = 32;
  const std::size_t n = static_cast<std::size_t>(kHi - kLo + 2);
  std::vector<std::int64_t> bins(n, 0), floor(n, 0);
  for (const ElementTrace& t : s.elements) {
    if (!t.has(ElementTrace::kNumeric)) continue;
    const float e = t.ulp_error;
    std::size_t i = 0;
    if (e >= std::ldexp(1.0f, kLo)) i = std::min<std::size_t>(n - 1, static_cast<std::size_t>(std::ilogb(e) - kLo + 1));
    ++bins[i];
    if (t.has(ElementTrace::kInFloorRegion)) ++floor[i];
  }
  nlohmann::json rows = nlohmann::json::array();
  for (std::size_t i = 0; i < n; ++i) {
    const double lo = i == 0 ? 0.0 : std::ldexp(1.0, kLo + static_cast<int>(i) - 1);
    const double hi = i + 1 == n ? HUGE_VAL : std::ldexp(1.0, kLo + static_cast<int>(i));
    rows.push_back({{"lo", lo}, {"hi", number(hi)}, {"count", bins[i]}, {"in_floor_region", floor[i]}});
  }
  return rows;
}

// --- Markdown from a case object ---------------------------------------------------------

/// A value of an input/output format: 9 significant digits is enough for fp32 round trip.
std::string short_value(const nlohmann::json& v) { return fmt::format("{:.9g}", to_double(v)); }

}  // namespace

std::string report_text::markdown_element_table(bool gated, const nlohmann::json& rows, bool with_call) {
  std::string out;
  out += with_call ? "| call " : "";
  out += gated ? "| row | col | gate | up | got | exact | correctly rounded | ULP error | verdict |\n"
               : "| row | col | input | got | exact | correctly rounded | ULP error | verdict |\n";
  out += with_call ? "|---:" : "";
  out += gated ? "|---:|---:|---|---|---|---|---|---:|---|\n" : "|---:|---:|---|---|---|---|---:|---|\n";
  for (const nlohmann::json& e : rows) {
    auto value = [&](const char* bits, const char* v) {
      return fmt::format("`{}` {}", e.at(bits).get<std::string>(), short_value(e.at(v)));
    };
    const std::string err = e.contains("ulp_error") ? report_text::ulp(e["ulp_error"].get<double>()) : "-";
    const std::string& sem = e.at("semantics").get_ref<const std::string&>();
    const std::string verdict =
        sem != describe(Semantics::agree)
            ? fmt::format("{}{}", sem, e.at("semantic_violation").get<bool>() ? " (fails)" : " (reported)")
            : (e.at("within_budget").get<bool>() ? "within budget" : "BREACH");
    const std::string exact = fmt::format("{:.17g}", to_double(e.at("exact_hi")));
    if (with_call) out += fmt::format("| {} ", call_cell(e));
    if (gated)
      out += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", to_int(e.at("row")), to_int(e.at("col")),
                         value("x0_bits", "x0"), value("x1_bits", "x1"), value("got_bits", "got"), exact,
                         value("correctly_rounded_bits", "correctly_rounded"), err, verdict);
    else
      out += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} |\n", to_int(e.at("row")), to_int(e.at("col")),
                         value("x0_bits", "x0"), value("got_bits", "got"), exact,
                         value("correctly_rounded_bits", "correctly_rounded"), err, verdict);
  }
  out += '\n';
  return out;
}

namespace {

void element_table(std::string& out, const nlohmann::json& c, const nlohmann::json& rows) {
  out += report_text::markdown_element_table(c.at("arity") == 2, rows, report_text::calls_of(c).size() > 1);
}

void ranges_md(std::string& out, const nlohmann::json& rows, const char* what) {
  out += fmt::format("| {} | count | max ULP | max ULP outside floor | p99 ULP | not correctly rounded | in floor "
                     "region | breaches |\n|---|---:|---:|---:|---:|---:|---:|---:|\n",
                     what);
  for (const auto& r : rows) {
    const std::int64_t count = to_int(r.at("count")), floor = to_int(r.at("in_floor_region"));
    const std::string floor_text = floor == 0 ? "-" : floor == count ? "all" : report_text::percent(
                                                                                   static_cast<double>(floor) / count);
    const std::int64_t breaches = to_int(r.at("breaches"));
    out += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} |\n", r.at("label").get<std::string>(), count,
                       report_text::ulp(r.at("max_ulp").get<double>()),
                       report_text::ulp(r.at("max_ulp_above_floor").get<double>()),
                       report_text::ulp(r.at("p99_ulp").get<double>()),
                       report_text::percent(static_cast<double>(to_int(r.at("not_correctly_rounded"))) / count),
                       floor_text,
                       breaches ? fmt::format("**{}**", breaches) : "0");
  }
  out += '\n';
}

}  // namespace

nlohmann::json to_json(const Measurement& m) {
  const ErrorStats& s = m.stats;
  auto list = [&](const std::vector<ElementReport>& rows) {
    nlohmann::json a = nlohmann::json::array();
    for (const ElementReport& e : rows) a.push_back(element_json(m, e));
    return a;
  };
  nlohmann::json params = nlohmann::json::object();
  for (const auto& [k, v] : m.params.values()) params[k] = number(v);
  Buckets by_input = fill_buckets(m, true), by_result = fill_buckets(m, false);
  constexpr std::size_t kRangeRows = 14;
  return {
      {"op", m.op->name},
      {"formula", m.op->formula},
      {"arity", m.op->arity},
      {"dtype", name(m.format)},
      {"kernel", m.kernel->name()},
      {"kernel_description", m.kernel->description()},
      {"params", params},
      {"params_label", m.params.label()},
      {"inputs", m.inputs},
      {"shape", {m.rows, m.op->arity * m.d}},
      {"calls", calls_json(m)},
      {"budget", {{"max_ulp", m.budget.max_ulp}, {"abs_floor", m.budget.abs_floor}}},
      {"oracle", {{"special", m.oracle.special}, {"double_tier", m.oracle.double_tier},
                  {"mpfr_tier", m.oracle.mpfr_tier}, {"mpfr_retries", m.oracle.mpfr_retries}}},
      {"count", s.count},
      {"numeric", s.numeric},
      {"max_ulp", s.max_ulp},
      {"max_ulp_above_floor", s.max_ulp_above_floor},
      {"correctly_rounded", s.correctly_rounded},
      {"fraction_correctly_rounded", s.fraction(s.correctly_rounded)},
      {"above_floor", s.above_floor},
      {"correctly_rounded_above_floor", s.correctly_rounded_above_floor},
      {"fraction_correctly_rounded_above_floor",
       s.above_floor ? static_cast<double>(s.correctly_rounded_above_floor) / static_cast<double>(s.above_floor) : 1.0},
      {"off_by_one_ulp", s.off_by_one_ulp},
      {"fraction_off_by_one_ulp", s.fraction(s.off_by_one_ulp)},
      {"in_floor_region", s.in_floor_region},
      {"semantic_differences", s.semantic_differences},
      {"semantic_violations", s.semantic_violations},
      {"budget_breaches", s.budget_breaches},
      {"p50_ulp", s.percentile(0.5)},
      {"p99_ulp", s.percentile(0.99)},
      {"p99_9_ulp", s.percentile(0.999)},
      {"pass", s.passes()},
      {"verdict", s.passes() ? "PASS" : "FAIL"},
      {"binades_input", binade_rows(by_input, true)},
      {"binades_result", binade_rows(by_result, false)},
      {"ranges_input", range_rows(by_input, true, m.format, kRangeRows)},
      {"ranges_result", range_rows(by_result, false, m.format, kRangeRows)},
      {"special_values", special_value_table(m)},
      {"ulp_histogram", ulp_histogram(s)},
      {"worst", list(s.worst)},
      {"worst_in_floor", list(s.worst_in_floor)},
      {"semantic", list(s.semantic)},
      {"breaches", list(s.breaches)},
  };
}

std::string render_case_markdown(const nlohmann::json& c, int level, bool with_case_lines) {
  using report_text::percent_of;
  using report_text::ulp;
  const std::string h(static_cast<std::size_t>(std::clamp(level, 1, 5)), '#');
  const std::string h2 = h + "#";
  const std::string& label = c.at("params_label").get_ref<const std::string&>();
  const bool gated = c.at("arity") == 2;
  auto n = [&](const char* key) { return to_int(c.at(key)); };
  std::string out;
  if (level <= 1)
    out += fmt::format("# Precision report: {} / {} / {}\n\n", c.at("op").get<std::string>(),
                       c.at("dtype").get<std::string>(), c.at("kernel").get<std::string>());
  else
    out += fmt::format("{} {}{}\n\n", h, c.at("kernel").get<std::string>(),
                       with_case_lines && !label.empty() ? ", " + label : "");
  if (with_case_lines) {
    out += fmt::format("- op: `{}`: {}\n", c.at("op").get<std::string>(), c.at("formula").get<std::string>());
    if (!label.empty()) out += fmt::format("- parameters: {}\n", label);
  }
  out += fmt::format("- kernel: `{}`: {}\n", c.at("kernel").get<std::string>(),
                     c.at("kernel_description").get<std::string>());
  if (with_case_lines) {
    const nlohmann::json& o = c.at("oracle");
    out += fmt::format("- inputs: {}, {}\n", c.at("inputs").get<std::string>(), report_text::calls_text(c));
    out += fmt::format("- oracle: {} special-value rules, {} double tier (proven bound), {} MPFR (Ziv's loop, "
                       "{} re-evaluations at higher precision)\n",
                       to_int(o.at("special")), to_int(o.at("double_tier")), to_int(o.at("mpfr_tier")),
                       to_int(o.at("mpfr_retries")));
  }
  out += fmt::format("- budget claimed by the kernel: {}{}\n\n", report_text::budget(c.at("budget")),
                     gated && to_double(c.at("budget").at("abs_floor")) > 0 ? " (floor scaled by |up|)" : "");
  const bool pass = c.at("pass").get<bool>();
  out += "| figure | value |\n|---|---|\n";
  out += fmt::format("| max ULP error, all outputs | {} |\n", ulp(to_double(c.at("max_ulp"))));
  out += fmt::format("| max ULP error, outside the floor region | {} |\n", ulp(to_double(c.at("max_ulp_above_floor"))));
  out += fmt::format("| correctly rounded | {} |\n", percent_of(n("correctly_rounded"), n("count")));
  out += fmt::format("| correctly rounded, outside the floor region | {} |\n",
                     percent_of(n("correctly_rounded_above_floor"), n("above_floor")));
  out += fmt::format("| off by >= 1 ULP | {} |\n", percent_of(n("off_by_one_ulp"), n("count")));
  out += fmt::format("| in the floor region (tail) | {} |\n", percent_of(n("in_floor_region"), n("count")));
  out += fmt::format("| semantic differences (NaN/inf) | {} ({} fail) |\n", n("semantic_differences"),
                     n("semantic_violations"));
  out += fmt::format("| p50 / p99 / p99.9 ULP error | {} / {} / {} |\n", ulp(to_double(c.at("p50_ulp"))),
                     ulp(to_double(c.at("p99_ulp"))), ulp(to_double(c.at("p99_9_ulp"))));
  out += fmt::format("| budget breaches | {} |\n", n("budget_breaches"));
  out += fmt::format("| budget compliance | **{}** |\n", pass ? "PASS" : "FAIL");
  out += fmt::format("| verdict | **{}** |\n\n", pass ? "PASS" : "FAIL");

  if (!c.at("ranges_input").empty() || !c.at("ranges_result").empty()) {
    out += fmt::format("{} Where the error lives\n\n", h2);
    out += fmt::format(
        "Outputs with a ULP figure, by ranges of the {} and of the exact result (intervals of powers of two, "
        "binades of like error merged; the JSON report has every binade).\n\n",
        gated ? "gate" : "input x");
    ranges_md(out, c.at("ranges_input"), gated ? "gate" : "x");
    ranges_md(out, c.at("ranges_result"), "|exact result|");
  }
  if (!c.at("special_values").empty()) {
    out += fmt::format("{} Special values\n\n", h2);
    out += gated ? "| gate | up | count | semantic differences | breaches |\n|---|---|---:|---:|---:|\n"
                 : "| x | count | semantic differences | breaches |\n|---|---:|---:|---:|\n";
    for (const auto& r : c.at("special_values")) {
      if (gated)
        out += fmt::format("| {} | {} | {} | {} | {} |\n", r.at("gate").get<std::string>(), r.at("up").get<std::string>(),
                           to_int(r.at("count")), to_int(r.at("semantic_differences")), to_int(r.at("breaches")));
      else
        out += fmt::format("| {} | {} | {} | {} |\n", r.at("x").get<std::string>(), to_int(r.at("count")),
                           to_int(r.at("semantic_differences")), to_int(r.at("breaches")));
    }
    out += '\n';
  }
  if (!c.at("worst").empty()) {
    out += fmt::format("{} Worst inputs (outside the floor region)\n\n", h2);
    element_table(out, c, c.at("worst"));
  }
  if (!c.at("worst_in_floor").empty()) {
    out += fmt::format("{} Worst inputs in the floor region\n\n", h2);
    element_table(out, c, c.at("worst_in_floor"));
  }
  if (!c.at("semantic").empty()) {
    out += fmt::format("{} Semantic differences (first {} of {})\n\n", h2, c.at("semantic").size(),
                       n("semantic_differences"));
    out += "Differences that need an infinite input are reported, not failed: t / (1 + e^-t) gives "
           "NaN for t = -inf where the limit is -0.\n\n";
    element_table(out, c, c.at("semantic"));
  }
  if (!c.at("breaches").empty()) {
    out += fmt::format("{} Budget breaches (first {} of {})\n\n", h2, c.at("breaches").size(), n("budget_breaches"));
    element_table(out, c, c.at("breaches"));
  }
  return out;
}

std::string render_markdown(const Measurement& m, int level) { return render_case_markdown(to_json(m), level); }

}  // namespace ulpcheck
