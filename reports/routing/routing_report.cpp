#include "ulpcheck/reports/routing/routing_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <initializer_list>

#include "reports/report_check.hpp"
#include "reports/report_text.hpp"
#include "reports/routing/routing_document.hpp"
#include "reports/routing/routing_tables.hpp"

namespace ulpcheck {

using report_text::number;
using report_text::to_double;
using report_text::to_int;

namespace {

double fraction(std::int64_t n, std::int64_t of) { return of ? static_cast<double>(n) / static_cast<double>(of) : 0.0; }

nlohmann::json set_difference_json(const SetDifference& d) { return {{"tokens", d.tokens}, {"differ", d.differ}}; }

nlohmann::json bias_cast_json(const BiasCastComparison& r) {
  std::vector<Format> targets;
  for (const BiasCastCall& c : r.calls)
    if (std::find(targets.begin(), targets.end(), c.target) == targets.end()) targets.push_back(c.target);
  nlohmann::json names = nlohmann::json::array(), per_target = nlohmann::json::array();
  for (Format f : targets) {
    names.push_back(name(f));
    std::int64_t calls = 0, identical = 0, tokens = 0, differ = 0, sets = 0;
    for (const BiasCastCall& c : r.calls) {
      if (c.target != f) continue;
      ++calls;
      identical += c.identical();
      tokens += c.tokens;
      differ += c.tokens_differ;
      sets += c.sets_differ;
    }
    per_target.push_back({{"target", name(f)},
                          {"calls", calls},
                          {"identical_calls", identical},
                          {"tokens", tokens},
                          {"tokens_differ", differ},
                          {"sets_differ", sets}});
  }
  return {{"cast_once_to", name(r.cast_once_to)},
          {"targets", std::move(names)},
          {"calls", static_cast<std::int64_t>(r.calls.size())},
          {"identical_calls", r.identical_calls()},
          {"tokens", r.tokens()},
          {"tokens_differ", r.tokens_differ()},
          {"sets_differ", r.sets_differ()},
          {"per_target", std::move(per_target)},
          {"first_difference", r.first_difference}};
}

/// A run whose every call casts to the dtype the bias was cast to once: it must be
/// bit-identical.
bool steady(const nlohmann::json& run) {
  return run.at("targets").size() == 1 && run.at("targets")[0] == run.at("cast_once_to");
}

bool study_holds(const nlohmann::json& study) {
  for (const nlohmann::json& b : study.at("biases"))
    for (const nlohmann::json& run : b.at("bias_cast"))
      if (steady(run) && to_int(run.at("tokens_differ")) != 0) return false;
  return true;
}

}  // namespace

nlohmann::json routing_case_json(const RoutingKernel& kernel, const RoutingClaim& claim, const RoutingStats& s,
                                 const MarginsWithinBand& band) {
  const bool pass = s.passes();
  return routing_document::Case{
      std::string(kernel.name()),
      std::string(kernel.description()),
      {std::string(name(claim.arithmetic)), {claim.score_abs_error}, {claim.weights.max_ulp}, {claim.weights.abs_floor},
       {claim.min_score_sum}, claim.nan_weights_when_scores_vanish, claim.sorted},
      s.tokens, s.matches, s.near_ties, s.mismatches, s.invalid, s.order_differs,
      fraction(s.mismatches, s.tokens), fraction(s.near_ties, s.tokens),
      {band.group, band.expert, band.either},
      {s.weight_tokens_checked, s.weights_in_floor, {s.max_weight_ulp}, {s.weight_ulp_percentile(0.99)},
       s.weight_breaches, s.bad_weights, {s.max_weight_sum_error}},
      s.failures, pass, pass ? "PASS" : "FAIL"};
}

nlohmann::json routing_batch_json(const RoutingBatchInfo& b, const RoutingOracleCounts& o, const MarginHistogram& m,
                                  std::vector<nlohmann::json> cases) {
  routing_document::Batch batch{std::string(name(b.logits)),
                                std::string(name(b.bias)),
                                b.bias_name,
                                b.bias_distribution,
                                b.tokens,
                                {o.comparisons, o.special, o.double_tier, o.exact_ties, o.mpfr_tier, o.mpfr_retries},
                                {m.tokens, m.group_ties, m.expert_ties, m.group_unbounded, m.expert_unbounded, {}}};
  for (const MarginBinade& r : m.binades) batch.margin_histogram.binades.push_back({r.binade, r.group, r.expert});
  nlohmann::json j = batch;
  j["cases"] = std::move(cases);
  return j;
}

nlohmann::json precision_study_json(const PrecisionStudy& study) {
  nlohmann::json biases = nlohmann::json::array();
  for (const PrecisionStudyBias& b : study.biases) {
    nlohmann::json cells = nlohmann::json::array(), runs = nlohmann::json::array(), flips = nlohmann::json::array();
    for (const InputRoundingCell& c : b.cells)
      cells.push_back({{"logits_dtype", name(c.logits)},
                       {"bias_dtype", name(c.bias)},
                       {"tokens", c.oracle.tokens},
                       {"oracle_differ", c.oracle.differ},
                       {"kernel_differ", c.kernel.differ}});
    for (const BiasCastComparison& r : b.bias_cast) runs.push_back(bias_cast_json(r));
    for (const auto& [logits, d] : b.flips) {
      nlohmann::json f = set_difference_json(d);
      f["logits_dtype"] = name(logits);
      flips.push_back(std::move(f));
    }
    biases.push_back({{"bias_name", b.name},
                      {"bias", b.distribution},
                      {"cells", std::move(cells)},
                      {"bias_cast", std::move(runs)},
                      {"flips", std::move(flips)}});
  }
  nlohmann::json j{{"kernel", study.kernel}, {"call_tokens", study.call_tokens}, {"biases", std::move(biases)}};
  j["holds"] = study_holds(j);
  return j;
}

nlohmann::json routing_section_json(const RoutingConfig& c, const std::string& logits, std::int64_t tokens,
                                    std::uint64_t seed, std::vector<nlohmann::json> batches,
                                    std::optional<nlohmann::json> precision_study) {
  std::int64_t cases = 0, passed = 0;
  for (const nlohmann::json& b : batches)
    for (const nlohmann::json& k : b.at("cases")) ++cases, passed += k.at("pass").get<bool>();
  const bool holds = !precision_study || precision_study->at("holds").get<bool>();
  const bool pass = passed == cases && holds;
  nlohmann::json j = routing_document::Section{
      std::string(kRoutingOpName),
      std::string(kRoutingFormula),
      {c.experts, c.n_group, c.topk_group, c.topk, std::string(name(c.scoring)), c.renormalize, c.routed_scaling_factor, c.label()},
      logits,
      tokens,
      seed,
      {cases, passed, cases - passed, pass, pass ? "PASS" : "FAIL"}};
  j["batches"] = std::move(batches);
  j["precision_study"] = precision_study ? std::move(*precision_study) : nlohmann::json(nullptr);
  return j;
}

// --- checking ----------------------------------------------------------------------------

namespace {

using report_check::check_shape;
using report_check::Kind;
using report_check::Shape;

const Shape kClaim{{{"arithmetic", Kind::string}, {"score_abs_error", Kind::number},
                    {"weights_max_ulp", Kind::number}, {"weights_abs_floor", Kind::number},
                    {"min_score_sum", Kind::number}, {"nan_weights_when_scores_vanish", Kind::boolean},
                    {"sorted", Kind::boolean}}};
const Shape kBand{{{"group", Kind::integer}, {"expert", Kind::integer}, {"either", Kind::integer}}};
const Shape kWeights{{{"tokens_checked", Kind::integer}, {"tokens_in_floor", Kind::integer}, {"max_ulp", Kind::number},
                      {"p99_ulp", Kind::number}, {"breaches", Kind::integer}, {"bad", Kind::integer},
                      {"max_sum_error", Kind::number}}};

std::string check_case_more(const nlohmann::json& k, const std::string& where) {
  std::size_t i = 0;
  for (const nlohmann::json& f : k["failures"]) {
    if (!f.is_string()) return fmt::format("{}.failures[{}]: expected a string", where, i);
    ++i;
  }
  if (to_int(k["matches"]) + to_int(k["near_ties"]) + to_int(k["mismatches"]) + to_int(k["invalid"]) !=
      to_int(k["tokens"]))
    return fmt::format("{}: matches + near_ties + mismatches + invalid is not tokens", where);
  return {};
}

const Shape kCase{{{"kernel", Kind::string}, {"kernel_description", Kind::string}, {"claim", Kind::object, &kClaim},
                   {"tokens", Kind::integer}, {"matches", Kind::integer}, {"near_ties", Kind::integer},
                   {"mismatches", Kind::integer}, {"invalid", Kind::integer}, {"order_differs", Kind::integer},
                   {"fraction_mismatches", Kind::number}, {"fraction_near_ties", Kind::number},
                   {"margins_within_band", Kind::object, &kBand}, {"weights", Kind::object, &kWeights},
                   {"failures", Kind::array}, {"pass", Kind::boolean}, {"verdict", Kind::string}},
                  [](const nlohmann::json& k) {
                    return k.contains("kernel") ? fmt::format(" ({})", k["kernel"].dump()) : std::string();
                  },
                  check_case_more};

const Shape kOracle{{{"comparisons", Kind::integer}, {"special", Kind::integer}, {"double_tier", Kind::integer},
                     {"exact_ties", Kind::integer}, {"mpfr_tier", Kind::integer}, {"mpfr_retries", Kind::integer}}};
const Shape kMarginBinade{{{"binade", Kind::integer}, {"group", Kind::integer}, {"expert", Kind::integer}}};
const Shape kMargins{{{"tokens", Kind::integer}, {"group_ties", Kind::integer}, {"expert_ties", Kind::integer},
                      {"group_unbounded", Kind::integer}, {"expert_unbounded", Kind::integer},
                      {"binades", Kind::array, &kMarginBinade}}};

const Shape kBatch{{{"logits_dtype", Kind::string}, {"bias_dtype", Kind::string}, {"bias_name", Kind::string},
                    {"bias", Kind::string}, {"tokens", Kind::integer}, {"oracle", Kind::object, &kOracle},
                    {"margin_histogram", Kind::object, &kMargins}, {"cases", Kind::array, &kCase}},
                   [](const nlohmann::json& b) {
                     if (!b.contains("logits_dtype") || !b.contains("bias_dtype") || !b.contains("bias_name"))
                       return std::string();
                     return fmt::format(" ({} logits, {} {} bias)", b["logits_dtype"].dump(), b["bias_dtype"].dump(),
                                        b["bias_name"].dump());
                   }};

const Shape kCell{{{"logits_dtype", Kind::string}, {"bias_dtype", Kind::string}, {"tokens", Kind::integer},
                   {"oracle_differ", Kind::integer}, {"kernel_differ", Kind::integer}}};
const Shape kFlip{{{"logits_dtype", Kind::string}, {"tokens", Kind::integer}, {"differ", Kind::integer}}};
const Shape kPerTarget{{{"target", Kind::string}, {"calls", Kind::integer}, {"identical_calls", Kind::integer},
                        {"tokens", Kind::integer}, {"tokens_differ", Kind::integer}, {"sets_differ", Kind::integer}}};
const Shape kBiasCast{{{"cast_once_to", Kind::string}, {"targets", Kind::array}, {"calls", Kind::integer},
                       {"identical_calls", Kind::integer}, {"tokens", Kind::integer},
                       {"tokens_differ", Kind::integer}, {"sets_differ", Kind::integer},
                       {"per_target", Kind::array, &kPerTarget}, {"first_difference", Kind::string}},
                      nullptr,
                      [](const nlohmann::json& run, const std::string& where) {
                        for (const nlohmann::json& t : run["targets"])
                          if (!t.is_string()) return fmt::format("{}: \"targets\" must hold dtype names", where);
                        return std::string();
                      }};
const Shape kStudyBias{{{"bias_name", Kind::string}, {"bias", Kind::string}, {"cells", Kind::array, &kCell},
                        {"bias_cast", Kind::array, &kBiasCast}, {"flips", Kind::array, &kFlip}}};
const Shape kStudy{{{"kernel", Kind::string}, {"call_tokens", Kind::integer}, {"holds", Kind::boolean},
                    {"biases", Kind::array, &kStudyBias}}};

const Shape kConfig{{{"experts", Kind::integer}, {"n_group", Kind::integer}, {"topk_group", Kind::integer},
                     {"topk", Kind::integer}, {"scoring", Kind::string}, {"renormalize", Kind::boolean},
                     {"routed_scaling_factor", Kind::number}, {"label", Kind::string}}};
const Shape kSummary{{{"cases", Kind::integer}, {"passed", Kind::integer}, {"failed", Kind::integer},
                      {"pass", Kind::boolean}, {"verdict", Kind::string}}};

const Shape kRoutingSection{{{"op", Kind::string}, {"formula", Kind::string}, {"config", Kind::object, &kConfig},
                      {"logits", Kind::string}, {"tokens", Kind::integer}, {"seed", Kind::integer},
                      {"summary", Kind::object, &kSummary}, {"batches", Kind::array, &kBatch}},
                     nullptr,
                     [](const nlohmann::json& s, const std::string& where) {
                       if (!s.contains("precision_study"))
                         return fmt::format("{}: \"precision_study\" is missing (null when the study was not run)",
                                            where);
                       if (s["precision_study"].is_null()) return std::string();
                       return check_shape(s["precision_study"], where + ".precision_study", kStudy);
                     }};

}  // namespace

std::string check_routing_section(const nlohmann::json& s, const std::string& where) {
  return check_shape(s, where, kRoutingSection);
}

// --- tables shared by the Markdown and the HTML --------------------------------------------

namespace routing_tables {

std::string count_share(std::int64_t n, std::int64_t of) {
  if (n == 0) return "0";
  return fmt::format("{} ({:.4f}%)", n, 100.0 * fraction(n, of));
}

std::string share_count(std::int64_t n, std::int64_t of) {
  return fmt::format("{:.4f}% ({})", 100.0 * fraction(n, of), n);
}

report_table::Cell bias(const nlohmann::json& b) {
  const std::string name = b.at("bias_name").get<std::string>(), dist = b.at("bias").get<std::string>();
  if (name == dist) return name;
  return {name, " ", report_table::note(dist)};
}

report_table::Table cases(const nlohmann::json& section) {
  using report_table::flag;
  using report_table::right;
  report_table::Table t{{{"logits"}, {"bias"}, {"kernel"}, right("routing errors"), right("near-ties"),
                         right("invalid ids"), right("group margin within band"), right("expert margin within band"),
                         right("weight ULP max / p99"), right("weight breaches"), right("tokens in weight floor"),
                         {"verdict"}}};
  for (const nlohmann::json& b : section.at("batches"))
    for (const nlohmann::json& k : b.at("cases")) {
      const std::int64_t n = to_int(k.at("tokens")), mismatches = to_int(k.at("mismatches"));
      const std::int64_t invalid = to_int(k.at("invalid"));
      const nlohmann::json& band = k.at("margins_within_band");
      const nlohmann::json& w = k.at("weights");
      const std::int64_t breaches = to_int(w.at("breaches")), bad = to_int(w.at("bad"));
      report_table::Cell bias_cell = bias(b);
      bias_cell.spans.insert(bias_cell.spans.begin(), {b.at("bias_dtype").get<std::string>(), " "});
      report_table::Cell weight_breaches = breaches ? flag(std::to_string(breaches)) : "0";
      if (bad) weight_breaches.spans.insert(weight_breaches.spans.end(), {" + ", flag(std::to_string(bad)), " NaN/inf/negative"});
      const bool pass = k.at("pass").get<bool>();
      t.rows.push_back({{b.at("logits_dtype").get<std::string>(), std::move(bias_cell),
                         report_table::name(k.at("kernel").get<std::string>()),
                         mismatches ? flag(count_share(mismatches, n)) : "0", count_share(to_int(k.at("near_ties")), n),
                         invalid ? flag(std::to_string(invalid)) : "0", count_share(to_int(band.at("group")), n),
                         count_share(to_int(band.at("expert")), n),
                         fmt::format("{} / {}", report_text::ulp(to_double(w.at("max_ulp"))),
                                     report_text::ulp(to_double(w.at("p99_ulp")))),
                         std::move(weight_breaches), count_share(to_int(w.at("tokens_in_floor")), n),
                         report_table::verdict(pass)},
                        !pass});
    }
  return t;
}

report_table::Table input_rounding(const nlohmann::json& study) {
  const nlohmann::json& biases = study.at("biases");
  report_table::Table t{{{"logits"}, {"bias"}}};
  for (const nlohmann::json& b : biases) {
    t.groups.push_back({bias(b), t.columns.size(), 2});
    t.columns.insert(t.columns.end(), {report_table::right("oracle"), report_table::right("kernel")});
  }
  const std::size_t pairs = biases.empty() ? 0 : biases[0].at("cells").size();
  for (std::size_t c = 0; c < pairs; ++c) {
    const nlohmann::json& first = biases[0].at("cells")[c];
    report_table::Row row{{first.at("logits_dtype").get<std::string>(), first.at("bias_dtype").get<std::string>()}};
    for (const nlohmann::json& b : biases) {
      const nlohmann::json& cell = b.at("cells").at(c);
      const std::int64_t n = to_int(cell.at("tokens"));
      row.cells.insert(row.cells.end(),
                       {share_count(to_int(cell.at("oracle_differ")), n), share_count(to_int(cell.at("kernel_differ")), n)});
    }
    t.rows.push_back(std::move(row));
  }
  return t;
}

report_table::Table bias_cast(const nlohmann::json& study) {
  using report_table::right;
  report_table::Table t{{{"bias"}, {"cast once to"}, {"target per call"}, right("calls"), right("bit-identical"),
                         right("tokens whose ids or weight bits differ"), right("tokens changing experts")}};
  for (const nlohmann::json& b : study.at("biases"))
    for (const nlohmann::json& run : b.at("bias_cast")) {
      const bool alternating = run.at("targets").size() > 1;
      for (const nlohmann::json& per : run.at("per_target")) {
        const std::int64_t tokens = to_int(per.at("tokens")), differ = to_int(per.at("tokens_differ"));
        const std::string target = per.at("target").get<std::string>();
        t.rows.push_back({{bias(b), run.at("cast_once_to").get<std::string>(),
                           alternating ? fmt::format("alternating: the {} calls", target)
                                       : fmt::format("{} on every call", target),
                           std::to_string(to_int(per.at("calls"))), std::to_string(to_int(per.at("identical_calls"))),
                           count_share(differ, tokens), count_share(to_int(per.at("sets_differ")), tokens)},
                          !alternating && differ != 0});
      }
    }
  return t;
}

report_table::Table flips(const nlohmann::json& study) {
  std::vector<std::string> logits;
  for (const nlohmann::json& b : study.at("biases"))
    for (const nlohmann::json& f : b.at("flips"))
      if (std::find(logits.begin(), logits.end(), f.at("logits_dtype").get<std::string>()) == logits.end())
        logits.push_back(f.at("logits_dtype").get<std::string>());
  report_table::Table t{{{"bias"}}};
  for (const std::string& l : logits) t.columns.push_back(report_table::right("logits " + l));
  for (const nlohmann::json& b : study.at("biases")) {
    report_table::Row row{{bias(b)}};
    for (const std::string& l : logits) {
      report_table::Cell cell = report_table::dash();
      for (const nlohmann::json& f : b.at("flips"))
        if (f.at("logits_dtype").get<std::string>() == l)
          cell = share_count(to_int(f.at("differ")), to_int(f.at("tokens")));
      row.cells.push_back(std::move(cell));
    }
    t.rows.push_back(std::move(row));
  }
  return t;
}

}  // namespace routing_tables

// --- Markdown ------------------------------------------------------------------------------

namespace {

using report_text::str;
using routing_tables::count_share;
using routing_tables::share_count;

std::string bias_text(const nlohmann::json& b) { return report_table::cell_markdown(routing_tables::bias(b)); }

/// The margin bins of the Markdown tables: exact ties, then powers of 16 from 2^-24 to
/// 2^-4, then unbounded (nothing, or only invalid candidates, dropped).
constexpr std::array kEdges{-24, -20, -16, -12, -8, -4};

std::vector<std::int64_t> margin_bins(const nlohmann::json& m, const char* which) {
  std::vector<std::int64_t> bins(kEdges.size() + 3, 0);
  bins.front() = to_int(m.at(std::string(which) + "_ties"));
  bins.back() = to_int(m.at(std::string(which) + "_unbounded"));
  for (const nlohmann::json& r : m.at("binades")) {
    const int b = r.at("binade").get<int>();
    std::size_t i = 0;
    while (i < kEdges.size() && b >= kEdges[i]) ++i;
    bins[1 + i] += to_int(r.at(which));
  }
  return bins;
}

std::string margin_table(const nlohmann::json& batches, const char* which) {
  std::string out = "| logits | bias | tie |";
  out += fmt::format(" < 2^{} |", kEdges.front());
  for (std::size_t i = 0; i + 1 < kEdges.size(); ++i) out += fmt::format(" [2^{}, 2^{}) |", kEdges[i], kEdges[i + 1]);
  out += fmt::format(" >= 2^{} | unbounded |\n|---|---|", kEdges.back());
  for (std::size_t i = 0; i < kEdges.size() + 3; ++i) out += "---:|";
  out += '\n';
  for (const nlohmann::json& b : batches) {
    out += fmt::format("| {} | {} {} |", str(b, "logits_dtype"), str(b, "bias_dtype"), bias_text(b));
    for (std::int64_t n : margin_bins(b.at("margin_histogram"), which)) out += fmt::format(" {} |", n);
    out += '\n';
  }
  return out + '\n';
}

void study_markdown(std::string& out, const nlohmann::json& s, const nlohmann::json& section, const std::string& h) {
  const nlohmann::json& biases = s.at("biases");
  const std::int64_t tokens = to_int(section.at("tokens"));
  out += fmt::format("{} Precision study: rounding the logits and the bias\n\n", h);
  out += fmt::format("Logits ({}) and bias drawn in fp32; the exact routing of those fp32 inputs is the truth. Each "
                     "(logits, bias) pair rounds them first, to nearest even, then routes them with the oracle (what "
                     "the rounding alone does) and with `{}` (what a kernel then picks). Share of the {} tokens whose "
                     "expert set differs from the truth ({}).\n\n",
                     str(section, "logits"), str(s, "kernel"), tokens, str(section.at("config"), "label"));
  out += report_table::render_markdown(routing_tables::input_rounding(s));

  out += fmt::format("{}# Casting the bias once or on every call\n\n", h);
  out += fmt::format("`{}` on the fp32 logits, in calls of {} tokens, two ways: the fp32 bias cast once, before the "
                     "calls, and cast inside every call to that call's target dtype (the gate's output dtype). While "
                     "the target stays the dtype cast to once, the two must route bit for bit alike (ids and weight "
                     "bits): {}. Where the target alternates between fp32 and bf16 (engines that switch the gate's "
                     "output dtype by batch size), the bias cast once to bf16 is wrong on every fp32 call.\n\n",
                     str(s, "kernel"), to_int(s.at("call_tokens")),
                     s.at("holds").get<bool>() ? "**holds**" : "**does not hold**");
  out += report_table::render_markdown(routing_tables::bias_cast(s));
  out += "Tokens whose expert set flips between a call with the bias in fp32 and one with it in bf16 (same logits):\n\n";
  out += report_table::render_markdown(routing_tables::flips(s));
  for (const nlohmann::json& b : biases)
    for (const nlohmann::json& run : b.at("bias_cast"))
      if (steady(run) && to_int(run.at("tokens_differ")) != 0)
        out += fmt::format("First difference ({}, cast once to {}):\n\n```\n{}```\n\n", bias_text(b),
                           str(run, "cast_once_to"), str(run, "first_difference"));
}

}  // namespace

std::string render_routing_markdown(const nlohmann::json& s, int level) {
  const std::string h(static_cast<std::size_t>(std::clamp(level, 1, 4)), '#');
  const nlohmann::json& sum = s.at("summary");
  const nlohmann::json& batches = s.at("batches");
  std::string out = fmt::format("{} {}\n\n", h, str(s, "op"));
  out += fmt::format("- op: `{}`: {}\n", str(s, "op"), str(s, "formula"));
  out += fmt::format("- config: {}\n", str(s.at("config"), "label"));
  out += fmt::format("- inputs: {} tokens per batch; logits {} and the bias drawn in fp32 (seed {}), then rounded to "
                     "the batch's dtypes; every kernel of a batch runs on the same inputs against the same exact "
                     "routing\n",
                     to_int(s.at("tokens")), str(s, "logits"), s.at("seed").dump());
  std::int64_t comparisons = 0, dbl = 0, ties = 0, mpfr = 0, special = 0;
  for (const nlohmann::json& b : batches) {
    const nlohmann::json& o = b.at("oracle");
    comparisons += to_int(o.at("comparisons"));
    dbl += to_int(o.at("double_tier"));
    ties += to_int(o.at("exact_ties"));
    mpfr += to_int(o.at("mpfr_tier"));
    special += to_int(o.at("special"));
  }
  out += fmt::format("- oracle: {} comparisons: {} by validity, {} double tier (proven bound), {} exact ties, {} "
                     "MPFR\n\n",
                     comparisons, special, dbl, ties, mpfr);
  out += sum.at("pass").get<bool>()
             ? fmt::format("**PASS**: all {} routing cases within their kernel's claim.\n\n", to_int(sum.at("cases")))
             : fmt::format("**FAIL**: {} of {} routing cases outside their kernel's claim{}.\n\n", to_int(sum.at("failed")),
                           to_int(sum.at("cases")),
                           s.at("precision_study").is_object() && !s["precision_study"].at("holds").get<bool>()
                               ? "; casting the bias once and per call differ"
                               : "");
  out += "Routing errors are different expert sets with no near-tie to explain them; near-ties are different sets "
         "where the exact margin at a boundary lies within the tie band of the kernel's arithmetic (those tokens' "
         "share of the batch is in the \"margin within band\" columns). Weights in fp32 ULP of the exact weight, on tokens "
         "routed alike and outside the weight floor (picked scores too small for the kernel's arithmetic).\n\n";
  out += report_table::render_markdown(routing_tables::cases(s));

  out += fmt::format("{}# Decision margins\n\n", h);
  out += "The oracle's exact margins per token, by powers of two: between the last kept and the best dropped group "
         "score, and between the last picked and the best unpicked biased score. A kernel computing in fp32 resolves "
         "gaps down to about 2 ulps of |b| (2^-22 at |b| near 3); a tie is decided by the lower index.\n\n";
  out += "Group margins:\n\n" + margin_table(batches, "group");
  out += "Expert margins:\n\n" + margin_table(batches, "expert");

  bool any_failure = false;
  for (const nlohmann::json& b : batches)
    for (const nlohmann::json& k : b.at("cases")) {
      if (k.at("failures").empty()) continue;
      if (!any_failure) out += fmt::format("{}# Failing tokens\n\n", h);
      any_failure = true;
      out += fmt::format("{} logits, {} {} bias, `{}` (first {}):\n\n```\n", str(b, "logits_dtype"), str(b, "bias_dtype"),
                         bias_text(b), str(k, "kernel"), k.at("failures").size());
      for (const nlohmann::json& f : k.at("failures")) out += f.get<std::string>();
      out += "```\n\n";
    }
  if (s.at("precision_study").is_object()) study_markdown(out, s["precision_study"], s, h + "#");
  return out;
}

void section_parts(DocumentParts& parts, const RoutingReport& report) {
  std::vector<nlohmann::json> batches;
  for (const RoutingBatchResult& b : report.batches) {
    std::vector<nlohmann::json> cases;
    for (const RoutingCaseResult& c : b.cases) cases.push_back(routing_case_json(*c.kernel, c.claim, c.stats, c.band));
    batches.push_back(routing_batch_json(b.info, b.oracle, b.margins, std::move(cases)));
  }
  std::optional<nlohmann::json> study;
  if (report.precision_study) study = precision_study_json(*report.precision_study);
  parts.routing =
      routing_section_json(report.config, report.logits, report.tokens, report.seed, std::move(batches), std::move(study));
}

}  // namespace ulpcheck
