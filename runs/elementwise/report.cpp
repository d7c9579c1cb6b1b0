#include "ulpcheck/runs/elementwise/report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <utility>

#include "ulpcheck/reference/registry.hpp"

namespace ulpcheck {

namespace {

using Clock = std::chrono::steady_clock;


/// An op and the op it approximates, both in the report for one dtype and parameter set:
/// groups[approx] approximates groups[exact]. Ops of different arity are not paired (their
/// inputs differ).
struct ApproximationPair {
  std::size_t exact, approx;
};

std::vector<ApproximationPair> approximation_pairs(const std::vector<ElementwiseGroup>& groups) {
  std::vector<ApproximationPair> out;
  for (std::size_t a = 0; a < groups.size(); ++a) {
    const ElementwiseOp& op = *groups[a].op;
    if (op.approximates.of.empty()) continue;
    const ElementwiseOp* target = find_op(op.approximates.of);
    for (std::size_t e = 0; target && e < groups.size(); ++e)
      if (groups[e].op == target && target->arity == op.arity && groups[e].format == groups[a].format &&
          groups[e].params.label() == groups[a].params.label())
        out.push_back({e, a});
  }
  return out;
}

/// What a group in an approximation pair keeps until its pairs are compared: the inputs,
/// the oracle's answers and each kernel's outputs.
struct KeptGroup {
  InputSet inputs;
  OracleAnswers answers;
  std::vector<std::pair<const Kernel*, BitTensor>> outputs;
  std::size_t pairs_left = 0;
  bool done = false;
};

/// Adds a pair's figures to its section, opening the section (and seeking the real
/// functions' largest difference) at its first pair.
void add_to_sections(std::vector<ApproximationSection>& sections, const ElementwiseOp& exact,
                     const ElementwiseOp& approx, ApproximationFigures figures, Observer& observer) {
  for (ApproximationSection& s : sections)
    if (s.exact == &exact && s.approx == &approx) {
      s.dtypes.push_back(std::move(figures));
      return;
    }
  const auto start = Clock::now();
  const RealDifference real = largest_real_difference(exact, approx);
  observer.note(fmt::format("  {} vs {}: max |difference| of the real functions {:.5g} at {:.6g} ({:.2f} s)",
                            approx.name, exact.name, std::fabs(real.difference), real.x, seconds_since(start)));
  sections.push_back({&exact, &approx, real, {}});
  sections.back().dtypes.push_back(std::move(figures));
}

/// The correctly rounded results of a pair and every pair of their kernels' outputs.
ApproximationFigures compare_pair(const ElementwiseGroup& exact, const ElementwiseGroup& approx, const KeptGroup& e,
                                  const KeptGroup& a, Observer& observer) {
  ApproximationFigures fig;
  fig.format = exact.format;
  fig.params = exact.params;
  fig.inputs = e.inputs.description;
  fig.rounded = compare_rounded(*exact.op, exact.format, exact.params, e.inputs, e.answers, a.answers);
  for (const auto& [ke, out_e] : e.outputs)
    for (const auto& [ka, out_a] : a.outputs)
      fig.kernel_pairs.push_back({std::string(ke->name()), std::string(ka->name()),
                                  compare_outputs(*exact.op, exact.format, exact.params, e.inputs, e.answers, out_e,
                                                  out_a)});
  observer.note(fmt::format("  {} vs {} in {}: correctly rounded results differ on {:.4f}%, max {:.4g} ULP",
                            approx.op->name, exact.op->name, name(exact.format), 100 * fig.rounded.fraction_differ(),
                            fig.rounded.max_ulp));
  return fig;
}

InputSet group_inputs(const ElementwiseReportPlan& p, const ElementwiseGroup& g) {
  const int arity = g.op->arity;
  if (checks_every_input(*g.op, g.format)) return in_default_batches(all_values(g.format), 1);
  if (p.layout) return random_rows(g.format, arity, p.layout->rows, p.layout->d, p.seed);
  return in_default_batches(random_bits(g.format, arity, p.samples, p.seed), arity);
}

}  // namespace

ElementwiseReport run_family_report(const ElementwiseReportPlan& p, Observer& observer) {
  ElementwiseReport report;
  std::size_t case_number = 0;
  const std::vector<ApproximationPair> pairs = approximation_pairs(p.groups);
  std::map<std::size_t, KeptGroup> kept;  // by group index, while a pair of the group is open
  for (const ApproximationPair& pair : pairs) ++kept[pair.exact].pairs_left, ++kept[pair.approx].pairs_left;
  for (std::size_t i = 0; i < p.groups.size(); ++i) {
    const ElementwiseGroup& g = p.groups[i];
    KeptGroup* keep = kept.count(i) ? &kept[i] : nullptr;
    const std::string label = g.params.label();
    const std::string what = fmt::format("{} {}{}", name(g.format), g.op->name, label.empty() ? "" : " " + label);
    InputSet inputs = group_inputs(p, g);
    const auto group_start = Clock::now();
    observer.note(fmt::format("report [{}/{}] {}: oracle on {}", i + 1, p.groups.size(), what, inputs.description));
    OracleAnswers answers = evaluate_inputs(*g.op, g.format, g.params, inputs, progress_to(observer, "oracle"));
    observer.note(fmt::format("  oracle: {:.2f} s", seconds_since(group_start)));
    for (const Kernel* k : g.kernels) {
      ++case_number;
      const auto kernel_start = Clock::now();
      try {
        BitTensor outputs = run_kernel(*g.op, *k, g.format, g.params, inputs);
        Measurement m = measure_outputs(*g.op, *k, g.format, g.params, inputs, answers, outputs,
                                        progress_to(observer, std::string(k->name())));
        if (keep) keep->outputs.emplace_back(k, std::move(outputs));
        observer.note(fmt::format("  [{}/{}] {}: {}, max {:.4g} ULP, {:.4g} outside the floor region ({:.2f} s)",
                                  case_number, p.cases, k->name(), m.stats.passes() ? "PASS" : "FAIL",
                                  m.stats.max_ulp, m.stats.max_ulp_above_floor, seconds_since(kernel_start)));
        report.cases.push_back(digest(std::move(m)));
      } catch (const KernelError& e) {
        // One of "every kernel that runs here" that cannot run is listed as not run, and the
        // rest go on.
        const std::string why = reason_not_run(e, p.named_kernels, k->name());
        observer.note(fmt::format("  [{}/{}] {}: did not run: {}", case_number, p.cases, k->name(), why));
        report.skipped.push_back(
            {std::string(g.op->name), std::string(name(g.format)), label, std::string(k->name()), why, true});
      }
    }
    if (!keep) continue;
    // Pairs whose both groups are measured now are compared, and a group whose pairs are
    // all compared lets go of its inputs, answers and outputs.
    keep->inputs = std::move(inputs);
    keep->answers = std::move(answers);
    keep->done = true;
    for (const ApproximationPair& pair : pairs) {
      if (pair.exact != i && pair.approx != i) continue;
      KeptGroup &e = kept[pair.exact], &a = kept[pair.approx];
      if (!e.done || !a.done) continue;
      const ElementwiseGroup &ge = p.groups[pair.exact], &ga = p.groups[pair.approx];
      add_to_sections(report.approximations, *ge.op, *ga.op, compare_pair(ge, ga, e, a, observer), observer);
      if (--e.pairs_left == 0) kept.erase(pair.exact);
      if (--a.pairs_left == 0) kept.erase(pair.approx);
    }
  }
  return report;
}

}  // namespace ulpcheck
