#include "ulpcheck/reports/precision_report.hpp"

#include <fmt/format.h>

#include <cmath>

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

}  // namespace

std::string render_markdown(const Measurement& m) {
  const ErrorStats& s = m.stats;
  std::string out;
  out += fmt::format("# Precision report: {} / {} / {}\n\n", m.op->name, name(m.format), m.kernel->name());
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
  out += fmt::format("| budget breaches | {} |\n", s.budget_breaches);
  out += fmt::format("| verdict | **{}** |\n\n", s.passes() ? "PASS" : "FAIL");

  if (!s.worst.empty()) {
    out += "## Worst inputs (outside the floor region)\n\n";
    element_table(out, m, s.worst);
  }
  if (!s.worst_in_floor.empty()) {
    out += "## Worst inputs in the floor region\n\n";
    element_table(out, m, s.worst_in_floor);
  }
  if (!s.semantic.empty()) {
    out += fmt::format("## Semantic differences (first {} of {})\n\n", s.semantic.size(), s.semantic_differences);
    out += "Differences that need an infinite input are reported, not failed: t / (1 + e^-t) gives "
           "NaN for t = -inf where the limit is -0.\n\n";
    element_table(out, m, s.semantic);
  }
  if (!s.breaches.empty()) {
    out += fmt::format("## Budget breaches (first {} of {})\n\n", s.breaches.size(), s.budget_breaches);
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
      {"pass", s.passes()},
      {"worst", list(s.worst)},
      {"worst_in_floor", list(s.worst_in_floor)},
      {"semantic", list(s.semantic)},
      {"breaches", list(s.breaches)},
  };
}

}  // namespace ulpcheck
