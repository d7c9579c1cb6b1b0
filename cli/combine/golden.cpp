// The MoE combine family's golden file, moe_combine.h5: regenerated, checked, verified and
// shown beside the other files, with the same messages and exit codes.
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <optional>

#include "cli/golden_file.hpp"
#include "ulpcheck/golden/combine/check.hpp"
#include "ulpcheck/golden/combine/regen.hpp"
#include "ulpcheck/golden/combine/verify.hpp"

namespace ulpcheck::cli {

namespace {

std::string combine_path(const GoldenOptions& o) { return golden::golden_path(o.dir, kCombineOpName); }

void print_combine_group(const golden::CombineGroupCheck& g) {
  const ErrorStats& s = g.stats;
  const auto& r = g.recorded;
  auto rec = [&](double golden::CombineKernelFigures::*field) {
    return r ? std::optional<double>((*r).*field) : std::nullopt;
  };
  fmt::print("  {:<24} {:>7} {:>20} {:>20} {:>20} {:>22} {:>8}  {}\n", g.group, s.count,
             beside(s.max_ulp, rec(&golden::CombineKernelFigures::max_ulp)),
             beside(s.max_ulp_above_floor, rec(&golden::CombineKernelFigures::max_ulp_above_floor)),
             beside(s.percentile(0.99), rec(&golden::CombineKernelFigures::p99)),
             beside(s.fraction(s.correctly_rounded), rec(&golden::CombineKernelFigures::frac_correctly_rounded),
                    fmt::format("{:.4f}%", 100 * s.fraction(s.correctly_rounded))),
             s.budget_breaches + s.semantic_violations, s.passes() ? "PASS" : "FAIL");
}

}  // namespace

void regen_file(const GoldenOptions& o, const golden::FileOf<CombineFamily>&, const Provenance& p,
                const std::function<void()>& before_rename) {
  // Token counts are the cases' own (golden/combine/cases.hpp): --tokens sizes routing cases.
  golden::CombineBuildOptions b;
  b.seed = o.seed;
  b.kernels = runnable_combine_kernels();
  p.set_in(b);
  const golden::CombineGoldenFile file = golden::regen_combine_golden(
      o.dir, b, o.drop_corpus, [](const std::string& line) { fmt::print(stderr, "regen: {}\n", line); },
      before_rename);
  const std::string path = combine_path(o);
  std::int64_t elements = 0;
  std::size_t counterexamples = 0;
  for (const golden::CombineGoldenCase& c : file.cases) elements += c.inputs.tokens * c.config.hidden;
  for (const golden::CombineCorpus& c : file.corpora) counterexamples += c.entries.size();
  fmt::print("{}: {} cases, {} output elements, {} corpus counterexamples, {:.2f} MB\n", path, file.cases.size(),
             elements, counterexamples, static_cast<double>(std::filesystem::file_size(path)) / 1e6);
  std::fflush(stdout);
}

void print_check(const golden::KernelCheck& k, const golden::CombineFileCheck& c) {
  fmt::print("{} on {} (figures now, and as recorded where they differ):\n", k.kernel, k.path);
  fmt::print("  {:<24} {:>7} {:>20} {:>20} {:>20} {:>22} {:>8}  {}\n", "group", "outputs", "max ULP",
             "max ULP above floor", "p99 ULP", "correctly rounded", "failing", "verdict");
  for (const golden::CombineGroupCheck& g : c.groups) {
    print_combine_group(g);
    if (!g.passes()) fmt::print("    first failing element: {}\n", indented(g.first_failure));
  }
  for (const std::string& s : c.skipped) fmt::print("  skipped {}\n", s);
  std::fflush(stdout);
}

golden::VerifyResult verify_file(const GoldenOptions& o, const golden::FileOf<CombineFamily>&) {
  const std::string path = combine_path(o);
  golden::VerifyResult r;
  try {
    const golden::CombineGoldenFile file = golden::read_combine_golden(path);
    const std::vector<const CombineKernel*> kernels = runnable_combine_kernels();
    r = golden::verify_combine_golden(path, file, kernels,
                                      [](const std::string& line) { fmt::print(stderr, "verify: {}\n", line); });
  } catch (const golden::GoldenError& e) {
    r.problems.push_back(e.what());
  }
  return r;
}

void show_file(const GoldenOptions& o, const golden::FileOf<CombineFamily>&) {
  const std::string path = combine_path(o);
  const golden::CombineGoldenFile f = golden::read_combine_golden(path);
  fmt::print("{}: {} ({})\n", path, f.op, f.formula);
  fmt::print("  schema {}, written by {}; oracle: {}\n", f.schema_version, f.tool, f.oracle_method);
  fmt::print("  device: {}; CUDA runtime: {}; driver: {}\n", f.device, f.cuda_version, f.driver_version);
  for (const golden::CombineGoldenCase& c : f.cases) {
    fmt::print("  /{}/{}: {} tokens of {}, seed {}\n", name(c.inputs.format), c.name, c.inputs.tokens,
               c.config.label(), c.seed);
    for (const golden::CombineKernelFigures& k : c.kernels)
      fmt::print("    {:<32} claim {} ULP or {:.3g} s + {:.3g}; max {} ULP ({} above the floor), p99 {}; {:.2f}% "
                 "correctly rounded; {} breaches; {}\n",
                 k.kernel, k.claim.max_ulp, k.claim.relative, k.claim.absolute, figure(k.max_ulp),
                 figure(k.max_ulp_above_floor), figure(k.p99), 100 * k.frac_correctly_rounded,
                 k.budget_breaches + k.semantic_violations, k.passes() ? "PASS" : "FAIL");
  }
  for (const golden::CombineCorpus& c : f.corpora) {
    fmt::print("  /{}/corpus: {} fuzz counterexamples\n", name(c.format), c.entries.size());
    for (const golden::CombineCounterexample& e : c.entries)
      fmt::print("    {}: {} tokens of {}; found by {}\n", e.name, e.inputs.tokens, e.config.label(), e.found_by);
  }
}

}  // namespace ulpcheck::cli
