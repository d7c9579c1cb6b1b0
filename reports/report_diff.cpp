#include "ulpcheck/reports/report_diff.hpp"

#include <fmt/format.h>

#include <cmath>
#include <map>
#include <set>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "reports/elementwise/case_document.hpp"
#include "reports/elementwise/case_tables.hpp"
#include "reports/report_text.hpp"
#include "reports/routing/routing_document.hpp"

namespace ulpcheck {

using report_text::to_double;
using report_text::to_int;

namespace {

using Key = std::tuple<std::string, std::string, std::string, std::string>;

Key key_of(const case_document::Case& c) { return {c.op, c.dtype, c.params_label, c.kernel}; }

/// How a figure's change is written: ULP figures as a difference, fractions in percentage
/// points, counts as a difference.
enum class Unit { ulp, fraction, count };

struct Figure {
  const char* key;
  const char* name;
  Unit unit;
};

/// A figure of an elementwise case, read from its typed case.
struct CaseFigure : Figure {
  double (*value)(const case_document::Case&);
};

double figure_value(case_document::Real r) { return r.value; }
double figure_value(std::int64_t n) { return static_cast<double>(n); }

template <auto Member>
double case_figure(const case_document::Case& c) {
  return figure_value(c.*Member);
}

// Every figure compared, in the order a reader wants them; the budget comes apart.
constexpr CaseFigure kFigures[] = {
    {{"max_ulp", "max ULP error, all outputs", Unit::ulp}, case_figure<&case_document::Case::max_ulp>},
    {{"max_ulp_above_floor", "max ULP error, outside the floor region", Unit::ulp},
     case_figure<&case_document::Case::max_ulp_above_floor>},
    {{"fraction_correctly_rounded", "correctly rounded", Unit::fraction}, case_figure<&case_document::Case::fraction_correctly_rounded>},
    {{"fraction_correctly_rounded_above_floor", "correctly rounded, outside the floor region", Unit::fraction},
     case_figure<&case_document::Case::fraction_correctly_rounded_above_floor>},
    {{"fraction_off_by_one_ulp", "off by >= 1 ULP", Unit::fraction}, case_figure<&case_document::Case::fraction_off_by_one_ulp>},
    {{"p50_ulp", "p50 ULP error", Unit::ulp}, case_figure<&case_document::Case::p50_ulp>},
    {{"p99_ulp", "p99 ULP error", Unit::ulp}, case_figure<&case_document::Case::p99_ulp>},
    {{"p99_9_ulp", "p99.9 ULP error", Unit::ulp}, case_figure<&case_document::Case::p99_9_ulp>},
    {{"budget_breaches", "budget breaches", Unit::count}, case_figure<&case_document::Case::budget_breaches>},
    {{"semantic_differences", "semantic differences (NaN/inf)", Unit::count}, case_figure<&case_document::Case::semantic_differences>},
    {{"semantic_violations", "failing semantic differences", Unit::count}, case_figure<&case_document::Case::semantic_violations>},
    {{"in_floor_region", "outputs in the floor region", Unit::count}, case_figure<&case_document::Case::in_floor_region>},
    {{"count", "outputs compared", Unit::count}, case_figure<&case_document::Case::count>},
};

/// The same number, NaN included.
bool same(double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }

std::string value_text(double v, Unit u) {
  switch (u) {
    case Unit::ulp: return report_text::ulp(v);
    case Unit::fraction: return report_text::percent(v);
    case Unit::count: return fmt::format("{}", static_cast<std::int64_t>(v));
  }
  return {};
}

std::string delta_text(double a, double b, Unit u) {
  const double d = b - a;
  if (!std::isfinite(d)) return "";
  switch (u) {
    case Unit::ulp: return fmt::format("{:+.4g}", d);
    case Unit::fraction: return fmt::format("{:+.4f} pp", 100.0 * d);
    case Unit::count: return fmt::format("{:+}", static_cast<std::int64_t>(d));
  }
  return {};
}

std::string input_key(const case_document::Element& e) { return e.x0_bits + "/" + e.x1_bits.value_or(""); }

/// The figures whose old and new values (values(f) -> {old, new}) differ, with the change.
template <class F, std::size_t N, class Values>
nlohmann::json moved_figures(const F (&table)[N], Values values) {
  nlohmann::json figures = nlohmann::json::array();
  for (const F& f : table) {
    const auto [a, b] = values(f);
    if (same(a, b)) continue;
    figures.push_back({{"figure", f.key},
                       {"name", f.name},
                       {"old", report_text::number(a)},
                       {"new", report_text::number(b)},
                       {"delta", report_text::number(b - a)}});
  }
  return figures;
}

nlohmann::json compare_case(const case_document::Case& o, const case_document::Case& n) {
  const nlohmann::json figures =
      moved_figures(kFigures, [&](const CaseFigure& f) { return std::pair{f.value(o), f.value(n)}; });
  nlohmann::json notes = nlohmann::json::array();
  const nlohmann::json old_budget = o.budget, new_budget = n.budget;
  if (old_budget != new_budget)
    notes.push_back(fmt::format("the kernel's budget changed: {} -> {}", report_text::budget(old_budget),
                                report_text::budget(new_budget)));
  if (o.inputs != n.inputs || o.shape != n.shape)
    notes.push_back(fmt::format("the inputs differ ({} / {}): the figures are over different inputs", o.inputs,
                                n.inputs));
  else if (case_document::calls_of(o) != case_document::calls_of(n))
    notes.push_back(fmt::format("the kernel calls differ ({} / {}): the same inputs in other shapes",
                                case_document::calls_text(o), case_document::calls_text(n)));
  // Worst inputs and breaches of the new report that the old one did not list.
  std::set<std::string> seen;
  for (const auto* list : {&o.worst, &o.worst_in_floor, &o.breaches, &o.semantic})
    for (const case_document::Element& e : *list) seen.insert(input_key(e));
  nlohmann::json new_worst = nlohmann::json::array();
  std::set<std::string> added;
  for (const auto* list : {&n.breaches, &n.worst})
    for (const case_document::Element& e : *list)
      if (!seen.count(input_key(e)) && added.insert(input_key(e)).second) new_worst.push_back(e);

  const bool was = o.pass, is = n.pass;
  const char* status = was && !is   ? "regression"
                       : !was && is ? "fixed"
                       : figures.empty() && notes.empty() ? "unchanged"
                                                          : "changed";
  return {{"status", status},
          {"verdict_old", o.verdict},
          {"verdict_new", n.verdict},
          {"figures", std::move(figures)},
          {"notes", std::move(notes)},
          {"new_worst", std::move(new_worst)}};
}

/// The headline figures of a case, for the rows of a diff's table and for one-sided cases.
struct CaseHeadline {
  case_document::Real max_ulp, max_ulp_above_floor, fraction_correctly_rounded, p99_ulp;
  std::int64_t budget_breaches = 0, semantic_violations = 0;
  std::string verdict;
  bool pass = false;
  case_document::Budget budget;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(CaseHeadline, max_ulp, max_ulp_above_floor, fraction_correctly_rounded, p99_ulp,
                                   budget_breaches, semantic_violations, verdict, pass, budget)

nlohmann::json headline(const case_document::Case& c) {
  return CaseHeadline{c.max_ulp,         c.max_ulp_above_floor, c.fraction_correctly_rounded,
                      c.p99_ulp,         c.budget_breaches,     c.semantic_violations,
                      c.verdict,         c.pass,                c.budget};
}

/// The items of two documents matched by key_of, in the new document's order (each with
/// the first old item of its key, matched once), then the old items left unmatched. An
/// entry is entry(item) with "status", compare(old, new) where both are there, and the
/// headline(...) of each side as "old" and "new"; `counts` gains each entry's status.
template <class Items, class KeyOf, class Entry, class Compare, class Headline>
nlohmann::json match_items(const Items& old_items, const Items& new_items, KeyOf key_of, Entry entry, Compare compare,
                           Headline headline, std::map<std::string, std::int64_t>& counts) {
  using Item = std::remove_cvref_t<decltype(*std::begin(old_items))>;
  using ItemKey = decltype(key_of(*std::begin(old_items)));
  std::map<ItemKey, const Item*> by_key;
  for (const Item& o : old_items) by_key.emplace(key_of(o), &o);
  std::set<ItemKey> matched;
  nlohmann::json out = nlohmann::json::array();
  for (const Item& n : new_items) {
    nlohmann::json e = entry(n);
    const auto it = by_key.find(key_of(n));
    if (it == by_key.end() || !matched.insert(it->first).second) {
      e["status"] = "only_new";
    } else {
      e.update(compare(*it->second, n));
      e["old"] = headline(*it->second);
    }
    e["new"] = headline(n);
    ++counts[e["status"].get<std::string>()];
    out.push_back(std::move(e));
  }
  for (const Item& o : old_items)
    if (!matched.count(key_of(o))) {
      nlohmann::json e = entry(o);
      e["status"] = "only_old";
      e["old"] = headline(o);
      ++counts["only_old"];
      out.push_back(std::move(e));
    }
  return out;
}

// --- routing cases -------------------------------------------------------------------------

/// A routing case: (configuration, logits dtype, bias dtype, bias, kernel).
using RoutingKey = std::tuple<std::string, std::string, std::string, std::string, std::string>;

/// A routing case with what it was measured on: its section and its batch, read as types.
struct RoutingCaseRef {
  routing_document::Section section;
  routing_document::Batch batch;
  routing_document::Case kernel_case;
};

std::vector<RoutingCaseRef> routing_cases(const nlohmann::json& doc) {
  std::vector<RoutingCaseRef> out;
  if (!doc.contains("routing") || !doc["routing"].is_object()) return out;
  const nlohmann::json& s = doc["routing"];
  const auto section = s.get<routing_document::Section>();
  for (const nlohmann::json& b : s.at("batches")) {
    const auto batch = b.get<routing_document::Batch>();
    for (const nlohmann::json& k : b.at("cases")) out.push_back({section, batch, k.get<routing_document::Case>()});
  }
  return out;
}

RoutingKey routing_key(const RoutingCaseRef& c) {
  return {c.section.config.label, c.batch.logits_dtype, c.batch.bias_dtype, c.batch.bias_name, c.kernel_case.kernel};
}

/// A figure of a routing case, read from its typed case.
struct RoutingFigure : Figure {
  double (*value)(const routing_document::Case&);
};

const RoutingFigure kRoutingFigures[] = {
    {{"mismatches", "routing errors", Unit::count}, [](const auto& k) { return double(k.mismatches); }},
    {{"fraction_mismatches", "routing errors (share of tokens)", Unit::fraction},
     [](const auto& k) { return k.fraction_mismatches; }},
    {{"near_ties", "near-ties", Unit::count}, [](const auto& k) { return double(k.near_ties); }},
    {{"invalid", "invalid ids", Unit::count}, [](const auto& k) { return double(k.invalid); }},
    {{"weights.max_ulp", "max weight ULP error", Unit::ulp}, [](const auto& k) { return k.weights.max_ulp.value; }},
    {{"weights.p99_ulp", "p99 weight ULP error", Unit::ulp}, [](const auto& k) { return k.weights.p99_ulp.value; }},
    {{"weights.breaches", "weight breaches", Unit::count}, [](const auto& k) { return double(k.weights.breaches); }},
    {{"weights.bad", "NaN, infinite or negative weights", Unit::count},
     [](const auto& k) { return double(k.weights.bad); }},
    {{"weights.tokens_in_floor", "tokens in the weight floor", Unit::count},
     [](const auto& k) { return double(k.weights.tokens_in_floor); }},
    {{"tokens", "tokens compared", Unit::count}, [](const auto& k) { return double(k.tokens); }},
};

nlohmann::json routing_headline(const RoutingCaseRef& c) {
  const routing_document::Case& k = c.kernel_case;
  return {{"mismatches", k.mismatches},         {"near_ties", k.near_ties},
          {"invalid", k.invalid},               {"weights_max_ulp", k.weights.max_ulp},
          {"weights_breaches", k.weights.breaches}, {"verdict", k.verdict},
          {"pass", k.pass}};
}

nlohmann::json compare_routing_case(const RoutingCaseRef& o, const RoutingCaseRef& n) {
  const nlohmann::json figures = moved_figures(kRoutingFigures, [&](const RoutingFigure& f) {
    return std::pair{f.value(o.kernel_case), f.value(n.kernel_case)};
  });
  nlohmann::json notes = nlohmann::json::array();
  if (nlohmann::json(o.kernel_case.claim) != nlohmann::json(n.kernel_case.claim))
    notes.push_back("the kernel's claim changed");
  if (o.section.logits != n.section.logits || o.section.seed != n.section.seed || o.batch.tokens != n.batch.tokens ||
      o.batch.bias != n.batch.bias)
    notes.push_back(fmt::format("the inputs differ (logits {}, bias {}, {} tokens, seed {} / logits {}, bias {}, {} "
                                "tokens, seed {}): the figures are over different batches",
                                o.section.logits, o.batch.bias, o.batch.tokens, o.section.seed, n.section.logits,
                                n.batch.bias, n.batch.tokens, n.section.seed));
  const bool was = o.kernel_case.pass, is = n.kernel_case.pass;
  const char* status = was && !is   ? "regression"
                       : !was && is ? "fixed"
                       : figures.empty() && notes.empty() ? "unchanged"
                                                          : "changed";
  return {{"status", status},
          {"verdict_old", o.kernel_case.verdict},
          {"verdict_new", n.kernel_case.verdict},
          {"figures", std::move(figures)},
          {"notes", std::move(notes)}};
}

/// The routing cases of two documents matched by routing_key; `counts` gains each one's
/// status.
nlohmann::json diff_routing(const nlohmann::json& old_doc, const nlohmann::json& new_doc,
                            std::map<std::string, std::int64_t>& counts) {
  auto entry = [](const RoutingCaseRef& c) {
    return nlohmann::json{{"config", c.section.config.label},
                          {"logits_dtype", c.batch.logits_dtype},
                          {"bias_dtype", c.batch.bias_dtype},
                          {"bias_name", c.batch.bias_name},
                          {"kernel", c.kernel_case.kernel}};
  };
  return match_items(routing_cases(old_doc), routing_cases(new_doc), routing_key, entry, compare_routing_case,
                     routing_headline, counts);
}

}  // namespace

ReportDiff diff_reports(const nlohmann::json& old_doc, const nlohmann::json& new_doc, const std::string& old_name,
                        const std::string& new_name) {
  std::map<std::string, std::int64_t> counts{{"regression", 0}, {"fixed", 0},    {"changed", 0},
                                             {"unchanged", 0},  {"only_old", 0}, {"only_new", 0}};
  auto entry = [](const case_document::Case& c) {
    return nlohmann::json{
        {"op", c.op}, {"dtype", c.dtype}, {"params_label", c.params_label}, {"kernel", c.kernel}, {"arity", c.arity}};
  };
  nlohmann::json cases = match_items(old_doc.at("cases").get<std::vector<case_document::Case>>(),
                                     new_doc.at("cases").get<std::vector<case_document::Case>>(), key_of, entry, compare_case,
                                     headline, counts);
  nlohmann::json routing = diff_routing(old_doc, new_doc, counts);
  ReportDiff d;
  d.regressions = counts["regression"];
  d.json = {{"schema", kReportDiffSchema},
            {"version", kReportDiffVersion},
            {"old", old_name},
            {"new", new_name},
            {"summary",
             {{"regressions", counts["regression"]},
              {"fixed", counts["fixed"]},
              {"changed", counts["changed"]},
              {"unchanged", counts["unchanged"]},
              {"only_old", counts["only_old"]},
              {"only_new", counts["only_new"]}}},
            {"cases", std::move(cases)},
            {"routing", std::move(routing)}};
  return d;
}

namespace {

std::string case_name(const nlohmann::json& e) {
  const std::string& label = e.at("params_label").get_ref<const std::string&>();
  return fmt::format("{} {} {}{}", e.at("dtype").get<std::string>(), e.at("op").get<std::string>(),
                     label.empty() ? "" : label + " ", e.at("kernel").get<std::string>());
}

/// "0.5 -> 1.2 (+0.7)", or the one side there is.
std::string change_cell(const nlohmann::json& e, const char* key, Unit u) {
  const bool has_old = e.contains("old"), has_new = e.contains("new");
  if (!has_old) return value_text(to_double(e["new"].at(key)), u);
  if (!has_new) return value_text(to_double(e["old"].at(key)), u);
  const double a = to_double(e["old"].at(key)), b = to_double(e["new"].at(key));
  if (same(a, b)) return value_text(b, u);
  const std::string d = delta_text(a, b, u);
  return fmt::format("{} -> **{}**{}", value_text(a, u), value_text(b, u), d.empty() ? "" : " (" + d + ")");
}

std::string verdict_cell(const nlohmann::json& e) {
  const std::string status = e.at("status").get<std::string>();
  if (status == "only_new") return fmt::format("new: {}", e["new"].at("verdict").get<std::string>());
  if (status == "only_old") return fmt::format("{}, gone", e["old"].at("verdict").get<std::string>());
  if (status == "regression") return "PASS -> **FAIL**";
  if (status == "fixed") return "FAIL -> **PASS**";
  return e["new"].at("verdict").get<std::string>();
}

/// A diff entry's "figures" as a table of old, new and change, each written in the unit its
/// figure has in `table` (`fallback` for a figure it does not know).
template <class F, std::size_t N>
std::string moved_figures_markdown(const nlohmann::json& figures, const F (&table)[N], Unit fallback) {
  std::string out = "| figure | OLD | NEW | change |\n|---|---:|---:|---:|\n";
  for (const nlohmann::json& f : figures) {
    Unit u = fallback;
    for (const Figure& known : table)
      if (f.at("figure") == known.key) u = known.unit;
    const double a = to_double(f.at("old")), b = to_double(f.at("new"));
    out += fmt::format("| {} | {} | {} | {} |\n", f.at("name").get<std::string>(), value_text(a, u), value_text(b, u),
                       delta_text(a, b, u));
  }
  return out + '\n';
}

/// The routing cases that are not unchanged: a table, then each one's figures.
std::string routing_diff_markdown(const nlohmann::json& diff) {
  if (!diff.contains("routing")) return {};
  std::vector<const nlohmann::json*> shown;
  for (const nlohmann::json& e : diff["routing"])
    if (e.at("status") != "unchanged") shown.push_back(&e);
  if (shown.empty()) return {};
  std::string out = "## biased_grouped_topk\n\n| config | logits | bias | kernel | status | verdict | routing errors | "
                    "near-ties | invalid ids | max weight ULP | weight breaches |\n"
                    "|---|---|---|---|---|---|---:|---:|---:|---:|---:|\n";
  for (const nlohmann::json* e : shown)
    out += fmt::format("| {} | {} | {} {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
                       e->at("config").get<std::string>(), e->at("logits_dtype").get<std::string>(),
                       e->at("bias_dtype").get<std::string>(), e->at("bias_name").get<std::string>(),
                       e->at("kernel").get<std::string>(), e->at("status").get<std::string>(), verdict_cell(*e),
                       change_cell(*e, "mismatches", Unit::count), change_cell(*e, "near_ties", Unit::count),
                       change_cell(*e, "invalid", Unit::count),
                       change_cell(*e, "weights_max_ulp", Unit::ulp),
                       change_cell(*e, "weights_breaches", Unit::count));
  out += '\n';
  for (const nlohmann::json* e : shown) {
    const std::string status = e->at("status").get<std::string>();
    if (status == "only_old" || status == "only_new") continue;
    out += fmt::format("### {} logits, {} {} bias, {}: {}\n\n", e->at("logits_dtype").get<std::string>(),
                       e->at("bias_dtype").get<std::string>(), e->at("bias_name").get<std::string>(),
                       e->at("kernel").get<std::string>(), status);
    for (const nlohmann::json& note : e->at("notes")) out += fmt::format("- {}\n", note.get<std::string>());
    if (!e->at("notes").empty()) out += '\n';
    if (!e->at("figures").empty()) out += moved_figures_markdown(e->at("figures"), kRoutingFigures, Unit::count);
  }
  return out;
}

}  // namespace

std::string render_diff_markdown(const nlohmann::json& diff) {
  const nlohmann::json& s = diff.at("summary");
  std::string out = "# Precision report diff\n\n";
  out += fmt::format("OLD `{}` -> NEW `{}`\n\n", diff.at("old").get<std::string>(), diff.at("new").get<std::string>());
  const std::int64_t regressions = to_int(s.at("regressions"));
  out += regressions ? fmt::format("**REGRESSION**: {} case{} passed before and fail{} now.\n\n", regressions,
                                   regressions == 1 ? "" : "s", regressions == 1 ? "s" : "")
                     : "No regressions: no case that passed before fails now.\n\n";
  out += fmt::format("{} regression{}, {} fixed, {} changed, {} unchanged, {} only in OLD, {} only in NEW.\n\n",
                     regressions, regressions == 1 ? "" : "s", to_int(s.at("fixed")), to_int(s.at("changed")),
                     to_int(s.at("unchanged")), to_int(s.at("only_old")), to_int(s.at("only_new")));
  std::vector<const nlohmann::json*> shown;
  for (const nlohmann::json& e : diff.at("cases"))
    if (e.at("status") != "unchanged") shown.push_back(&e);
  if (shown.empty()) return out + routing_diff_markdown(diff);

  out += "| dtype | op | params | kernel | status | verdict | max ULP | max ULP outside floor | correctly rounded | p99 "
         "ULP | breaches |\n|---|---|---|---|---|---|---:|---:|---:|---:|---:|\n";
  for (const nlohmann::json* e : shown) {
    const std::string& label = e->at("params_label").get_ref<const std::string&>();
    out += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", e->at("dtype").get<std::string>(),
                       e->at("op").get<std::string>(), label.empty() ? "-" : label, e->at("kernel").get<std::string>(),
                       e->at("status").get<std::string>(), verdict_cell(*e), change_cell(*e, "max_ulp", Unit::ulp),
                       change_cell(*e, "max_ulp_above_floor", Unit::ulp),
                       change_cell(*e, "fraction_correctly_rounded", Unit::fraction),
                       change_cell(*e, "p99_ulp", Unit::ulp), change_cell(*e, "budget_breaches", Unit::count));
  }
  out += '\n';

  for (const nlohmann::json* e : shown) {
    const std::string status = e->at("status").get<std::string>();
    if (status == "only_old" || status == "only_new") continue;
    out += fmt::format("## {}: {}\n\n", case_name(*e), status);
    for (const nlohmann::json& note : e->at("notes")) out += fmt::format("- {}\n", note.get<std::string>());
    if (!e->at("notes").empty()) out += '\n';
    if (!e->at("figures").empty()) out += moved_figures_markdown(e->at("figures"), kFigures, Unit::ulp);
    if (!e->at("new_worst").empty()) {
      out += "New worst inputs (breaches and worst outside the floor region that OLD did not list):\n\n";
      out += report_table::render_markdown(
          case_tables::elements(e->at("arity") == 2, e->at("new_worst").get<std::vector<case_document::Element>>(),
                                report_text::rows_past_first_call(e->at("new_worst"))));
    }
  }
  return out + routing_diff_markdown(diff);
}

}  // namespace ulpcheck
