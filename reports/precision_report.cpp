#include "ulpcheck/reports/precision_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <utility>

namespace ulpcheck {

namespace {

std::string hex_bits(Format f, std::uint32_t bits) {
  return info(f).storage_bits == 16 ? fmt::format("0x{:04x}", bits) : fmt::format("0x{:08x}", bits);
}

/// A value of an input/output format: 9 significant digits is enough for fp32 round trip.
std::string short_value(double v) { return fmt::format("{:.9g}", v); }

/// The exact value: hi to 17 digits, which identifies it to double precision.
std::string exact_value(const Exact& e) { return fmt::format("{:.17g}", e.value.hi); }

std::string budget_text(const Budget& b) {
  if (b.abs_floor == 0.0) return fmt::format("{} ULP", b.max_ulp);
  return fmt::format("{} ULP, abs floor 2^{} ({:.3g})", b.max_ulp, std::ilogb(b.abs_floor), b.abs_floor);
}

std::string percent(std::int64_t n, std::int64_t of) {
  return of ? fmt::format("{:.4f}% ({} of {})", 100.0 * static_cast<double>(n) / static_cast<double>(of), n, of)
            : "n/a";
}

void element_table(std::string& out, const Measurement& m, const std::vector<ElementReport>& rows) {
  const Format f = m.format;
  const bool gated = m.op->arity == 2;
  out += gated ? "| row | col | gate | up | got | exact | correctly rounded | ULP error | verdict |\n"
                 "|---:|---:|---|---|---|---|---|---:|---|\n"
               : "| row | col | input | got | exact | correctly rounded | ULP error | verdict |\n"
                 "|---:|---:|---|---|---|---|---:|---|\n";
  for (const ElementReport& e : rows) {
    const std::string x0 = fmt::format("`{}` {}", hex_bits(f, e.x0_bits), short_value(decode(f, e.x0_bits)));
    const std::string x1 = fmt::format("`{}` {}", hex_bits(f, e.x1_bits), short_value(decode(f, e.x1_bits)));
    const std::string got = fmt::format("`{}` {}", hex_bits(f, e.got_bits), short_value(decode(f, e.got_bits)));
    const std::string cr = fmt::format("`{}` {}", hex_bits(f, encode(f, e.exact.rounded)), short_value(e.exact.rounded));
    const std::string err = e.check.numeric ? fmt::format("{:.4g}", e.check.ulp_error) : "-";
    const std::string verdict = e.check.semantics != Semantics::agree
                                    ? fmt::format("{}{}", describe(e.check.semantics),
                                                  e.check.semantic_violation ? " (fails)" : " (reported)")
                                    : (e.check.within_budget ? "within budget" : "BREACH");
    if (gated)
      out += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", e.row, e.col, x0, x1, got,
                         exact_value(e.exact), cr, err, verdict);
    else
      out += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} |\n", e.row, e.col, x0, got,
                         exact_value(e.exact), cr, err, verdict);
  }
  out += '\n';
}

/// JSON has no NaN or inf; they become strings so that a reader sees what they were.
nlohmann::json number(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return v;
}

nlohmann::json element_json(const Measurement& m, const ElementReport& e) {
  const Format f = m.format;
  nlohmann::json j{{"row", e.row},
                   {"col", e.col},
                   {"x0_bits", hex_bits(f, e.x0_bits)},
                   {"x0", number(decode(f, e.x0_bits))},
                   {"got_bits", hex_bits(f, e.got_bits)},
                   {"got", number(decode(f, e.got_bits))},
                   {"exact_hi", number(e.exact.value.hi)},
                   {"exact_lo", number(e.exact.value.lo)},
                   {"correctly_rounded_bits", hex_bits(f, encode(f, e.exact.rounded))},
                   {"semantics", describe(e.check.semantics)},
                   {"semantic_violation", e.check.semantic_violation},
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

/// A binade as JSON: its exponent, or "zero" / "non-finite".
nlohmann::json binade_key(int b) {
  if (b == ElementTrace::kBinadeZero) return "zero";
  if (b == ElementTrace::kBinadeNonFinite) return "non-finite";
  return b;
}

int input_binade(Format f, std::uint32_t bits) {
  const double v = decode(f, bits);
  if (!std::isfinite(v)) return ElementTrace::kBinadeNonFinite;
  if (v == 0.0) return ElementTrace::kBinadeZero;
  return std::ilogb(v);
}

double nearest_rank(std::vector<float>& v, double q) {
  if (v.empty()) return 0.0;
  const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(v.size())));
  const std::size_t k = rank == 0 ? 0 : rank - 1;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

/// Rows of a binade table over the numeric elements, lowest binade first ("zero" first,
/// "non-finite" last).
nlohmann::json binade_table(const Measurement& m, bool by_input) {
  struct Acc {
    std::int64_t count = 0, not_cr = 0;
    double max_ulp = 0.0;
    std::vector<float> errors;
  };
  std::map<int, Acc> acc;
  for (const ElementTrace& t : m.stats.elements) {
    if (!t.has(ElementTrace::kNumeric)) continue;
    Acc& a = acc[by_input ? input_binade(m.format, t.x0_bits) : t.result_binade];
    ++a.count;
    if (!t.has(ElementTrace::kCorrectlyRounded)) ++a.not_cr;
    a.max_ulp = std::max(a.max_ulp, static_cast<double>(t.ulp_error));
    a.errors.push_back(t.ulp_error);
  }
  nlohmann::json rows = nlohmann::json::array();
  for (auto& [b, a] : acc)
    rows.push_back({{"binade", binade_key(b)},
                    {"count", a.count},
                    {"max_ulp", a.max_ulp},
                    {"p99_ulp", nearest_rank(a.errors, 0.99)},
                    {"fraction_not_correctly_rounded", static_cast<double>(a.not_cr) / static_cast<double>(a.count)}});
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

/// Counts of ULP errors in log-scale bins: [0, 2^-8), [2^k, 2^(k+1)) for k = -8..15, and
/// [2^16, inf).
nlohmann::json ulp_histogram(const ErrorStats& s) {
  constexpr int kLo = -8, kHi = 16;
  std::vector<std::int64_t> bins(static_cast<std::size_t>(kHi - kLo + 1), 0);
  for (float e : s.ulp_errors) {
    std::size_t i = 0;
    if (e >= std::ldexp(1.0f, kLo)) i = std::min<std::size_t>(bins.size() - 1, static_cast<std::size_t>(std::ilogb(e) - kLo + 1));
    ++bins[i];
  }
  nlohmann::json rows = nlohmann::json::array();
  for (std::size_t i = 0; i < bins.size(); ++i) {
    const double lo = i == 0 ? 0.0 : std::ldexp(1.0, kLo + static_cast<int>(i) - 1);
    const double hi = i + 1 == bins.size() ? HUGE_VAL : std::ldexp(1.0, kLo + static_cast<int>(i));
    rows.push_back({{"lo", lo}, {"hi", number(hi)}, {"count", bins[i]}});
  }
  return rows;
}

std::string binade_text(const nlohmann::json& b) {
  return b.is_string() ? b.get<std::string>() : fmt::format("2^{}", b.get<int>());
}

void binade_md(std::string& out, const nlohmann::json& rows, const char* what) {
  out += fmt::format("| {} binade | count | max ULP | p99 ULP | not correctly rounded |\n|---|---:|---:|---:|---:|\n", what);
  for (const auto& r : rows)
    out += fmt::format("| {} | {} | {:.4g} | {:.4g} | {:.4f}% |\n", binade_text(r["binade"]), r["count"].get<std::int64_t>(),
                       r["max_ulp"].get<double>(), r["p99_ulp"].get<double>(),
                       100.0 * r["fraction_not_correctly_rounded"].get<double>());
  out += '\n';
}

}  // namespace

std::string render_markdown(const Measurement& m, int level) {
  const ErrorStats& s = m.stats;
  const std::string h(static_cast<std::size_t>(std::clamp(level, 1, 5)), '#');
  const std::string h2 = h + "#";
  std::string out;
  if (level <= 1)
    out += fmt::format("# Precision report: {} / {} / {}\n\n", m.op->name, name(m.format), m.kernel->name());
  else
    out += fmt::format("{} {}{}\n\n", h, m.kernel->name(), m.params.values().empty() ? "" : ", " + m.params.label());
  out += fmt::format("- op: `{}`: {}\n", m.op->name, m.op->formula);
  if (!m.params.values().empty()) out += fmt::format("- parameters: {}\n", m.params.to_string());
  out += fmt::format("- kernel: `{}`: {}\n", m.kernel->name(), m.kernel->description());
  out += fmt::format("- inputs: {}, shape [{}, {}]\n", m.inputs, m.rows, m.op->arity * m.d);
  out += fmt::format("- oracle: {} special-value rules, {} double tier (proven bound), {} MPFR (Ziv's loop, "
                     "{} re-evaluations at higher precision)\n",
                     m.oracle.special, m.oracle.double_tier, m.oracle.mpfr_tier, m.oracle.mpfr_retries);
  out += fmt::format("- budget claimed by the kernel: {}{}\n\n", budget_text(m.budget),
                     m.op->arity == 2 && m.budget.abs_floor > 0 ? " (floor scaled by |up|)" : "");
  out += "| figure | value |\n|---|---|\n";
  out += fmt::format("| max ULP error, all outputs | {:.4g} |\n", s.max_ulp);
  out += fmt::format("| max ULP error, outside the floor region | {:.4g} |\n", s.max_ulp_above_floor);
  out += fmt::format("| correctly rounded | {} |\n", percent(s.correctly_rounded, s.count));
  out += fmt::format("| correctly rounded, outside the floor region | {} |\n",
                     percent(s.correctly_rounded_above_floor, s.above_floor));
  out += fmt::format("| off by >= 1 ULP | {} |\n", percent(s.off_by_one_ulp, s.count));
  out += fmt::format("| in the floor region (tail) | {} |\n", percent(s.in_floor_region, s.count));
  out += fmt::format("| semantic differences (NaN/inf) | {} ({} fail) |\n", s.semantic_differences, s.semantic_violations);
  out += fmt::format("| p50 / p99 / p99.9 ULP error | {:.4g} / {:.4g} / {:.4g} |\n", s.percentile(0.5), s.percentile(0.99),
                     s.percentile(0.999));
  out += fmt::format("| budget breaches | {} |\n", s.budget_breaches);
  out += fmt::format("| budget compliance | **{}** |\n", s.passes() ? "PASS" : "FAIL");
  out += fmt::format("| verdict | **{}** |\n\n", s.passes() ? "PASS" : "FAIL");

  if (!s.elements.empty()) {
    out += fmt::format("{} Where the error lives\n\n", h2);
    out += fmt::format("By binade (floor(log2 |v|)) of the {} and of the exact result, over outputs with a ULP figure.\n\n",
                       m.op->arity == 2 ? "gate" : "input x");
    binade_md(out, binade_table(m, true), m.op->arity == 2 ? "gate" : "x");
    binade_md(out, binade_table(m, false), "exact result");
    out += fmt::format("{} Special values\n\n", h2);
    const bool gated = m.op->arity == 2;
    out += gated ? "| gate | up | count | semantic differences | breaches |\n|---|---|---:|---:|---:|\n"
                 : "| x | count | semantic differences | breaches |\n|---|---:|---:|---:|\n";
    for (const auto& r : special_value_table(m)) {
      if (gated)
        out += fmt::format("| {} | {} | {} | {} | {} |\n", r["gate"].get<std::string>(), r["up"].get<std::string>(),
                           r["count"].get<std::int64_t>(), r["semantic_differences"].get<std::int64_t>(),
                           r["breaches"].get<std::int64_t>());
      else
        out += fmt::format("| {} | {} | {} | {} |\n", r["x"].get<std::string>(), r["count"].get<std::int64_t>(),
                           r["semantic_differences"].get<std::int64_t>(), r["breaches"].get<std::int64_t>());
    }
    out += '\n';
  }

  if (!s.worst.empty()) {
    out += fmt::format("{} Worst inputs (outside the floor region)\n\n", h2);
    element_table(out, m, s.worst);
  }
  if (!s.worst_in_floor.empty()) {
    out += fmt::format("{} Worst inputs in the floor region\n\n", h2);
    element_table(out, m, s.worst_in_floor);
  }
  if (!s.semantic.empty()) {
    out += fmt::format("{} Semantic differences (first {} of {})\n\n", h2, s.semantic.size(), s.semantic_differences);
    out += "Differences that need an infinite input are reported, not failed: t / (1 + e^-t) gives "
           "NaN for t = -inf where the limit is -0.\n\n";
    element_table(out, m, s.semantic);
  }
  if (!s.breaches.empty()) {
    out += fmt::format("{} Budget breaches (first {} of {})\n\n", h2, s.breaches.size(), s.budget_breaches);
    element_table(out, m, s.breaches);
  }
  return out;
}

nlohmann::json to_json(const Measurement& m) {
  const ErrorStats& s = m.stats;
  auto list = [&](const std::vector<ElementReport>& rows) {
    nlohmann::json a = nlohmann::json::array();
    for (const ElementReport& e : rows) a.push_back(element_json(m, e));
    return a;
  };
  nlohmann::json params = nlohmann::json::object();
  for (const auto& [k, v] : m.params.values()) params[k] = number(v);
  return {
      {"op", m.op->name},
      {"dtype", name(m.format)},
      {"kernel", m.kernel->name()},
      {"params", params},
      {"inputs", m.inputs},
      {"shape", {m.rows, m.op->arity * m.d}},
      {"budget", {{"max_ulp", m.budget.max_ulp}, {"abs_floor", m.budget.abs_floor}}},
      {"oracle", {{"special", m.oracle.special}, {"double_tier", m.oracle.double_tier},
                  {"mpfr_tier", m.oracle.mpfr_tier}, {"mpfr_retries", m.oracle.mpfr_retries}}},
      {"count", s.count},
      {"max_ulp", s.max_ulp},
      {"max_ulp_above_floor", s.max_ulp_above_floor},
      {"fraction_correctly_rounded", s.fraction(s.correctly_rounded)},
      {"fraction_correctly_rounded_above_floor",
       s.above_floor ? static_cast<double>(s.correctly_rounded_above_floor) / static_cast<double>(s.above_floor) : 1.0},
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
      {"binades_input", binade_table(m, true)},
      {"binades_result", binade_table(m, false)},
      {"special_values", special_value_table(m)},
      {"ulp_histogram", ulp_histogram(s)},
      {"worst", list(s.worst)},
      {"worst_in_floor", list(s.worst_in_floor)},
      {"semantic", list(s.semantic)},
      {"breaches", list(s.breaches)},
  };
}

}  // namespace ulpcheck
