#include "ulpcheck/golden/combine/verify.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <map>
#include <set>
#include <tuple>

#include "golden/column_diff.hpp"
#include "golden/integrity.hpp"
#include "golden/layouts.hpp"
#include "golden/kernel_claims.hpp"
#include "ulpcheck/golden/combine/regen.hpp"

namespace ulpcheck::golden {

namespace {

/// Weights compared and shown as the fp32 bit patterns the file stores.
std::vector<std::uint32_t> combine_weight_pattern(const std::vector<float>& w) {
  std::vector<std::uint32_t> bits(w.size());
  std::transform(w.begin(), w.end(), bits.begin(), [](float v) { return std::bit_cast<std::uint32_t>(v); });
  return bits;
}

void compare_combine_inputs(std::vector<std::string>& problems, const std::string& where,
                            const CombineInputs& recorded, const CombineInputs& fresh, const std::string& cause) {
  compare_column(problems, where, "routed_bits", recorded.routed, fresh.routed, cause);
  compare_column(problems, where, "weights_bits", combine_weight_pattern(recorded.weights),
                 combine_weight_pattern(fresh.weights), cause);
  compare_column(problems, where, "shared_bits", recorded.shared, fresh.shared, cause);
}

void compare_combine_answers(std::vector<std::string>& problems, const std::string& where, const CombineAnswers& r,
                             const CombineAnswers& f, const std::string& cause) {
  compare_column(problems, where, "exact_hi", r.exact_hi, f.exact_hi, cause);
  compare_column(problems, where, "exact_lo", r.exact_lo, f.exact_lo, cause);
  compare_column(problems, where, "rounded_bits", r.rounded_bits, f.rounded_bits, cause);
  compare_column(problems, where, "scale", r.scale, f.scale, cause);
}

double combine_count(std::int64_t v) { return static_cast<double>(v); }

void compare_combine_figures(std::vector<std::string>& problems, const std::string& where,
                             const CombineKernelFigures& r, const CombineKernelFigures& m, const std::string& cause) {
  compare_figure_list(problems, where,
                      {
                          {"budget_max_ulp", r.claim.max_ulp, m.claim.max_ulp},
                          {"budget_relative", r.claim.relative, m.claim.relative},
                          {"budget_absolute", r.claim.absolute, m.claim.absolute},
                      },
                      cause);
  compare_ulp_distribution(problems, where, r, m, cause);
  compare_figure_list(problems, where,
                      {
                          {"in_floor_region", combine_count(r.in_floor_region), combine_count(m.in_floor_region)},
                          {"budget_breaches", combine_count(r.budget_breaches), combine_count(m.budget_breaches)},
                          {"semantic_violations", combine_count(r.semantic_violations),
                           combine_count(m.semantic_violations)},
                      },
                      cause);
  compare_column(problems, where, "worst_index", r.worst_index, m.worst_index, cause);
}

std::string combine_group_of(const CombineGoldenCase& c) {
  return fmt::format("/{}/{}", name(c.inputs.format), c.name);
}

const std::vector<std::string> kCombineConfigAttributes{"config", "topk", "hidden", "routed_scaling_factor"};
const std::vector<std::string> kCombineBatchDatasets{"routed_bits", "weights_bits", "shared_bits", "exact_hi",
                                                     "exact_lo",    "rounded_bits", "scale"};

}  // namespace

AllowedMembers combine_layout(const std::vector<std::string>& at) {
  const std::vector<std::string> batch{"dtype", "tokens"};
  const bool corpus = at.size() >= 2 && at[1] == "corpus";
  switch (at.size()) {
    case 0:
      return op_file_root_members();
    case 1:
      return {{"dtype"}, {}, {}, true};
    case 2:
      if (corpus) return {{"dtype"}, {}, {}, true};
      return {joined_names(joined_names(kCombineConfigAttributes, batch), {"seed", "input"}),
              kCombineBatchDatasets,
              {"kernels"},
              false};
    case 3:
      if (corpus)
        return {joined_names(joined_names(kCombineConfigAttributes, batch), {"found_by"}), kCombineBatchDatasets, {},
                false};
      return {{}, {}, {}, true};
    case 4:
      if (corpus) return {};
      return {{"budget_max_ulp", "budget_relative", "budget_absolute", "max_ulp", "max_ulp_above_floor", "p50", "p99",
               "p999", "frac_correctly_rounded", "in_floor_region", "budget_breaches", "semantic_violations"},
              {"worst_index"},
              {},
              false};
    default:
      return {};
  }
}

VerifyResult verify_combine_golden(const std::string& path, const CombineGoldenFile& file,
                                   std::span<const CombineKernel* const> runnable, const Log& log) {
  VerifyResult out;
  const VerifyCauses causes = verify_causes(kCombineOpName);
  const std::string& edited = causes.edited;

  // Objects whose changed content a recomputation below names precisely: their digest
  // mismatch would only repeat it.
  std::set<std::string> explained;
  check_root_method(out.problems, explained, path, file.formula, kCombineFormula, file.oracle_method,
                    kCombineOracleMethod, causes);
  std::map<std::string, const CombineGoldenCase*> recorded;
  for (const CombineGoldenCase& c : file.cases) recorded[combine_group_of(c)] = &c;
  std::map<std::string, CombineCaseSpec> expected;
  for (const CombineCaseSpec& s : combine_case_specs()) expected.emplace(s.group(), s);
  check_case_names(out.problems, explained, path, kCombineOpName, recorded, expected, causes);

  const std::string input_label = golden_combine_input_label();
  for (const CombineGoldenCase& c : file.cases) {
    const std::string group = combine_group_of(c);
    const auto spec = expected.find(group);
    if (spec == expected.end()) continue;
    const CombineCaseSpec& s = spec->second;
    const std::string where = path + ": " + group;
    const ProblemsExplain case_checks(out.problems, explained, group);
    if (!(c.config == s.config)) {
      out.problems.push_back(fmt::format("{} has configuration '{}', but its name says '{}'; {}", where,
                                         c.config.label(), s.config.label(), edited));
      continue;
    }
    // Labels are derived from what they name: each must say what the attributes hold, and
    // the input label what this build's generator draws.
    for (const auto& [attribute, recorded_label, label] :
         {std::tuple{"config", c.config_label, c.config.label()}, std::tuple{"input", c.input_label, input_label}})
      if (recorded_label != label)
        out.problems.push_back(fmt::format("{} attribute {} is '{}', but {} '{}'; {}", where, attribute, recorded_label,
                                           std::string_view(attribute) == "config" ? "the attributes it labels say"
                                                                                   : "the inputs are drawn as",
                                           label, edited));
    // Inputs: regenerated from the recorded seed and token count.
    const CombineInputs fresh = golden_combine_inputs(s.config, s.format, c.inputs.tokens, c.seed);
    const std::size_t before = out.problems.size();
    compare_combine_inputs(out.problems, where, c.inputs, fresh, edited);
    if (out.problems.size() != before) continue;  // the rest would only repeat it
    // The oracle, afresh.
    const CombineExact exact = combine_exact(c.config, fresh);
    compare_combine_answers(out.problems, where, c.answers, combine_answers(s.format, exact), edited);
    // Figures of the kernels that can run here, measured against the fresh oracle.
    const auto takers = combine_kernels_for(runnable, c.config, s.format);
    verify_kernel_figures(out, explained, where, group, runnable, takers, c.kernels, "claim", causes,
                          [&](const CombineKernelFigures& k, const std::string& kwhere, const CombineKernel& kernel,
                              const CombineClaim& claim) {
                            compare_combine_figures(
                                out.problems, kwhere, k,
                                combine_figures(k.kernel, claim, measure_combine(kernel, claim, c.config, fresh, exact)),
                                causes.stale);
                          });
    if (log) log(fmt::format("verified {} {} ({} tokens)", kCombineOpName, group, c.inputs.tokens));
  }
  for (const CombineCorpus& c : file.corpora) {
    for (const CombineCounterexample& e : c.entries) {
      const std::string object = fmt::format("/{}/corpus/{}", name(c.format), e.name);
      const ProblemsExplain counterexample_checks(out.problems, explained, object);
      if (e.config_label != e.config.label())
        out.problems.push_back(fmt::format("{}: {} attribute config is '{}', but the attributes it labels say '{}'; {}",
                                           path, object, e.config_label, e.config.label(), edited));
      compare_combine_answers(out.problems, path + ": " + object, e.answers,
                              compute_combine_answers(e.config, e.inputs), edited);
    }
    if (log)
      log(fmt::format("verified {} /{}/corpus ({} counterexamples)", kCombineOpName, name(c.format),
                      c.entries.size()));
  }
  // What no recomputation covers (provenance, labels, the corpus, the members themselves),
  // and every object read in full.
  report_integrity(out.problems, path, check_integrity(path, combine_layout), explained, edited);
  return out;
}

}  // namespace ulpcheck::golden
