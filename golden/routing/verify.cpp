#include "ulpcheck/golden/routing/verify.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "golden/column_diff.hpp"
#include "golden/integrity.hpp"
#include "golden/layouts.hpp"
#include "golden/kernel_claims.hpp"
#include "ulpcheck/golden/routing/regen.hpp"

namespace ulpcheck::golden {

namespace {

void compare_inputs(std::vector<std::string>& problems, const std::string& where, const RoutingInputs& recorded,
                    const RoutingInputs& fresh, const std::string& cause) {
  compare_column(problems, where, "logits_bits", recorded.logits, fresh.logits, cause);
  compare_column(problems, where, "bias_bits", recorded.bias, fresh.bias, cause);
}

void compare_answers(std::vector<std::string>& problems, const std::string& where, const RoutingAnswers& r,
                     const RoutingAnswers& f, const std::string& cause) {
  compare_column(problems, where, "ids", r.ids, f.ids, cause);
  compare_column(problems, where, "weights_hi", r.weights_hi, f.weights_hi, cause);
  compare_column(problems, where, "weights_lo", r.weights_lo, f.weights_lo, cause);
  compare_column(problems, where, "groups", r.groups, f.groups, cause);
  compare_column(problems, where, "group_margin", r.group_margin, f.group_margin, cause);
  compare_column(problems, where, "expert_margin", r.expert_margin, f.expert_margin, cause);
}

double as_double(std::int64_t v) { return static_cast<double>(v); }
double as_double(bool v) { return v ? 1.0 : 0.0; }

void compare_figures(std::vector<std::string>& problems, const std::string& where, const RoutingKernelFigures& r,
                     const RoutingKernelFigures& m, const std::string& cause) {
  if (r.claim.arithmetic != m.claim.arithmetic)
    problems.push_back(fmt::format("{} attribute arithmetic is {}, the kernel now claims {}; {}", where,
                                   name(r.claim.arithmetic), name(m.claim.arithmetic), cause));
  compare_figure_list(
      problems, where,
      {
          {"score_abs_error", r.claim.score_abs_error, m.claim.score_abs_error},
          {"budget_max_ulp", r.claim.weights.max_ulp, m.claim.weights.max_ulp},
          {"budget_abs_floor", r.claim.weights.abs_floor, m.claim.weights.abs_floor},
          {"min_score_sum", r.claim.min_score_sum, m.claim.min_score_sum},
          {"nan_weights_when_scores_vanish", as_double(r.claim.nan_weights_when_scores_vanish),
           as_double(m.claim.nan_weights_when_scores_vanish)},
          {"sorted", as_double(r.claim.sorted), as_double(m.claim.sorted)},
          {"matches", as_double(r.matches), as_double(m.matches)},
          {"near_ties", as_double(r.near_ties), as_double(m.near_ties)},
          {"mismatches", as_double(r.mismatches), as_double(m.mismatches)},
          {"invalid", as_double(r.invalid), as_double(m.invalid)},
          {"weight_tokens_checked", as_double(r.weight_tokens_checked), as_double(m.weight_tokens_checked)},
          {"weights_in_floor", as_double(r.weights_in_floor), as_double(m.weights_in_floor)},
          {"weight_breaches", as_double(r.weight_breaches), as_double(m.weight_breaches)},
          {"bad_weights", as_double(r.bad_weights), as_double(m.bad_weights)},
          {"max_weight_ulp", r.max_weight_ulp, m.max_weight_ulp},
          {"p50_weight_ulp", r.p50_weight_ulp, m.p50_weight_ulp},
          {"p99_weight_ulp", r.p99_weight_ulp, m.p99_weight_ulp},
          {"max_weight_sum_error", r.max_weight_sum_error, m.max_weight_sum_error},
      },
      cause);
  compare_column(problems, where, "near_tie_tokens", r.near_tie_tokens, m.near_tie_tokens, cause);
}

std::string group_of(const RoutingGoldenCase& c) {
  return fmt::format("/{}/{}", format_pair(c.inputs.logits_format, c.inputs.bias_format), c.name);
}

bool same_distribution(const Distribution& a, const Distribution& b) {
  return a.kind == b.kind && bits_of(a.mean) == bits_of(b.mean) && bits_of(a.sd) == bits_of(b.sd);
}

/// Distribution::label() rounds to 6 digits: two distributions verify tells apart must read
/// apart too, so every digit of mean and sd is shown.
std::string full_precision(const Distribution& d) {
  if (d.kind == Distribution::Kind::bits) return d.label();
  return fmt::format("N({:.17g}, {:.17g}^2)", d.mean, d.sd);
}

const std::vector<std::string> kConfigAttributes{"config",  "experts",     "n_group",
                                                 "topk_group", "topk", "scoring", "renormalize", "routed_scaling_factor"};
const std::vector<std::string> kBatchDatasets{"logits_bits", "bias_bits", "ids",          "weights_hi",
                                              "weights_lo",  "groups",    "group_margin", "expert_margin"};

}  // namespace

AllowedMembers routing_layout(const std::vector<std::string>& at) {
  const std::vector<std::string> batch{"logits_dtype", "bias_dtype", "tokens"};
  const bool corpus = at.size() >= 2 && at[1] == "corpus";
  switch (at.size()) {
    case 0:
      return op_file_root_members();
    case 1:
      return {{"logits_dtype", "bias_dtype"}, {}, {}, true};
    case 2:
      if (corpus) return {{"logits_dtype", "bias_dtype"}, {}, {}, true};
      return {joined_names(joined_names(kConfigAttributes, batch),
                     {"seed", "logits_distribution", "logits_kind", "logits_mean", "logits_sd", "bias_distribution",
                      "bias_kind", "bias_mean", "bias_sd"}),
              kBatchDatasets,
              {"kernels"},
              false};
    case 3:
      if (corpus) return {joined_names(joined_names(kConfigAttributes, batch), {"found_by"}), kBatchDatasets, {}, false};
      return {{}, {}, {}, true};
    case 4:
      if (corpus) return {};
      return {{"arithmetic", "score_abs_error", "budget_max_ulp", "budget_abs_floor", "min_score_sum",
               "nan_weights_when_scores_vanish", "sorted", "matches", "near_ties", "mismatches", "invalid",
               "weight_tokens_checked", "weights_in_floor", "weight_breaches", "bad_weights", "max_weight_ulp",
               "p50_weight_ulp", "p99_weight_ulp", "max_weight_sum_error"},
              {"near_tie_tokens"},
              {},
              false};
    default:
      return {};
  }
}

VerifyResult verify_routing_golden(const std::string& path, const RoutingGoldenFile& file,
                                   std::span<const RoutingKernel* const> runnable, const Log& log) {
  VerifyResult out;
  const VerifyCauses causes = verify_causes(kRoutingOpName);
  const std::string& edited = causes.edited;

  // Objects whose changed content a recomputation below names precisely: their digest
  // mismatch would only repeat it.
  std::set<std::string> explained;
  check_root_method(out.problems, explained, path, file.formula, kRoutingFormula, file.oracle_method,
                    kRoutingOracleMethod, causes);
  std::map<std::string, const RoutingGoldenCase*> recorded;
  for (const RoutingGoldenCase& c : file.cases) recorded[group_of(c)] = &c;
  std::map<std::string, RoutingCaseSpec> expected;
  for (const RoutingCaseSpec& s : routing_case_specs()) expected.emplace(s.group(), s);
  check_case_names(out.problems, explained, path, kRoutingOpName, recorded, expected, causes);

  for (const RoutingGoldenCase& rc : file.cases) {
    const RoutingGoldenCase* c = &rc;
    const std::string group = group_of(rc);
    const auto spec = expected.find(group);
    if (spec == expected.end()) continue;
    const RoutingCaseSpec& s = spec->second;
    const std::string where = path + ": " + group;
    const ProblemsExplain case_checks(out.problems, explained, group);
    if (!(c->config == s.config)) {
      out.problems.push_back(fmt::format("{} has configuration '{}', but its name says '{}'; {}", where,
                                         c->config.label(), s.config.label(), edited));
      continue;
    }
    if (!same_distribution(c->logits_distribution, s.logits_distribution) ||
        !same_distribution(c->bias_distribution, s.bias_distribution)) {
      out.problems.push_back(fmt::format("{} has logits {} and bias {}, but its name says logits {} and bias {}; {}",
                                         where, full_precision(c->logits_distribution),
                                         full_precision(c->bias_distribution), full_precision(s.logits_distribution),
                                         full_precision(s.bias_distribution), edited));
      continue;
    }
    // Labels are derived from what they name: each must say what the attributes hold.
    for (const auto& [attribute, recorded_label, label] :
         {std::tuple{"config", c->config_label, c->config.label()},
          std::tuple{"logits_distribution", c->logits_distribution_label, c->logits_distribution.label()},
          std::tuple{"bias_distribution", c->bias_distribution_label, c->bias_distribution.label()}})
      if (recorded_label != label)
        out.problems.push_back(fmt::format("{} attribute {} is '{}', but the attributes it labels say '{}'; {}", where,
                                           attribute, recorded_label, label, edited));
    // Inputs: regenerated from the recorded seed and token count.
    const RoutingInputs fresh = routing_case_inputs(s, c->inputs.tokens, c->seed);
    const std::size_t before = out.problems.size();
    compare_inputs(out.problems, where, c->inputs, fresh, edited);
    if (out.problems.size() != before) continue;  // the rest would only repeat it
    // The oracle, afresh.
    const std::vector<TokenRouting> exact = route_exact(c->config, fresh);
    compare_answers(out.problems, where, c->answers, routing_answers(exact), edited);
    // Figures of the kernels that can run here, measured against the fresh oracle.
    const auto takers = routing_kernels_for(runnable, c->config, s.logits, s.bias);
    verify_kernel_figures(out, explained, where, group, runnable, takers, c->kernels, "take", causes,
                          [&](const RoutingKernelFigures& k, const std::string& kwhere, const RoutingKernel& kernel,
                              const RoutingClaim& claim) {
                            compare_figures(
                                out.problems, kwhere, k,
                                routing_figures(k.kernel, claim, measure_routing(kernel, claim, c->config, fresh, exact)),
                                causes.stale);
                          });
    if (log) log(fmt::format("verified {} {} ({} tokens)", kRoutingOpName, group, c->inputs.tokens));
  }
  for (const RoutingCorpus& c : file.corpora) {
    for (const RoutingCounterexample& e : c.entries) {
      const std::string object = fmt::format("/{}/corpus/{}", format_pair(c.logits, c.bias), e.name);
      const ProblemsExplain counterexample_checks(out.problems, explained, object);
      compare_answers(out.problems, path + ": " + object, e.answers,
                      compute_routing_answers(e.routing.config, e.routing.inputs), edited);
    }
    if (log)
      log(fmt::format("verified {} /{}/corpus ({} counterexamples)", kRoutingOpName, format_pair(c.logits, c.bias),
                      c.entries.size()));
  }
  // What no recomputation covers (provenance, labels, the corpus, the members themselves),
  // and every object read in full.
  report_integrity(out.problems, path, check_integrity(path, routing_layout), explained, edited);
  return out;
}

}  // namespace ulpcheck::golden
