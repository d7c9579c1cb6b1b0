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

using report_text::to_int;

namespace {

namespace rdoc = routing_document;

double fraction(std::int64_t n, std::int64_t of) { return of ? static_cast<double>(n) / static_cast<double>(of) : 0.0; }

rdoc::BiasCast bias_cast_run(const BiasCastComparison& r) {
  rdoc::BiasCast run{std::string(name(r.cast_once_to)),
                    {},
                    static_cast<std::int64_t>(r.calls.size()),
                    r.identical_calls(),
                    r.tokens(),
                    r.tokens_differ(),
                    r.sets_differ(),
                    {},
                    r.first_difference};
  std::vector<Format> targets;
  for (const BiasCastCall& c : r.calls)
    if (std::find(targets.begin(), targets.end(), c.target) == targets.end()) targets.push_back(c.target);
  for (Format f : targets) {
    rdoc::TargetCalls per{std::string(name(f))};
    for (const BiasCastCall& c : r.calls) {
      if (c.target != f) continue;
      ++per.calls;
      per.identical_calls += c.identical();
      per.tokens += c.tokens;
      per.tokens_differ += c.tokens_differ;
      per.sets_differ += c.sets_differ;
    }
    run.targets.push_back(per.target);
    run.per_target.push_back(std::move(per));
  }
  return run;
}

/// Every run whose calls all cast to the dtype the bias was cast to once is bit-identical.
bool study_holds(const rdoc::Study& study) {
  for (const rdoc::StudyBias& b : study.biases)
    for (const rdoc::BiasCast& run : b.bias_cast)
      if (run.steady() && run.tokens_differ != 0) return false;
  return true;
}

}  // namespace

nlohmann::json routing_case_json(const RoutingKernel& kernel, const RoutingClaim& claim, const RoutingStats& s,
                                 const MarginsWithinBand& band) {
  const bool pass = s.passes();
  return rdoc::Case{
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
  rdoc::BatchWithCases batch{
      {std::string(name(b.logits)),
       std::string(name(b.bias)),
       b.bias_name,
       b.bias_distribution,
       b.tokens,
       {o.comparisons, o.special, o.double_tier, o.exact_ties, o.mpfr_tier, o.mpfr_retries},
       {m.tokens, m.group_ties, m.expert_ties, m.group_unbounded, m.expert_unbounded, {}}},
      {}};
  for (const MarginBinade& r : m.binades) batch.batch.margin_histogram.binades.push_back({r.binade, r.group, r.expert});
  for (const nlohmann::json& k : cases) batch.cases.push_back(k.get<rdoc::Case>());
  return batch;
}

nlohmann::json precision_study_json(const PrecisionStudy& study) {
  rdoc::Study s{study.kernel, study.call_tokens, {}, false};
  for (const PrecisionStudyBias& b : study.biases) {
    rdoc::StudyBias& bias = s.biases.emplace_back(rdoc::StudyBias{b.name, b.distribution, {}, {}, {}});
    for (const InputRoundingCell& c : b.cells)
      bias.cells.push_back(
          {std::string(name(c.logits)), std::string(name(c.bias)), c.oracle.tokens, c.oracle.differ, c.kernel.differ});
    for (const BiasCastComparison& r : b.bias_cast) bias.bias_cast.push_back(bias_cast_run(r));
    for (const auto& [logits, d] : b.flips) bias.flips.push_back({std::string(name(logits)), d.tokens, d.differ});
  }
  s.holds = study_holds(s);
  return s;
}

nlohmann::json routing_section_json(const RoutingConfig& c, const std::string& logits, std::int64_t tokens,
                                    std::uint64_t seed, std::vector<nlohmann::json> batches,
                                    std::optional<nlohmann::json> precision_study) {
  rdoc::SectionWithBatches s;
  for (const nlohmann::json& b : batches) s.batches.push_back(b.get<rdoc::BatchWithCases>());
  if (precision_study) s.precision_study = precision_study->get<rdoc::Study>();
  std::int64_t cases = 0, passed = 0;
  for (const rdoc::BatchWithCases& b : s.batches)
    for (const rdoc::Case& k : b.cases) ++cases, passed += k.pass;
  const bool holds = !s.precision_study || s.precision_study->holds;
  const bool pass = passed == cases && holds;
  s.section = rdoc::Section{
      std::string(kRoutingOpName),
      std::string(kRoutingFormula),
      {c.experts, c.n_group, c.topk_group, c.topk, std::string(name(c.scoring)), c.renormalize, c.routed_scaling_factor, c.label()},
      logits,
      tokens,
      seed,
      {cases, passed, cases - passed, pass, pass ? "PASS" : "FAIL"}};
  return s;
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
  if (std::string problem = check_shape(s, where, kRoutingSection); !problem.empty()) return problem;
  // What the fields' kinds leave open, as the diff reads the section: a section accepted
  // here is one the diff can read.
  try {
    (void)s.get<routing_document::Section>();
    for (const nlohmann::json& b : s.at("batches")) {
      (void)b.get<routing_document::Batch>();
      for (const nlohmann::json& k : b.at("cases")) (void)k.get<routing_document::Case>();
    }
  } catch (const nlohmann::json::exception& e) {
    return fmt::format("{}: {}", where, e.what());
  }
  return {};
}

// --- tables shared by the Markdown and the HTML --------------------------------------------

namespace routing_tables {

namespace {

report_table::Cell bias_with_distribution(const std::string& name, const std::string& distribution) {
  if (name == distribution) return name;
  return {name, " ", report_table::note(distribution)};
}

}  // namespace

std::string count_share(std::int64_t n, std::int64_t of) {
  if (n == 0) return "0";
  return fmt::format("{} ({:.4f}%)", n, 100.0 * fraction(n, of));
}

std::string share_count(std::int64_t n, std::int64_t of) {
  return fmt::format("{:.4f}% ({})", 100.0 * fraction(n, of), n);
}

report_table::Cell bias(const rdoc::Batch& b) { return bias_with_distribution(b.bias_name, b.bias); }

report_table::Cell bias(const rdoc::StudyBias& b) { return bias_with_distribution(b.bias_name, b.bias); }

report_table::Table cases(const rdoc::SectionWithBatches& section) {
  using report_table::flag;
  using report_table::right;
  report_table::Table t{{{"logits"}, {"bias"}, {"kernel"}, right("routing errors"), right("near-ties"),
                         right("invalid ids"), right("group margin within band"), right("expert margin within band"),
                         right("weight ULP max / p99"), right("weight breaches"), right("tokens in weight floor"),
                         {"verdict"}}};
  for (const rdoc::BatchWithCases& batch : section.batches)
    for (const rdoc::Case& k : batch.cases) {
      const rdoc::Batch& b = batch.batch;
      const std::int64_t n = k.tokens;
      const rdoc::Weights& w = k.weights;
      report_table::Cell bias_cell = bias(b);
      bias_cell.spans.insert(bias_cell.spans.begin(), {b.bias_dtype, " "});
      report_table::Cell weight_breaches = w.breaches ? flag(std::to_string(w.breaches)) : "0";
      if (w.bad)
        weight_breaches.spans.insert(weight_breaches.spans.end(), {" + ", flag(std::to_string(w.bad)), " NaN/inf/negative"});
      t.rows.push_back({{b.logits_dtype, std::move(bias_cell), report_table::name(k.kernel),
                         k.mismatches ? flag(count_share(k.mismatches, n)) : "0", count_share(k.near_ties, n),
                         k.invalid ? flag(std::to_string(k.invalid)) : "0",
                         count_share(k.margins_within_band.group, n), count_share(k.margins_within_band.expert, n),
                         fmt::format("{} / {}", report_text::ulp(w.max_ulp.value), report_text::ulp(w.p99_ulp.value)),
                         std::move(weight_breaches), count_share(w.tokens_in_floor, n), report_table::verdict(k.pass)},
                        !k.pass});
    }
  return t;
}

report_table::Table input_rounding(const rdoc::Study& study) {
  const std::vector<rdoc::StudyBias>& biases = study.biases;
  report_table::Table t{{{"logits"}, {"bias"}}};
  for (const rdoc::StudyBias& b : biases) {
    t.groups.push_back({bias(b), t.columns.size(), 2});
    t.columns.insert(t.columns.end(), {report_table::right("oracle"), report_table::right("kernel")});
  }
  const std::size_t pairs = biases.empty() ? 0 : biases[0].cells.size();
  for (std::size_t c = 0; c < pairs; ++c) {
    const rdoc::StudyCell& first = biases[0].cells[c];
    report_table::Row row{{first.logits_dtype, first.bias_dtype}};
    for (const rdoc::StudyBias& b : biases) {
      const rdoc::StudyCell& cell = b.cells.at(c);
      row.cells.insert(row.cells.end(),
                       {share_count(cell.oracle_differ, cell.tokens), share_count(cell.kernel_differ, cell.tokens)});
    }
    t.rows.push_back(std::move(row));
  }
  return t;
}

report_table::Table bias_cast(const rdoc::Study& study) {
  using report_table::right;
  report_table::Table t{{{"bias"}, {"cast once to"}, {"target per call"}, right("calls"), right("bit-identical"),
                         right("tokens whose ids or weight bits differ"), right("tokens changing experts")}};
  for (const rdoc::StudyBias& b : study.biases)
    for (const rdoc::BiasCast& run : b.bias_cast) {
      const bool alternating = run.targets.size() > 1;
      for (const rdoc::TargetCalls& per : run.per_target)
        t.rows.push_back({{bias(b), run.cast_once_to,
                           alternating ? fmt::format("alternating: the {} calls", per.target)
                                       : fmt::format("{} on every call", per.target),
                           std::to_string(per.calls), std::to_string(per.identical_calls),
                           count_share(per.tokens_differ, per.tokens), count_share(per.sets_differ, per.tokens)},
                          !alternating && per.tokens_differ != 0});
    }
  return t;
}

report_table::Table flips(const rdoc::Study& study) {
  std::vector<std::string> logits;
  for (const rdoc::StudyBias& b : study.biases)
    for (const rdoc::Flip& f : b.flips)
      if (std::find(logits.begin(), logits.end(), f.logits_dtype) == logits.end()) logits.push_back(f.logits_dtype);
  report_table::Table t{{{"bias"}}};
  for (const std::string& l : logits) t.columns.push_back(report_table::right("logits " + l));
  for (const rdoc::StudyBias& b : study.biases) {
    report_table::Row row{{bias(b)}};
    for (const std::string& l : logits) {
      report_table::Cell cell = report_table::dash();
      for (const rdoc::Flip& f : b.flips)
        if (f.logits_dtype == l) cell = share_count(f.differ, f.tokens);
      row.cells.push_back(std::move(cell));
    }
    t.rows.push_back(std::move(row));
  }
  return t;
}

}  // namespace routing_tables

// --- Markdown ------------------------------------------------------------------------------

namespace {

using routing_tables::count_share;
using routing_tables::share_count;

std::string bias_text(const rdoc::Batch& b) { return report_table::cell_markdown(routing_tables::bias(b)); }
std::string bias_text(const rdoc::StudyBias& b) { return report_table::cell_markdown(routing_tables::bias(b)); }

/// The margin bins of the Markdown tables: exact ties, then powers of 16 from 2^-24 to
/// 2^-4, then unbounded (nothing, or only invalid candidates, dropped).
constexpr std::array kEdges{-24, -20, -16, -12, -8, -4};

/// Which margin a table bins: between groups or between experts.
enum class MarginSide { group, expert };

std::vector<std::int64_t> margin_bins(const rdoc::Margins& m, MarginSide side) {
  const bool expert = side == MarginSide::expert;
  std::vector<std::int64_t> bins(kEdges.size() + 3, 0);
  bins.front() = expert ? m.expert_ties : m.group_ties;
  bins.back() = expert ? m.expert_unbounded : m.group_unbounded;
  for (const rdoc::MarginBinade& r : m.binades) {
    std::size_t i = 0;
    while (i < kEdges.size() && r.binade >= kEdges[i]) ++i;
    bins[1 + i] += expert ? r.expert : r.group;
  }
  return bins;
}

std::string margin_table(const std::vector<rdoc::BatchWithCases>& batches, MarginSide side) {
  std::string out = "| logits | bias | tie |";
  out += fmt::format(" < 2^{} |", kEdges.front());
  for (std::size_t i = 0; i + 1 < kEdges.size(); ++i) out += fmt::format(" [2^{}, 2^{}) |", kEdges[i], kEdges[i + 1]);
  out += fmt::format(" >= 2^{} | unbounded |\n|---|---|", kEdges.back());
  for (std::size_t i = 0; i < kEdges.size() + 3; ++i) out += "---:|";
  out += '\n';
  for (const rdoc::BatchWithCases& batch : batches) {
    const rdoc::Batch& b = batch.batch;
    out += fmt::format("| {} | {} {} |", b.logits_dtype, b.bias_dtype, bias_text(b));
    for (std::int64_t n : margin_bins(b.margin_histogram, side)) out += fmt::format(" {} |", n);
    out += '\n';
  }
  return out + '\n';
}

void study_markdown(std::string& out, const rdoc::Study& s, const rdoc::Section& section, const std::string& h) {
  out += fmt::format("{} Precision study: rounding the logits and the bias\n\n", h);
  out += fmt::format("Logits ({}) and bias drawn in fp32; the exact routing of those fp32 inputs is the truth. Each "
                     "(logits, bias) pair rounds them first, to nearest even, then routes them with the oracle (what "
                     "the rounding alone does) and with `{}` (what a kernel then picks). Share of the {} tokens whose "
                     "expert set differs from the truth ({}).\n\n",
                     section.logits, s.kernel, section.tokens, section.config.label);
  out += report_table::render_markdown(routing_tables::input_rounding(s));

  out += fmt::format("{}# Casting the bias once or on every call\n\n", h);
  out += fmt::format("`{}` on the fp32 logits, in calls of {} tokens, two ways: the fp32 bias cast once, before the "
                     "calls, and cast inside every call to that call's target dtype (the gate's output dtype). While "
                     "the target stays the dtype cast to once, the two must route bit for bit alike (ids and weight "
                     "bits): {}. Where the target alternates between fp32 and bf16 (engines that switch the gate's "
                     "output dtype by batch size), the bias cast once to bf16 is wrong on every fp32 call.\n\n",
                     s.kernel, s.call_tokens, s.holds ? "**holds**" : "**does not hold**");
  out += report_table::render_markdown(routing_tables::bias_cast(s));
  out += "Tokens whose expert set flips between a call with the bias in fp32 and one with it in bf16 (same logits):\n\n";
  out += report_table::render_markdown(routing_tables::flips(s));
  for (const rdoc::StudyBias& b : s.biases)
    for (const rdoc::BiasCast& run : b.bias_cast)
      if (run.steady() && run.tokens_differ != 0)
        out += fmt::format("First difference ({}, cast once to {}):\n\n```\n{}```\n\n", bias_text(b), run.cast_once_to,
                           run.first_difference);
}

}  // namespace

std::string render_routing_markdown(const nlohmann::json& section, int level) {
  const auto whole = section.get<rdoc::SectionWithBatches>();
  const rdoc::Section& s = whole.section;
  const rdoc::Summary& sum = s.summary;
  const std::string h(static_cast<std::size_t>(std::clamp(level, 1, 4)), '#');
  std::string out = fmt::format("{} {}\n\n", h, s.op);
  out += fmt::format("- op: `{}`: {}\n", s.op, s.formula);
  out += fmt::format("- config: {}\n", s.config.label);
  out += fmt::format("- inputs: {} tokens per batch; logits {} and the bias drawn in fp32 (seed {}), then rounded to "
                     "the batch's dtypes; every kernel of a batch runs on the same inputs against the same exact "
                     "routing\n",
                     s.tokens, s.logits, s.seed);
  std::int64_t comparisons = 0, dbl = 0, ties = 0, mpfr = 0, special = 0;
  for (const rdoc::BatchWithCases& b : whole.batches) {
    const rdoc::Oracle& o = b.batch.oracle;
    comparisons += o.comparisons;
    dbl += o.double_tier;
    ties += o.exact_ties;
    mpfr += o.mpfr_tier;
    special += o.special;
  }
  out += fmt::format("- oracle: {} comparisons: {} by validity, {} double tier (proven bound), {} exact ties, {} "
                     "MPFR\n\n",
                     comparisons, special, dbl, ties, mpfr);
  out += sum.pass ? fmt::format("**PASS**: all {} routing cases within their kernel's claim.\n\n", sum.cases)
                  : fmt::format("**FAIL**: {} of {} routing cases outside their kernel's claim{}.\n\n", sum.failed,
                                sum.cases,
                                whole.precision_study && !whole.precision_study->holds
                                    ? "; casting the bias once and per call differ"
                                    : "");
  out += "Routing errors are different expert sets with no near-tie to explain them; near-ties are different sets "
         "where the exact margin at a boundary lies within the tie band of the kernel's arithmetic (those tokens' "
         "share of the batch is in the \"margin within band\" columns). Weights in fp32 ULP of the exact weight, on tokens "
         "routed alike and outside the weight floor (picked scores too small for the kernel's arithmetic).\n\n";
  out += report_table::render_markdown(routing_tables::cases(whole));

  out += fmt::format("{}# Decision margins\n\n", h);
  out += "The oracle's exact margins per token, by powers of two: between the last kept and the best dropped group "
         "score, and between the last picked and the best unpicked biased score. A kernel computing in fp32 resolves "
         "gaps down to about 2 ulps of |b| (2^-22 at |b| near 3); a tie is decided by the lower index.\n\n";
  out += "Group margins:\n\n" + margin_table(whole.batches, MarginSide::group);
  out += "Expert margins:\n\n" + margin_table(whole.batches, MarginSide::expert);

  bool any_failure = false;
  for (const rdoc::BatchWithCases& batch : whole.batches)
    for (const rdoc::Case& k : batch.cases) {
      if (k.failures.empty()) continue;
      if (!any_failure) out += fmt::format("{}# Failing tokens\n\n", h);
      any_failure = true;
      const rdoc::Batch& b = batch.batch;
      out += fmt::format("{} logits, {} {} bias, `{}` (first {}):\n\n```\n", b.logits_dtype, b.bias_dtype, bias_text(b),
                         k.kernel, k.failures.size());
      for (const std::string& f : k.failures) out += f;
      out += "```\n\n";
    }
  if (whole.precision_study) study_markdown(out, *whole.precision_study, s, h + "#");
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
