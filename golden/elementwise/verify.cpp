#include "ulpcheck/golden/elementwise/verify.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "golden/column_diff.hpp"
#include "golden/integrity.hpp"
#include "golden/layouts.hpp"
#include "ulpcheck/golden/elementwise/corpus.hpp"
#include "ulpcheck/reference/registry.hpp"

namespace ulpcheck::golden {

namespace {

void compare_exact(std::vector<std::string>& problems, const std::string& where, const Elements& recorded,
                   const Elements& fresh, const std::string& cause) {
  compare_column(problems, where, "exact_hi", recorded.exact_hi, fresh.exact_hi, cause);
  compare_column(problems, where, "exact_lo", recorded.exact_lo, fresh.exact_lo, cause);
  compare_column(problems, where, "rounded_bits", recorded.rounded_bits, fresh.rounded_bits, cause);
}

void compare_figures(std::vector<std::string>& problems, const std::string& where, const KernelFigures& r,
                     const KernelFigures& m, const std::string& cause) {
  compare_figure_list(problems, where,
                      {
                          {"budget_max_ulp", r.budget_max_ulp, m.budget_max_ulp},
                          {"budget_abs_floor", r.budget_abs_floor, m.budget_abs_floor},
                      },
                      cause);
  compare_ulp_distribution(problems, where, r, m, cause);
  compare_figure_list(problems, where,
                      {
                          {"budget_breaches", static_cast<double>(r.budget_breaches),
                           static_cast<double>(m.budget_breaches)},
                          {"semantic_violations", static_cast<double>(r.semantic_violations),
                           static_cast<double>(m.semantic_violations)},
                      },
                      cause);
  compare_column(problems, where, "worst_index", r.worst_index, m.worst_index, cause);
}

}  // namespace

AllowedMembers elementwise_layout(const ElementwiseOp& op, const std::vector<std::string>& at) {
  std::vector<std::string> columns{"x0_bits", "exact_hi", "exact_lo", "rounded_bits"};
  if (op.arity == 2) columns.insert(columns.begin() + 1, "x1_bits");
  std::vector<std::string> params;
  for (const ParamSpec& p : op.params) params.emplace_back(p.name);
  switch (at.size()) {
    case 0:
      return {{"schema_version", "tool", "op", "formula", "arity", "oracle_method", "device", "cuda_version",
               "driver_version"},
              {},
              {},
              true};
    case 1:
      return {{"dtype"}, {}, {}, true};
    case 2: {
      if (at[1] == "corpus") {
        for (const std::string& p : params) columns.push_back("param_" + p);
        return {{"dtype", "param_names"}, columns, {}, false};
      }
      std::vector<std::string> attributes{"dtype", "params", "seed", "samples", "input"};
      attributes.insert(attributes.end(), params.begin(), params.end());
      return {attributes, columns, {"kernels"}, false};
    }
    case 3:
      return {{}, {}, {}, true};
    case 4:
      return {{"budget_max_ulp", "budget_abs_floor", "max_ulp", "max_ulp_above_floor", "p50", "p99", "p999",
               "frac_correctly_rounded", "budget_breaches", "semantic_violations"},
              {"worst_index"},
              {},
              false};
    default:
      return {};
  }
}

VerifyResult verify_golden(const std::string& path, const GoldenFile& file, std::span<const Kernel* const> runnable,
                           const Log& log) {
  VerifyResult out;
  const ElementwiseOp& op = *find_op(file.op);  // read_golden has checked it
  const std::string regen = fmt::format("regenerate with 'ulpcheck golden regen --op {}'", op.name);
  const std::string edited = "the file was edited or corrupted; " + regen;
  const std::string stale =
      "the file was edited, or the kernel or the oracle changed since the file was written; " + regen;

  // Objects whose changed content a recomputation below names precisely: their digest
  // mismatch would only repeat it.
  std::set<std::string> explained;
  if (file.formula != op.formula)
    out.problems.push_back(fmt::format("{}: / attribute formula is '{}', expected '{}'; {}", path, file.formula,
                                       op.formula, stale));
  if (file.oracle_method != kOracleMethod)
    out.problems.push_back(fmt::format("{}: / attribute oracle_method is '{}', expected '{}'; {}", path,
                                       file.oracle_method, kOracleMethod, stale));
  if (!out.problems.empty()) explained.insert("/");
  std::map<std::pair<Format, std::string>, const GoldenCase*> recorded;
  for (const GoldenCase& c : file.cases) recorded[{c.format, c.name}] = &c;
  std::map<std::pair<Format, std::string>, CaseSpec> expected;
  for (Format f : all_formats())
    for (const CaseSpec& s : case_specs(op)) expected.emplace(std::pair{f, s.name}, s);
  for (const auto& [key, spec] : expected)
    if (!recorded.count(key)) {
      out.problems.push_back(fmt::format("{}: /{}/{} is missing; every golden file of {} has it; {}", path,
                                         name(key.first), key.second, op.name, regen));
      explained.insert(fmt::format("/{}", name(key.first)));
    }
  for (const auto& [key, c] : recorded)
    if (!expected.count(key)) {
      out.problems.push_back(fmt::format("{}: /{}/{} is not a case of {} (expected one of its checked parameter "
                                         "sets); {}",
                                         path, name(key.first), key.second, op.name, edited));
      explained.insert(fmt::format("/{}", name(key.first)));
    }

  for (const GoldenCase& c : file.cases) {
    const auto spec = expected.find({c.format, c.name});
    if (spec == expected.end()) continue;
    const std::string object = fmt::format("/{}/{}", name(c.format), c.name);
    const std::string where = fmt::format("{}: {}", path, object);
    const ProblemsExplain case_checks(out.problems, explained, object);
    if (c.params.values() != spec->second.params.values()) {
      out.problems.push_back(fmt::format("{} has parameters '{}', but its name says '{}'; {}", where,
                                         c.params.to_string(), spec->second.params.to_string(), edited));
      continue;
    }
    if (c.params_label != c.params.to_string())
      out.problems.push_back(fmt::format("{} attribute params is '{}', but its parameter attributes say '{}'; {}",
                                         where, c.params_label, c.params.to_string(), edited));
    const bool all = checks_every_input(op, c.format);
    if (all ? (c.samples != 0 || c.seed != 0) : c.samples < 0) {
      out.problems.push_back(fmt::format("{} has seed {} and samples {}, which no regen writes; {}", where, c.seed,
                                         c.samples, edited));
      continue;
    }
    // The special values then `samples` random elements: a count that disagrees with the
    // elements is the edited attribute, whatever the inputs would say.
    if (!all) {
      const std::size_t specials = case_inputs(op, c.format, c.params, 0, c.seed).size();
      if (c.data.size() != specials + static_cast<std::size_t>(c.samples)) {
        out.problems.push_back(fmt::format("{} attribute samples is {}, but the case holds {} elements ({} special "
                                           "values and {} random ones); {}",
                                           where, c.samples, c.data.size(), specials,
                                           c.data.size() >= specials ? c.data.size() - specials : 0, edited));
        continue;
      }
    }
    // Inputs: regenerated from the recorded seed and sample count.
    std::string input;
    Elements fresh = case_inputs(op, c.format, c.params, c.samples, c.seed, &input);
    if (c.input != input)
      out.problems.push_back(fmt::format("{} attribute input is '{}', expected '{}'; {}", where, c.input, input, edited));
    const std::size_t before = out.problems.size();
    compare_column(out.problems, where, "x0_bits", c.data.x0_bits, fresh.x0_bits, edited);
    if (op.arity == 2) compare_column(out.problems, where, "x1_bits", c.data.x1_bits, fresh.x1_bits, edited);
    if (out.problems.size() != before) continue;  // the rest would only repeat it
    // The oracle, afresh.
    compute_exact(op, c.format, c.params, fresh);
    compare_exact(out.problems, where, c.data, fresh, edited);
    // Figures of the kernels that can run here, measured against the fresh oracle.
    const InputSet in = as_input_set(op, c.format, fresh, c.input);
    const OracleAnswers answers = answers_of(c.format, fresh);
    for (const KernelFigures& k : c.kernels) {
      const ProblemsExplain kernel_checks(out.problems, explained, object + "/kernels/" + k.kernel);
      const auto it = std::find_if(runnable.begin(), runnable.end(), [&](const Kernel* r) { return r->name() == k.kernel; });
      if (it == runnable.end()) {
        out.notes.push_back(fmt::format("{}/kernels/{}: not re-measured (the kernel cannot run here)", where, k.kernel));
        continue;
      }
      if (!(*it)->supports(op, c.format) || !(*it)->unsupported_params(op, c.format, c.params).empty()) {
        out.problems.push_back(fmt::format("{}/kernels/{} records figures for a case the kernel does not take; {}",
                                           where, k.kernel, stale));
        continue;
      }
      compare_figures(out.problems, where + "/kernels/" + k.kernel, k,
                      figures_of(measure(op, **it, c.format, c.params, in, answers)), stale);
    }
    // Every kernel that can run here and takes the case must have been recorded.
    for (const Kernel* k : kernels_for(runnable, op, c.format, c.params))
      if (std::none_of(c.kernels.begin(), c.kernels.end(),
                       [&](const KernelFigures& r) { return r.kernel == k->name(); })) {
        out.problems.push_back(fmt::format("{}/kernels has no figures of {}, which takes this case: the file predates "
                                           "the kernel; {}",
                                           where, k->name(), regen));
        explained.insert(object + "/kernels");
      }
    if (log) log(fmt::format("verified {} /{}/{} ({} elements)", op.name, name(c.format), c.name, c.data.size()));
  }
  for (const Corpus& c : file.corpora) {
    Corpus fresh = c;
    compute_corpus_exact(op, fresh);
    const ProblemsExplain corpus_checks(out.problems, explained, fmt::format("/{}/corpus", name(c.format)));
    compare_exact(out.problems, fmt::format("{}: /{}/corpus", path, name(c.format)), c.data, fresh.data, edited);
    if (log) log(fmt::format("verified {} /{}/corpus ({} elements)", op.name, name(c.format), c.data.size()));
  }
  // What no recomputation covers (provenance, labels, the corpus, the members themselves),
  // and every object read in full.
  const auto layout = [&](const std::vector<std::string>& at) { return elementwise_layout(op, at); };
  report_integrity(out.problems, path, check_integrity(path, layout), explained, edited);
  return out;
}

}  // namespace ulpcheck::golden
