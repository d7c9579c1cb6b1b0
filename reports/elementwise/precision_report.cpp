#include "ulpcheck/reports/elementwise/precision_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <utility>

#include "reports/elementwise/case_document.hpp"
#include "reports/elementwise/case_tables.hpp"
#include "reports/report_text.hpp"
#include "ulpcheck/reports/elementwise/approximation_report.hpp"

namespace ulpcheck {

// The report's number and bit formatting (report_text.hpp).
using namespace report_text;

namespace {


/// The input shape of each kernel call, in order: [[rows, arity * d], ...].
std::vector<case_document::Shape> case_doc_calls(const Measurement& m) {
  std::vector<case_document::Shape> out;
  for (const Batch& b : m.batches) out.push_back({b.rows, m.op->arity * b.d});
  return out;
}

case_document::Element case_doc_element(const Measurement& m, const ElementReport& e) {
  const Format f = m.format;
  case_document::Element out;
  out.batch = static_cast<std::int64_t>(e.batch);
  out.row = e.row;
  out.col = e.col;
  out.index = e.index;
  out.x0_bits = hex_bits(f, e.x0_bits);
  out.x0 = {decode(f, e.x0_bits)};
  if (m.op->arity == 2) {
    out.x1_bits = hex_bits(f, e.x1_bits);
    out.x1 = {decode(f, e.x1_bits)};
  }
  out.got_bits = hex_bits(f, e.got_bits);
  out.got = {decode(f, e.got_bits)};
  out.exact_hi = {e.exact.value.hi};
  out.exact_lo = {e.exact.value.lo};
  out.correctly_rounded_bits = hex_bits(f, encode(f, e.exact.rounded));
  out.correctly_rounded = {e.exact.rounded};
  out.semantics = describe(e.check.semantics);
  out.semantic_violation = e.check.semantic_violation;
  out.in_floor_region = e.check.in_floor_region;
  out.within_budget = e.check.within_budget;
  if (e.check.numeric) out.ulp_error = case_document::Real{e.check.ulp_error};
  return out;
}

const char* case_doc_region(RowKind kind) {
  switch (kind) {
    case RowKind::zero: return "zero";
    case RowKind::underflow: return "underflow";
    case RowKind::non_finite: return "non-finite";
    case RowKind::binade: break;
  }
  return "";
}

/// Input tables give binade rows a sign; result tables (sign 0) do not.
std::string case_doc_sign(int sign) { return sign < 0 ? "-" : sign > 0 ? "+" : ""; }

case_document::Figures case_doc_figures(const ErrorFigures& f) {
  return {f.count, {f.max_ulp}, {f.max_ulp_above_floor}, {f.p99_ulp}, f.not_correctly_rounded, f.in_floor_region,
          f.breaches};
}

std::vector<case_document::BinadeRow> case_doc_binades(const std::vector<BinadeRow>& rows) {
  std::vector<case_document::BinadeRow> out;
  for (const BinadeRow& row : rows) {
    const bool binade = row.kind == RowKind::binade;
    out.push_back({case_doc_figures(row.figures), case_doc_region(row.kind), binade ? row.binade : 0,
                   binade ? case_doc_sign(row.sign) : ""});
  }
  return out;
}

std::vector<case_document::RangeRow> case_doc_ranges(const std::vector<RangeRow>& rows) {
  std::vector<case_document::RangeRow> out;
  for (const RangeRow& row : rows) {
    const bool binade = row.kind == RowKind::binade;
    out.push_back({case_doc_figures(row.figures), row.label, case_doc_region(row.kind), binade ? row.binade_lo : 0,
                   binade ? row.binade_hi : 0, binade ? case_doc_sign(row.sign) : ""});
  }
  return out;
}

std::vector<case_document::SpecialValue> case_doc_special_values(const std::vector<SpecialValueRow>& rows,
                                                                 bool gated) {
  std::vector<case_document::SpecialValue> out;
  for (const SpecialValueRow& row : rows)
    out.push_back({gated, name(row.x0), gated ? name(row.x1) : "", row.count, row.semantic_differences, row.breaches});
  return out;
}

std::vector<case_document::HistogramBin> case_doc_histogram(const std::vector<HistogramBin>& bins) {
  std::vector<case_document::HistogramBin> out;
  for (const HistogramBin& b : bins) out.push_back({{b.lo}, {b.hi}, b.count, b.in_floor_region});
  return out;
}

}  // namespace

// --- tables and Markdown from a case object -----------------------------------------------

namespace case_tables {

using report_table::Cell;
using report_table::Row;
using report_table::Table;
using report_table::right;

Table figures(const case_document::Case& c) {
  using report_table::html_only;
  using report_table::markdown_only;
  using report_table::Shown;
  Table t({{"figure"}, {"value", report_table::Align::left, report_table::Align::right}});
  t.html_class = "figures";
  t.scroll = false;
  auto row = [&](Cell name, std::string value, bool big = false, Shown shown = Shown::both) {
    Cell v(std::move(value));
    if (big) v.html_class = "big";
    t.rows.push_back({{std::move(name), std::move(v)}, false, shown});
  };
  const std::string percentiles = fmt::format("{} / {} / {}", ulp(c.p50_ulp.value), ulp(c.p99_ulp.value),
                                              ulp(c.p99_9_ulp.value));
  row("max ULP error, all outputs", ulp(c.max_ulp.value), true);
  row("max ULP error, outside the floor region", ulp(c.max_ulp_above_floor.value), true);
  row("correctly rounded", percent_of(c.correctly_rounded, c.count));
  row("correctly rounded, outside the floor region", percent_of(c.correctly_rounded_above_floor, c.above_floor));
  row({"off by ", markdown_only(">="), html_only("&ge;"), " 1 ULP"}, percent_of(c.off_by_one_ulp, c.count));
  row("in the floor region (tail)", percent_of(c.in_floor_region, c.count));
  row("p50 / p99 / p99.9 ULP error", percentiles, false, Shown::html);
  row("semantic differences (NaN/inf)", fmt::format("{} ({} fail)", c.semantic_differences, c.semantic_violations));
  row("p50 / p99 / p99.9 ULP error", percentiles, false, Shown::markdown);
  row("budget breaches", std::to_string(c.budget_breaches), c.budget_breaches > 0);
  const std::string bold = fmt::format("**{}**", c.pass ? "PASS" : "FAIL");
  t.rows.push_back({{"budget compliance", Cell{markdown_only(bold), html_only(report_table::badge_html(c.pass))}}});
  t.rows.push_back({{"verdict", markdown_only(bold)}, false, Shown::markdown});
  return t;
}

Table summary(const std::vector<case_document::Case>& cases) {
  Table t{{{"dtype"}, {"op"}, {"params"}, {"kernel"}, {"budget"}, right("max ULP"), right("max ULP outside floor"),
           right("correctly rounded"), right("p99 ULP"), right("breaches"), {"verdict"}}};
  t.scroll_style = "margin-top:10px";
  std::size_t i = 0;
  for (const case_document::Case& c : cases) {
    const std::int64_t b = c.budget_breaches, s = c.semantic_violations;
    Cell breaches = b ? report_table::flag(std::to_string(b)) : "0";
    if (s) breaches.spans.insert(breaches.spans.end(), {{" + "}, report_table::flag(std::to_string(s)), {" NaN/inf"}});
    t.rows.push_back({{c.dtype, c.op, c.params_label.empty() ? "-" : c.params_label,
                       report_table::Span{c.kernel, report_table::Style::name, fmt::format("#case-{}", ++i)},
                       report_table::math(report_text::budget_short(c.budget)), ulp(c.max_ulp.value),
                       ulp(c.max_ulp_above_floor.value), percent(c.fraction_correctly_rounded.value),
                       ulp(c.p99_ulp.value), std::move(breaches), report_table::verdict(c.pass)},
                      !c.pass});
  }
  return t;
}

Table ranges(const std::vector<case_document::RangeRow>& rows, const std::string& what) {
  Table t{{{what}, right("count"), right("max ULP"), right("max ULP outside floor"), right("p99 ULP"),
           right("not correctly rounded"), right("in floor region"), right("breaches")}};
  for (const case_document::RangeRow& r : rows) {
    const case_document::Figures& f = r.figures;
    const std::int64_t count = f.count, floor = f.in_floor_region, breaches = f.breaches;
    const Cell floor_cell = floor == 0       ? Cell(report_table::dash())
                            : floor == count ? Cell("all")
                                             : Cell(percent(static_cast<double>(floor) / static_cast<double>(count)));
    t.rows.push_back({{report_table::math(r.label), std::to_string(count), ulp(f.max_ulp.value),
                       ulp(f.max_ulp_above_floor.value), ulp(f.p99_ulp.value),
                       percent(static_cast<double>(f.not_correctly_rounded) / static_cast<double>(count)), floor_cell,
                       breaches ? Cell(report_table::flag(std::to_string(breaches))) : Cell("0")},
                      breaches != 0});
  }
  return t;
}

Table special_values(const case_document::Case& c) {
  const bool gated = c.arity == 2;
  Table t;
  t.scroll = false;
  if (gated) t.columns = {{"gate"}, {"up"}};
  else t.columns = {{"x"}};
  t.columns.insert(t.columns.end(), {right("count"), right("semantic differences"), right("breaches")});
  for (const case_document::SpecialValue& r : c.special_values) {
    Row row;
    if (gated) row.cells = {r.x0, r.x1};
    else row.cells = {r.x0};
    for (const std::int64_t k : {r.count, r.semantic_differences, r.breaches}) row.cells.emplace_back(std::to_string(k));
    t.rows.push_back(std::move(row));
  }
  return t;
}

Table elements(bool gated, const std::vector<case_document::Element>& rows, bool with_call) {
  Table t;
  t.html_class = "elements";
  if (with_call) t.columns.push_back(right("call"));
  t.columns.insert(t.columns.end(), {right("row"), right("col")});
  if (gated) t.columns.insert(t.columns.end(), {{"gate"}, {"up"}});
  else t.columns.push_back({"input"});
  t.columns.insert(t.columns.end(), {{"got"}, {"exact"}, {"correctly rounded"}, right("ULP error"), {"verdict"}});
  for (const case_document::Element& e : rows) {
    // A value of an input/output format: 9 significant digits is enough for fp32 round trip.
    auto value = [&](const std::string& bits, const Number& v) {
      return Cell{report_table::code(bits), report_table::gap(), {fmt::format("{:.9g}", v.value)}};
    };
    const std::string& sem = e.semantics;
    const bool violation = e.semantic_violation, within = e.within_budget;
    Row row{{}, !within || violation};
    if (with_call) row.cells.emplace_back(e.batch ? std::to_string(*e.batch + 1) : "-");
    row.cells.insert(row.cells.end(), {std::to_string(e.row), std::to_string(e.col), value(e.x0_bits, e.x0)});
    if (gated) row.cells.push_back(value(e.x1_bits.value_or(""), e.x1));
    row.cells.insert(row.cells.end(),
                     {value(e.got_bits, e.got), fmt::format("{:.17g}", e.exact_hi.value),
                      value(e.correctly_rounded_bits, e.correctly_rounded),
                      e.ulp_error ? Cell(ulp(e.ulp_error->value)) : Cell(report_table::dash()),
                      sem != describe(Semantics::agree) ? Cell(sem + (violation ? " (fails)" : " (reported)"))
                      : within                          ? Cell("within budget")
                                                        : Cell(report_table::alarm("BREACH"))});
    t.rows.push_back(std::move(row));
  }
  return t;
}

Table elements_of(const case_document::Case& c, const std::vector<case_document::Element>& rows) {
  return elements(c.arity == 2, rows, case_document::calls_of(c).size() > 1);
}

}  // namespace case_tables

namespace {

void case_md_elements(std::string& out, const case_document::Case& c,
                      const std::vector<case_document::Element>& rows) {
  out += report_table::render_markdown(case_tables::elements_of(c, rows));
}

void case_md_ranges(std::string& out, const std::vector<case_document::RangeRow>& rows, const char* what) {
  out += report_table::render_markdown(case_tables::ranges(rows, what));
}

}  // namespace

nlohmann::json to_json(const Measurement& m) { return to_json(CaseResult{m, case_figures(m)}); }

namespace {

case_document::Case case_document_of(const CaseResult& r) {
  const Measurement& m = r.measurement;
  const CaseFigures& fig = r.figures;
  const ErrorStats& s = m.stats;
  auto list = [&](const std::vector<ElementReport>& rows) {
    std::vector<case_document::Element> a;
    for (const ElementReport& e : rows) a.push_back(case_doc_element(m, e));
    return a;
  };
  using case_document::Real;
  case_document::Case c;
  c.op = m.op->name;
  c.formula = m.op->formula;
  c.arity = m.op->arity;
  c.dtype = name(m.format);
  c.kernel = m.kernel->name();
  c.kernel_description = m.kernel->description();
  for (const auto& [k, v] : m.params.values()) c.params[k] = {v};
  c.params_label = m.params.label();
  c.inputs = m.inputs;
  c.shape = {m.rows, m.op->arity * m.d};
  c.calls = case_doc_calls(m);
  c.budget = {{m.budget.max_ulp}, {m.budget.abs_floor}};
  c.oracle = {m.oracle.special, m.oracle.double_tier, m.oracle.mpfr_tier, m.oracle.mpfr_retries};
  c.count = s.count;
  c.numeric = s.numeric;
  c.max_ulp = {s.max_ulp};
  c.max_ulp_above_floor = {s.max_ulp_above_floor};
  c.correctly_rounded = s.correctly_rounded;
  c.fraction_correctly_rounded = {s.fraction(s.correctly_rounded)};
  c.above_floor = s.above_floor;
  c.correctly_rounded_above_floor = s.correctly_rounded_above_floor;
  c.fraction_correctly_rounded_above_floor = {
      s.above_floor ? static_cast<double>(s.correctly_rounded_above_floor) / static_cast<double>(s.above_floor) : 1.0};
  c.off_by_one_ulp = s.off_by_one_ulp;
  c.fraction_off_by_one_ulp = {s.fraction(s.off_by_one_ulp)};
  c.in_floor_region = s.in_floor_region;
  c.semantic_differences = s.semantic_differences;
  c.semantic_violations = s.semantic_violations;
  c.budget_breaches = s.budget_breaches;
  c.p50_ulp = {fig.p50_ulp};
  c.p99_ulp = {fig.p99_ulp};
  c.p99_9_ulp = {fig.p99_9_ulp};
  c.pass = s.passes();
  c.verdict = s.passes() ? "PASS" : "FAIL";
  c.binades_input = case_doc_binades(fig.binades_input);
  c.binades_result = case_doc_binades(fig.binades_result);
  c.ranges_input = case_doc_ranges(fig.ranges_input);
  c.ranges_result = case_doc_ranges(fig.ranges_result);
  c.special_values = case_doc_special_values(fig.special_values, m.op->arity == 2);
  c.ulp_histogram = case_doc_histogram(fig.ulp_histogram);
  c.worst = list(s.worst);
  c.worst_in_floor = list(s.worst_in_floor);
  c.semantic = list(s.semantic);
  c.breaches = list(s.breaches);
  return c;
}

}  // namespace

nlohmann::json to_json(const CaseResult& r) { return case_document_of(r); }

void section_parts(DocumentParts& parts, const ElementwiseReport& report) {
  for (const CaseResult& c : report.cases) parts.cases.push_back(to_json(c));
  for (const ApproximationSection& s : report.approximations) {
    std::vector<nlohmann::json> dtypes;
    for (const ApproximationFigures& f : s.dtypes) dtypes.push_back(approximation_dtype_json(*s.exact, f));
    parts.approximations.push_back(approximation_section_json(*s.exact, *s.approx, s.real, std::move(dtypes)));
  }
}

std::string render_case_markdown(const nlohmann::json& case_json, int level, bool with_case_lines) {
  using report_text::percent_of;
  using report_text::ulp;
  const auto c = case_json.get<case_document::Case>();
  const std::string h(static_cast<std::size_t>(std::clamp(level, 1, 5)), '#');
  const std::string h2 = h + "#";
  const std::string& label = c.params_label;
  const bool gated = c.arity == 2;
  std::string out;
  if (level <= 1)
    out += fmt::format("# Precision report: {} / {} / {}\n\n", c.op, c.dtype, c.kernel);
  else
    out += fmt::format("{} {}{}\n\n", h, c.kernel, with_case_lines && !label.empty() ? ", " + label : "");
  if (with_case_lines) {
    out += fmt::format("- op: `{}`: {}\n", c.op, c.formula);
    if (!label.empty()) out += fmt::format("- parameters: {}\n", label);
  }
  out += fmt::format("- kernel: `{}`: {}\n", c.kernel, c.kernel_description);
  if (with_case_lines) {
    const case_document::Oracle& o = c.oracle;
    out += fmt::format("- inputs: {}, {}\n", c.inputs, case_document::calls_text(c));
    out += fmt::format("- oracle: {} special-value rules, {} double tier (proven bound), {} MPFR (Ziv's loop, "
                       "{} re-evaluations at higher precision)\n",
                       o.special, o.double_tier, o.mpfr_tier, o.mpfr_retries);
  }
  out += fmt::format("- budget claimed by the kernel: {}{}\n\n", report_text::budget(c.budget),
                     gated && c.budget.abs_floor.value > 0 ? " (floor scaled by |up|)" : "");
  out += report_table::render_markdown(case_tables::figures(c));

  if (!c.ranges_input.empty() || !c.ranges_result.empty()) {
    out += fmt::format("{} Where the error lives\n\n", h2);
    out += fmt::format(
        "Outputs with a ULP figure, by ranges of the {} and of the exact result (intervals of powers of two, "
        "binades of like error merged; the JSON report has every binade).\n\n",
        gated ? "gate" : "input x");
    case_md_ranges(out, c.ranges_input, gated ? "gate" : "x");
    case_md_ranges(out, c.ranges_result, "|exact result|");
  }
  if (!c.special_values.empty()) {
    out += fmt::format("{} Special values\n\n", h2);
    out += report_table::render_markdown(case_tables::special_values(c));
  }
  if (!c.worst.empty()) {
    out += fmt::format("{} Worst inputs (outside the floor region)\n\n", h2);
    case_md_elements(out, c, c.worst);
  }
  if (!c.worst_in_floor.empty()) {
    out += fmt::format("{} Worst inputs in the floor region\n\n", h2);
    case_md_elements(out, c, c.worst_in_floor);
  }
  if (!c.semantic.empty()) {
    out += fmt::format("{} Semantic differences (first {} of {})\n\n", h2, c.semantic.size(),
                       c.semantic_differences);
    out += "Differences that need an infinite input are reported, not failed: t / (1 + e^-t) gives "
           "NaN for t = -inf where the limit is -0.\n\n";
    case_md_elements(out, c, c.semantic);
  }
  if (!c.breaches.empty()) {
    out += fmt::format("{} Budget breaches (first {} of {})\n\n", h2, c.breaches.size(), c.budget_breaches);
    case_md_elements(out, c, c.breaches);
  }
  return out;
}

std::string render_markdown(const Measurement& m, int level) { return render_case_markdown(to_json(m), level); }

}  // namespace ulpcheck
