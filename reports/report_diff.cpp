#include "ulpcheck/reports/report_diff.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "reports/combine/combine_document.hpp"
#include "reports/diff_document.hpp"
#include "reports/elementwise/case_document.hpp"
#include "reports/elementwise/case_tables.hpp"
#include "reports/report_text.hpp"
#include "reports/routing/routing_document.hpp"
#include "ulpcheck/runs/moe_block/moe_block_report.hpp"

namespace ulpcheck {

using report_text::to_double;
using report_text::to_int;

namespace {

using Key = std::tuple<std::string, std::string, std::string, std::string>;

Key key_of(const case_document::Case& c) { return {c.op, c.dtype, c.params_label, c.kernel}; }

/// How a figure's change is written: ULP figures as a difference, fractions in percentage
/// points, counts as a difference, relative errors (error over scale) as a difference.
enum class Unit { ulp, fraction, count, relative };

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
    case Unit::relative: return fmt::format("{:.3g}", v);
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
    case Unit::relative: return fmt::format("{:+.3g}", d);
  }
  return {};
}

std::string input_key(const case_document::Element& e) { return e.x0_bits + "/" + e.x1_bits.value_or(""); }

/// The figures whose old and new values (values(f) -> {old, new}) differ, with the change.
template <class F, std::size_t N, class Values>
std::vector<diff_document::MovedFigure> moved_figures(const F (&table)[N], Values values) {
  std::vector<diff_document::MovedFigure> figures;
  for (const F& f : table) {
    const auto [a, b] = values(f);
    if (same(a, b)) continue;
    figures.push_back({f.key, f.name, {a}, {b}, {b - a}});
  }
  return figures;
}

/// The status of a matched entry: a verdict that changed, else whether anything moved.
std::string matched_status(bool was, bool is, const diff_document::Comparison& c) {
  return was && !is                            ? "regression"
         : !was && is                          ? "fixed"
         : c.figures.empty() && c.notes.empty() ? "unchanged"
                                                : "changed";
}

void compare_case(const case_document::Case& o, const case_document::Case& n, diff_document::CaseEntry& e) {
  diff_document::Comparison cmp{o.verdict, n.verdict, moved_figures(kFigures, [&](const CaseFigure& f) {
                                  return std::pair{f.value(o), f.value(n)};
                                }),
                                {}};
  std::vector<std::string>& notes = cmp.notes;
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
  std::set<std::string> added;
  for (const auto* list : {&n.breaches, &n.worst})
    for (const case_document::Element& w : *list)
      if (!seen.count(input_key(w)) && added.insert(input_key(w)).second) e.new_worst.push_back(w);
  e.status = matched_status(o.pass, n.pass, cmp);
  e.comparison = std::move(cmp);
}

/// The headline figures of a case, for the rows of a diff's table and for one-sided cases.
diff_document::CaseHeadline headline(const case_document::Case& c) {
  return {c.max_ulp, c.max_ulp_above_floor, c.fraction_correctly_rounded, c.p99_ulp, c.budget_breaches,
          c.semantic_violations, c.verdict, c.pass, c.budget};
}

/// The items of two documents matched by key_of, in the new document's order (each with
/// the first old item of its key, matched once), then the old items left unmatched. An
/// entry is entry(item) with its status, compare(old, new, entry) where both are there
/// (setting the status), and the headline(...) of each side; `counts` gains each entry's
/// status.
template <class Items, class KeyOf, class Entry, class Compare, class Headline>
auto match_items(const Items& old_items, const Items& new_items, KeyOf key_of, Entry entry, Compare compare,
                 Headline headline, std::map<std::string, std::int64_t>& counts) {
  using Item = std::remove_cvref_t<decltype(*std::begin(old_items))>;
  using ItemKey = decltype(key_of(*std::begin(old_items)));
  std::map<ItemKey, const Item*> by_key;
  for (const Item& o : old_items) by_key.emplace(key_of(o), &o);
  std::set<ItemKey> matched;
  std::vector<decltype(entry(*std::begin(old_items)))> out;
  for (const Item& n : new_items) {
    auto e = entry(n);
    const auto it = by_key.find(key_of(n));
    if (it == by_key.end() || !matched.insert(it->first).second) {
      e.status = "only_new";
    } else {
      compare(*it->second, n, e);
      e.old_side = headline(*it->second);
    }
    e.new_side = headline(n);
    ++counts[e.status];
    out.push_back(std::move(e));
  }
  for (const Item& o : old_items)
    if (!matched.count(key_of(o))) {
      auto e = entry(o);
      e.status = "only_old";
      e.old_side = headline(o);
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

diff_document::RoutingHeadline routing_headline(const RoutingCaseRef& c) {
  const routing_document::Case& k = c.kernel_case;
  return {k.mismatches, k.near_ties, k.invalid, k.weights.max_ulp, k.weights.breaches, k.verdict, k.pass};
}

void compare_routing_case(const RoutingCaseRef& o, const RoutingCaseRef& n, diff_document::RoutingEntry& e) {
  diff_document::Comparison cmp{o.kernel_case.verdict, n.kernel_case.verdict,
                                moved_figures(kRoutingFigures, [&](const RoutingFigure& f) {
                                  return std::pair{f.value(o.kernel_case), f.value(n.kernel_case)};
                                }),
                                {}};
  std::vector<std::string>& notes = cmp.notes;
  if (nlohmann::json(o.kernel_case.claim) != nlohmann::json(n.kernel_case.claim))
    notes.push_back("the kernel's claim changed");
  if (o.section.logits != n.section.logits || o.section.seed != n.section.seed || o.batch.tokens != n.batch.tokens ||
      o.batch.bias != n.batch.bias)
    notes.push_back(fmt::format("the inputs differ (logits {}, bias {}, {} tokens, seed {} / logits {}, bias {}, {} "
                                "tokens, seed {}): the figures are over different batches",
                                o.section.logits, o.batch.bias, o.batch.tokens, o.section.seed, n.section.logits,
                                n.batch.bias, n.batch.tokens, n.section.seed));
  e.status = matched_status(o.kernel_case.pass, n.kernel_case.pass, cmp);
  e.comparison = std::move(cmp);
}

/// The routing cases of two documents matched by routing_key; `counts` gains each one's
/// status.
std::vector<diff_document::RoutingEntry> diff_routing(const nlohmann::json& old_doc, const nlohmann::json& new_doc,
                                                      std::map<std::string, std::int64_t>& counts) {
  auto entry = [](const RoutingCaseRef& c) {
    diff_document::RoutingEntry e;
    e.config = c.section.config.label;
    e.logits_dtype = c.batch.logits_dtype;
    e.bias_dtype = c.batch.bias_dtype;
    e.bias_name = c.batch.bias_name;
    e.kernel = c.kernel_case.kernel;
    return e;
  };
  return match_items(routing_cases(old_doc), routing_cases(new_doc), routing_key, entry, compare_routing_case,
                     routing_headline, counts);
}

// --- combine cases and the MoE block ----------------------------------------------------

/// A combine case: (dtype, configuration label, kernel).
using CombineKey = std::tuple<std::string, std::string, std::string>;

/// A combine case with what it was measured on: its section and its batch, read as types.
struct CombineCaseRef {
  combine_document::Section section;
  combine_document::Batch batch;
  combine_document::Case kernel_case;
};

/// The combine section of a document, or nothing: the key is left out (or null) when the
/// report covers neither moe_combine nor moe_block.
const nlohmann::json* combine_section_of(const nlohmann::json& doc) {
  return doc.contains("combine") && doc["combine"].is_object() ? &doc["combine"] : nullptr;
}

std::vector<CombineCaseRef> combine_case_refs(const nlohmann::json& doc) {
  std::vector<CombineCaseRef> out;
  const nlohmann::json* s = combine_section_of(doc);
  if (!s) return out;
  const auto whole = s->get<combine_document::SectionWithBatches>();
  for (const combine_document::BatchWithCases& b : whole.batches)
    for (const combine_document::Case& k : b.cases) out.push_back({whole.section, b.batch, k});
  return out;
}

CombineKey combine_key(const CombineCaseRef& c) { return {c.batch.dtype, c.batch.config.label, c.kernel_case.kernel}; }

/// A figure of a combine case, read from its typed case.
struct CombineFigure : Figure {
  double (*value)(const combine_document::Case&);
};

const CombineFigure kCombineFigures[] = {
    {{"max_ulp", "max ULP error, all outputs", Unit::ulp}, [](const auto& k) { return k.max_ulp.value; }},
    {{"max_ulp_above_floor", "max ULP error, outside the floor region", Unit::ulp},
     [](const auto& k) { return k.max_ulp_above_floor.value; }},
    {{"p99_ulp", "p99 ULP error", Unit::ulp}, [](const auto& k) { return k.p99_ulp.value; }},
    {{"fraction_correctly_rounded", "correctly rounded", Unit::fraction},
     [](const auto& k) { return k.fraction_correctly_rounded; }},
    {{"breaches", "outputs outside the claim", Unit::count}, [](const auto& k) { return double(k.breaches); }},
    {{"semantic_violations", "NaN/inf where the exact sum is finite", Unit::count},
     [](const auto& k) { return double(k.semantic_violations); }},
};

diff_document::CombineHeadline combine_headline(const CombineCaseRef& c) {
  const combine_document::Case& k = c.kernel_case;
  return {k.max_ulp,  k.max_ulp_above_floor, k.p99_ulp, {k.fraction_correctly_rounded},
          k.breaches, k.semantic_violations, k.verdict, k.pass};
}

void compare_combine_case(const CombineCaseRef& o, const CombineCaseRef& n, diff_document::CombineEntry& e) {
  diff_document::Comparison cmp{o.kernel_case.verdict, n.kernel_case.verdict,
                                moved_figures(kCombineFigures, [&](const CombineFigure& f) {
                                  return std::pair{f.value(o.kernel_case), f.value(n.kernel_case)};
                                }),
                                {}};
  if (nlohmann::json(o.kernel_case.claim) != nlohmann::json(n.kernel_case.claim))
    cmp.notes.push_back("the kernel's claim changed");
  if (o.section.inputs != n.section.inputs || o.section.seed != n.section.seed || o.batch.tokens != n.batch.tokens)
    cmp.notes.push_back(fmt::format("the inputs differ ({}, {} tokens, seed {} / {}, {} tokens, seed {}): the figures "
                                    "are over different batches",
                                    o.section.inputs, o.batch.tokens, o.section.seed, n.section.inputs, n.batch.tokens,
                                    n.section.seed));
  e.status = matched_status(o.kernel_case.pass, n.kernel_case.pass, cmp);
  e.comparison = std::move(cmp);
}

/// The combine cases of two documents matched by combine_key; `counts` gains each one's
/// status.
std::vector<diff_document::CombineEntry> diff_combine(const nlohmann::json& old_doc, const nlohmann::json& new_doc,
                                                      std::map<std::string, std::int64_t>& counts) {
  auto entry = [](const CombineCaseRef& c) {
    diff_document::CombineEntry e;
    e.dtype = c.batch.dtype;
    e.config = c.batch.config.label;
    e.kernel = c.kernel_case.kernel;
    return e;
  };
  return match_items(combine_case_refs(old_doc), combine_case_refs(new_doc), combine_key, entry, compare_combine_case,
                     combine_headline, counts);
}

std::vector<MoeBlockReport> moe_blocks_of(const nlohmann::json& doc) {
  std::vector<MoeBlockReport> out;
  const nlohmann::json* s = combine_section_of(doc);
  if (!s || !s->contains("moe_blocks")) return out;
  for (const nlohmann::json& b : s->at("moe_blocks")) out.push_back(moe_block_from_json(b));
  return out;
}

/// A block's stages and combine placements as one list, each matched by (stage, kernel).
std::vector<MoeStageFigures> moe_all_stages(const MoeBlockReport& b) {
  std::vector<MoeStageFigures> out = b.stages;
  out.insert(out.end(), b.combines.begin(), b.combines.end());
  return out;
}

std::pair<std::string, std::string> moe_stage_key(const MoeStageFigures& s) { return {s.stage, s.kernel}; }

/// A figure of a MoE block's stage.
struct MoeStageFigure : Figure {
  double (*value)(const MoeStageFigures&);
};

const MoeStageFigure kMoeStageFigures[] = {
    {{"own.max_ulp", "own max ULP error", Unit::ulp}, [](const MoeStageFigures& s) { return s.own.max_ulp; }},
    {{"own.p99_ulp", "own p99 ULP error", Unit::ulp}, [](const MoeStageFigures& s) { return s.own.p99_ulp; }},
    {{"own_breaches", "own outputs outside the claim", Unit::count},
     [](const MoeStageFigures& s) { return double(s.own_breaches); }},
    {{"chained.max_relative", "chained max relative error", Unit::relative},
     [](const MoeStageFigures& s) { return s.chained.max_relative; }},
};

diff_document::MoeStageHeadline moe_stage_headline(const MoeStageFigures& s) {
  const bool pass = s.own_breaches == 0;
  return {{s.own.max_ulp}, {s.own.p99_ulp}, {s.chained.max_relative}, s.claim, s.own_breaches,
          pass ? "PASS" : "FAIL", pass};
}

void compare_moe_stage(const MoeStageFigures& o, const MoeStageFigures& n, diff_document::MoeStageEntry& e) {
  const diff_document::MoeStageHeadline was = moe_stage_headline(o), is = moe_stage_headline(n);
  diff_document::Comparison cmp{was.verdict, is.verdict, moved_figures(kMoeStageFigures, [&](const MoeStageFigure& f) {
                                  return std::pair{f.value(o), f.value(n)};
                                }),
                                {}};
  if (o.claim != n.claim)
    cmp.notes.push_back(fmt::format("the claim changed: {} -> {}", o.claim.empty() ? "none" : o.claim,
                                    n.claim.empty() ? "none" : n.claim));
  if (o.format != n.format)
    cmp.notes.push_back(fmt::format("the format changed: {} -> {}", name(o.format), name(n.format)));
  e.status = matched_status(was.pass, is.pass, cmp);
  e.comparison = std::move(cmp);
}

/// A block's status from its stages': the worst of regression, fixed, changed, unchanged.
std::string moe_block_status(const diff_document::MoeBlockEntry& b) {
  for (const char* status : {"regression", "fixed"})
    for (const diff_document::MoeStageEntry& s : b.stages)
      if (s.status == status) return status;
  const bool moved = !b.notes.empty() || std::any_of(b.stages.begin(), b.stages.end(), [](const auto& s) {
                       return s.status != "unchanged";
                     });
  return moved ? "changed" : "unchanged";
}

std::vector<std::string> moe_block_notes(const MoeBlockReport& o, const MoeBlockReport& n) {
  std::vector<std::string> notes;
  if (o.measured != n.measured)
    notes.push_back(
        fmt::format("measured in {} only: {}", o.measured ? "OLD" : "NEW", o.measured ? n.device : o.device));
  if (o.tokens != n.tokens) notes.push_back(fmt::format("the tokens differ: {} / {}", o.tokens, n.tokens));
  if (o.id_mismatch_tokens != n.id_mismatch_tokens)
    notes.push_back(fmt::format("tokens whose kernel ids differ from the oracle's: {} -> {}", o.id_mismatch_tokens,
                                n.id_mismatch_tokens));
  return notes;
}

using MoeBlockKey = std::pair<std::string, std::string>;

MoeBlockKey moe_block_key(const MoeBlockReport& b) { return {b.config, b.pipeline}; }

diff_document::MoeStageEntry moe_stage_entry(const MoeStageFigures& s) {
  diff_document::MoeStageEntry e;
  e.stage = s.stage;
  e.kernel = s.kernel;
  return e;
}

/// A block in one report only (`status` only_old or only_new): each of its stages listed and
/// counted with that status and that report's headline.
diff_document::MoeBlockEntry one_sided_moe_block(const MoeBlockReport& b, const std::string& status,
                                                 std::map<std::string, std::int64_t>& counts) {
  diff_document::MoeBlockEntry e{b.config, b.pipeline, status, {}, {}};
  for (const MoeStageFigures& s : moe_all_stages(b)) {
    diff_document::MoeStageEntry st = moe_stage_entry(s);
    st.status = status;
    (status == "only_old" ? st.old_side : st.new_side) = moe_stage_headline(s);
    ++counts[status];
    e.stages.push_back(std::move(st));
  }
  return e;
}

/// The MoE blocks of two documents matched by (configuration, pipeline) in the new
/// document's order, then the old blocks left unmatched; the stages of a matched block are
/// matched by (stage, kernel). `counts` gains each stage's status (blocks are not counted).
std::vector<diff_document::MoeBlockEntry> diff_moe_blocks(const nlohmann::json& old_doc, const nlohmann::json& new_doc,
                                                          std::map<std::string, std::int64_t>& counts) {
  const std::vector<MoeBlockReport> old_blocks = moe_blocks_of(old_doc), new_blocks = moe_blocks_of(new_doc);
  std::map<MoeBlockKey, const MoeBlockReport*> old_by_key;
  for (const MoeBlockReport& o : old_blocks) old_by_key.emplace(moe_block_key(o), &o);
  std::set<MoeBlockKey> matched;
  std::vector<diff_document::MoeBlockEntry> out;
  for (const MoeBlockReport& n : new_blocks) {
    const auto it = old_by_key.find(moe_block_key(n));
    if (it == old_by_key.end() || !matched.insert(it->first).second) {
      out.push_back(one_sided_moe_block(n, "only_new", counts));
      continue;
    }
    const MoeBlockReport& o = *it->second;
    diff_document::MoeBlockEntry e{n.config, n.pipeline, "", moe_block_notes(o, n), {}};
    e.stages = match_items(moe_all_stages(o), moe_all_stages(n), moe_stage_key, moe_stage_entry, compare_moe_stage,
                           moe_stage_headline, counts);
    e.status = moe_block_status(e);
    out.push_back(std::move(e));
  }
  for (const MoeBlockReport& o : old_blocks)
    if (!matched.count(moe_block_key(o))) out.push_back(one_sided_moe_block(o, "only_old", counts));
  return out;
}

}  // namespace

ReportDiff diff_reports(const nlohmann::json& old_doc, const nlohmann::json& new_doc, const std::string& old_name,
                        const std::string& new_name) {
  std::map<std::string, std::int64_t> counts{{"regression", 0}, {"fixed", 0},    {"changed", 0},
                                             {"unchanged", 0},  {"only_old", 0}, {"only_new", 0}};
  auto entry = [](const case_document::Case& c) {
    diff_document::CaseEntry e;
    e.op = c.op;
    e.dtype = c.dtype;
    e.params_label = c.params_label;
    e.kernel = c.kernel;
    e.arity = c.arity;
    return e;
  };
  diff_document::Diff diff{kReportDiffSchema, kReportDiffVersion, old_name, new_name, {}, {}, {}, {}, {}};
  diff.cases = match_items(old_doc.at("cases").get<std::vector<case_document::Case>>(),
                           new_doc.at("cases").get<std::vector<case_document::Case>>(), key_of, entry, compare_case,
                           headline, counts);
  diff.routing = diff_routing(old_doc, new_doc, counts);
  diff.combine = diff_combine(old_doc, new_doc, counts);
  diff.moe_blocks = diff_moe_blocks(old_doc, new_doc, counts);
  diff.summary = {counts["regression"], counts["fixed"],    counts["changed"],
                  counts["unchanged"],  counts["only_old"], counts["only_new"]};
  ReportDiff d;
  d.regressions = diff.summary.regressions;
  d.json = diff;
  return d;
}

namespace {

using report_table::Cell;
using report_table::Table;
namespace diff_doc = diff_document;

/// "0.5 -> **1.2** (+0.7)", or the one side there is; `get` reads the figure of a headline.
template <class Entry, class Get>
Cell change_cell(const Entry& e, Get get, Unit u) {
  if (!e.old_side) return value_text(get(*e.new_side), u);
  if (!e.new_side) return value_text(get(*e.old_side), u);
  const double a = get(*e.old_side), b = get(*e.new_side);
  if (same(a, b)) return value_text(b, u);
  const std::string d = delta_text(a, b, u);
  return {value_text(a, u) + " -> ", report_table::flag(value_text(b, u)), d.empty() ? "" : " (" + d + ")"};
}

template <class Entry>
Cell verdict_cell(const Entry& e) {
  if (e.status == "only_new") return fmt::format("new: {}", e.new_side->verdict);
  if (e.status == "only_old") return fmt::format("{}, gone", e.old_side->verdict);
  if (e.status == "regression") return {"PASS -> ", report_table::flag("FAIL")};
  if (e.status == "fixed") return {"FAIL -> ", report_table::flag("PASS")};
  return e.new_side->verdict;
}

/// A diff entry's figures as a table of old, new and change, each written in the unit its
/// figure has in `table` (`fallback` for a figure it does not know).
template <class F, std::size_t N>
std::string moved_figures_markdown(const std::vector<diff_doc::MovedFigure>& figures, const F (&table)[N],
                                   Unit fallback) {
  Table t({{"figure"}, report_table::right("OLD"), report_table::right("NEW"), report_table::right("change")});
  for (const diff_doc::MovedFigure& f : figures) {
    Unit u = fallback;
    for (const Figure& known : table)
      if (f.figure == known.key) u = known.unit;
    const double a = f.old_value.value, b = f.new_value.value;
    t.rows.push_back({{f.name, value_text(a, u), value_text(b, u), delta_text(a, b, u)}});
  }
  return report_table::render_markdown(t);
}

/// An entry's notes and moved figures, under the heading `title`.
template <class Entry, class F, std::size_t N>
std::string entry_markdown(const std::string& title, const Entry& e, const F (&table)[N], Unit fallback) {
  std::string out = title;
  for (const std::string& note : e.comparison->notes) out += fmt::format("- {}\n", note);
  if (!e.comparison->notes.empty()) out += '\n';
  if (!e.comparison->figures.empty()) out += moved_figures_markdown(e.comparison->figures, table, fallback);
  return out;
}

/// The entries that are not unchanged.
template <class Entry>
std::vector<const Entry*> changed_entries(const std::vector<Entry>& entries) {
  std::vector<const Entry*> shown;
  for (const Entry& e : entries)
    if (e.status != "unchanged") shown.push_back(&e);
  return shown;
}

/// The routing cases that are not unchanged: a table, then each one's figures.
std::string routing_diff_markdown(const diff_doc::Diff& diff) {
  const std::vector<const diff_doc::RoutingEntry*> shown = changed_entries(diff.routing);
  if (shown.empty()) return {};
  using H = diff_doc::RoutingHeadline;
  Table t({{"config"}, {"logits"}, {"bias"}, {"kernel"}, {"status"}, {"verdict"}, report_table::right("routing errors"),
           report_table::right("near-ties"), report_table::right("invalid ids"), report_table::right("max weight ULP"),
           report_table::right("weight breaches")});
  for (const diff_doc::RoutingEntry* e : shown)
    t.rows.push_back({{e->config, e->logits_dtype, e->bias_dtype + " " + e->bias_name, e->kernel, e->status,
                       verdict_cell(*e),
                       change_cell(*e, [](const H& h) { return double(h.mismatches); }, Unit::count),
                       change_cell(*e, [](const H& h) { return double(h.near_ties); }, Unit::count),
                       change_cell(*e, [](const H& h) { return double(h.invalid); }, Unit::count),
                       change_cell(*e, [](const H& h) { return h.weights_max_ulp.value; }, Unit::ulp),
                       change_cell(*e, [](const H& h) { return double(h.weights_breaches); }, Unit::count)}});
  std::string out = "## biased_grouped_topk\n\n" + report_table::render_markdown(t);
  for (const diff_doc::RoutingEntry* e : shown)
    if (e->comparison)
      out += entry_markdown(fmt::format("### {} logits, {} {} bias, {}: {}\n\n", e->logits_dtype, e->bias_dtype,
                                        e->bias_name, e->kernel, e->status),
                            *e, kRoutingFigures, Unit::count);
  return out;
}

/// The combine cases that are not unchanged: a table, then each one's figures.
std::string combine_diff_markdown(const diff_doc::Diff& diff) {
  const std::vector<const diff_doc::CombineEntry*> shown = changed_entries(diff.combine);
  if (shown.empty()) return {};
  using H = diff_doc::CombineHeadline;
  Table t({{"dtype"}, {"config"}, {"kernel"}, {"status"}, {"verdict"}, report_table::right("max ULP"),
           report_table::right("max ULP outside floor"), report_table::right("p99 ULP"),
           report_table::right("correctly rounded"), report_table::right("breaches"),
           report_table::right("NaN/inf")});
  for (const diff_doc::CombineEntry* e : shown)
    t.rows.push_back({{e->dtype, e->config, e->kernel, e->status, verdict_cell(*e),
                       change_cell(*e, [](const H& h) { return h.max_ulp.value; }, Unit::ulp),
                       change_cell(*e, [](const H& h) { return h.max_ulp_above_floor.value; }, Unit::ulp),
                       change_cell(*e, [](const H& h) { return h.p99_ulp.value; }, Unit::ulp),
                       change_cell(*e, [](const H& h) { return h.fraction_correctly_rounded.value; }, Unit::fraction),
                       change_cell(*e, [](const H& h) { return double(h.breaches); }, Unit::count),
                       change_cell(*e, [](const H& h) { return double(h.semantic_violations); }, Unit::count)}});
  std::string out = "## moe_combine\n\n" + report_table::render_markdown(t);
  for (const diff_doc::CombineEntry* e : shown)
    if (e->comparison)
      out += entry_markdown(fmt::format("### {} {}, {}: {}\n\n", e->dtype, e->config, e->kernel, e->status), *e,
                            kCombineFigures, Unit::ulp);
  return out;
}

/// The MoE blocks that are not unchanged: per block its notes, a table of the stages that
/// are not unchanged, then each one's figures.
std::string moe_block_diff_markdown(const diff_doc::Diff& diff) {
  std::string out;
  using H = diff_doc::MoeStageHeadline;
  for (const diff_doc::MoeBlockEntry& b : diff.moe_blocks) {
    if (b.status == "unchanged") continue;
    out += fmt::format("## MoE block, {} pipeline: {}: {}\n\n", b.pipeline, b.config, b.status);
    for (const std::string& note : b.notes) out += fmt::format("- {}\n", note);
    if (!b.notes.empty()) out += '\n';
    const std::vector<const diff_doc::MoeStageEntry*> shown = changed_entries(b.stages);
    if (shown.empty()) continue;
    Table t({{"stage"}, {"kernel"}, {"status"}, {"verdict"}, report_table::right("own max ULP"),
             report_table::right("own p99 ULP"), report_table::right("chained rel"),
             report_table::right("own outside claim")});
    for (const diff_doc::MoeStageEntry* e : shown)
      t.rows.push_back({{e->stage, e->kernel, e->status, verdict_cell(*e),
                         change_cell(*e, [](const H& h) { return h.own_max_ulp.value; }, Unit::ulp),
                         change_cell(*e, [](const H& h) { return h.own_p99_ulp.value; }, Unit::ulp),
                         change_cell(*e, [](const H& h) { return h.chained_max_relative.value; }, Unit::relative),
                         change_cell(*e, [](const H& h) { return double(h.own_breaches); }, Unit::count)}});
    out += report_table::render_markdown(t);
    for (const diff_doc::MoeStageEntry* e : shown)
      if (e->comparison)
        out += entry_markdown(fmt::format("### {}, {}: {}\n\n", e->stage, e->kernel, e->status), *e, kMoeStageFigures,
                              Unit::ulp);
  }
  return out;
}

/// The sections after the elementwise cases: routing, combine, the MoE block.
std::string family_diff_markdown(const diff_doc::Diff& diff) {
  return routing_diff_markdown(diff) + combine_diff_markdown(diff) + moe_block_diff_markdown(diff);
}

}  // namespace

std::string render_diff_markdown(const nlohmann::json& diff_json) {
  const auto diff = diff_json.get<diff_doc::Diff>();
  const diff_doc::Summary& s = diff.summary;
  std::string out = "# Precision report diff\n\n";
  out += fmt::format("OLD `{}` -> NEW `{}`\n\n", diff.old_name, diff.new_name);
  const std::int64_t regressions = s.regressions;
  out += regressions ? fmt::format("**REGRESSION**: {} case{} passed before and fail{} now.\n\n", regressions,
                                   regressions == 1 ? "" : "s", regressions == 1 ? "s" : "")
                     : "No regressions: no case that passed before fails now.\n\n";
  out += fmt::format("{} regression{}, {} fixed, {} changed, {} unchanged, {} only in OLD, {} only in NEW.\n\n",
                     regressions, regressions == 1 ? "" : "s", s.fixed, s.changed, s.unchanged, s.only_old,
                     s.only_new);
  const std::vector<const diff_doc::CaseEntry*> shown = changed_entries(diff.cases);
  if (shown.empty()) return out + family_diff_markdown(diff);

  using H = diff_doc::CaseHeadline;
  Table t({{"dtype"}, {"op"}, {"params"}, {"kernel"}, {"status"}, {"verdict"}, report_table::right("max ULP"),
           report_table::right("max ULP outside floor"), report_table::right("correctly rounded"),
           report_table::right("p99 ULP"), report_table::right("breaches")});
  for (const diff_doc::CaseEntry* e : shown)
    t.rows.push_back({{e->dtype, e->op, e->params_label.empty() ? Cell(report_table::dash()) : Cell(e->params_label),
                       e->kernel, e->status, verdict_cell(*e),
                       change_cell(*e, [](const H& h) { return h.max_ulp.value; }, Unit::ulp),
                       change_cell(*e, [](const H& h) { return h.max_ulp_above_floor.value; }, Unit::ulp),
                       change_cell(*e, [](const H& h) { return h.fraction_correctly_rounded.value; }, Unit::fraction),
                       change_cell(*e, [](const H& h) { return h.p99_ulp.value; }, Unit::ulp),
                       change_cell(*e, [](const H& h) { return double(h.budget_breaches); }, Unit::count)}});
  out += report_table::render_markdown(t);

  for (const diff_doc::CaseEntry* e : shown) {
    if (!e->comparison) continue;
    out += entry_markdown(fmt::format("## {} {} {}{}: {}\n\n", e->dtype, e->op,
                                      e->params_label.empty() ? "" : e->params_label + " ", e->kernel, e->status),
                          *e, kFigures, Unit::ulp);
    if (!e->new_worst.empty()) {
      out += "New worst inputs (breaches and worst outside the floor region that OLD did not list):\n\n";
      const bool past_first_call = std::any_of(e->new_worst.begin(), e->new_worst.end(),
                                               [](const case_document::Element& w) { return w.batch && *w.batch != 0; });
      out += report_table::render_markdown(case_tables::elements(e->arity == 2, e->new_worst, past_first_call));
    }
  }
  return out + family_diff_markdown(diff);
}

}  // namespace ulpcheck
