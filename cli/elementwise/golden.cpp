// The elementwise family's golden files, one per op (<op>.h5): regenerated, checked,
// verified and shown.
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>

#include "cli/golden_file.hpp"
#include "ulpcheck/device/registry.hpp"
#include "ulpcheck/golden/elementwise/check.hpp"
#include "ulpcheck/golden/elementwise/corpus.hpp"
#include "ulpcheck/golden/elementwise/regen.hpp"
#include "ulpcheck/properties/explain.hpp"
#include "ulpcheck/reference/registry.hpp"

namespace ulpcheck::cli {

namespace {

void print_group(const golden::GroupCheck& g) {
  const ErrorStats& s = g.measurement.stats;
  const auto& r = g.recorded;
  auto rec = [&](double golden::KernelFigures::*field) { return r ? std::optional<double>((*r).*field) : std::nullopt; };
  fmt::print("  {:<28} {:>7} {:>20} {:>20} {:>20} {:>22} {:>8}  {}\n", g.group, s.count,
             beside(s.max_ulp, rec(&golden::KernelFigures::max_ulp)),
             beside(s.max_ulp_above_floor, rec(&golden::KernelFigures::max_ulp_above_floor)),
             beside(s.percentile(0.99), rec(&golden::KernelFigures::p99)),
             beside(s.fraction(s.correctly_rounded), rec(&golden::KernelFigures::frac_correctly_rounded),
                    fmt::format("{:.4f}%", 100 * s.fraction(s.correctly_rounded))),
             s.budget_breaches + s.semantic_violations, s.passes() ? "PASS" : "FAIL");
}

std::string path_of(const GoldenOptions& o, const golden::FileOf<ElementwiseFamily>& f) {
  return golden::golden_path(o.dir, f.op->name);
}

}  // namespace

void regen_file(const GoldenOptions& o, const golden::FileOf<ElementwiseFamily>& f, const Provenance& provenance,
                const std::function<void()>& before_rename) {
  golden::BuildOptions b;
  b.samples = o.samples;
  b.seed = o.seed;
  b.kernels = runnable_kernels();
  provenance.set_in(b);
  const std::string path = path_of(o, f);
  std::vector<golden::Corpus> corpora = corpus_to_carry(o, path, golden::read_golden);
  const golden::GoldenFile file = golden::build_golden(*f.op, b, std::move(corpora), [](const std::string& line) {
    fmt::print(stderr, "regen: {}\n", line);
  });
  golden::write_golden(path, file, before_rename);
  std::size_t elements = 0, corpus = 0;
  for (const golden::GoldenCase& c : file.cases) elements += c.data.size();
  for (const golden::Corpus& c : file.corpora) corpus += c.data.size();
  fmt::print("{}: {} cases, {} elements, {} corpus elements, {:.2f} MB\n", path, file.cases.size(), elements, corpus,
             static_cast<double>(std::filesystem::file_size(path)) / 1e6);
  std::fflush(stdout);
}

void print_check(const golden::KernelCheck& k, const golden::FileCheck& c) {
  fmt::print("{} on {} (figures now, and as recorded where they differ):\n", k.kernel, k.path);
  fmt::print("  {:<28} {:>7} {:>20} {:>20} {:>20} {:>22} {:>8}  {}\n", "group", "elements", "max ULP",
             "max ULP > floor", "p99 ULP", "correctly rounded", "failing", "verdict");
  for (const golden::GroupCheck& g : c.groups) {
    print_group(g);
    if (g.passes()) continue;
    const ErrorStats& s = g.measurement.stats;
    fmt::print("    first failure of {}: {}", s.budget_breaches + s.semantic_violations,
               indented(explain(g.measurement, s.first_failure())));
  }
  for (const std::string& s : c.skipped) fmt::print("  skipped {}\n", s);
  std::fflush(stdout);
}

golden::VerifyResult verify_file(const GoldenOptions& o, const golden::FileOf<ElementwiseFamily>& f) {
  const std::string path = path_of(o, f);
  const ElementwiseOp& op = *f.op;
  golden::VerifyResult r;
  try {
    const golden::GoldenFile file = golden::read_golden(path);
    if (file.op != op.name)
      r.problems.push_back(fmt::format("{}: / says op '{}', but the file name says '{}'; the file was renamed or "
                                       "edited; regenerate with 'ulpcheck golden regen --op {}'",
                                       path, file.op, op.name, op.name));
    else
      r = golden::verify_golden(path, file, runnable_kernels(),
                                [](const std::string& line) { fmt::print(stderr, "verify: {}\n", line); });
  } catch (const golden::GoldenError& e) {
    r.problems.push_back(e.what());
  }
  return r;
}

void show_file(const GoldenOptions& o, const golden::FileOf<ElementwiseFamily>& f) {
  const std::string path = path_of(o, f);
  const golden::GoldenFile file = golden::read_golden(path);
  fmt::print("{}: {} ({})\n", path, file.op, file.formula);
  fmt::print("  schema {}, written by {}; oracle: {}\n", file.schema_version, file.tool, file.oracle_method);
  fmt::print("  device: {}; CUDA runtime: {}; driver: {}\n", file.device, file.cuda_version, file.driver_version);
  for (const golden::GoldenCase& c : file.cases) {
    fmt::print("  /{}/{}: {} elements: {}\n", name(c.format), c.name, c.data.size(), c.input);
    for (const golden::KernelFigures& k : c.kernels)
      fmt::print("    {:<32} budget {} ULP; max {} ULP ({} outside the floor); p50/p99/p99.9 {}/{}/{}; {:.4f}% "
                 "correctly rounded; {} breaches; {}\n",
                 k.kernel, k.budget_max_ulp, figure(k.max_ulp), figure(k.max_ulp_above_floor), figure(k.p50),
                 figure(k.p99), figure(k.p999), 100 * k.frac_correctly_rounded, k.budget_breaches,
                 k.budget_breaches + k.semantic_violations ? "FAIL" : "PASS");
  }
  for (const golden::Corpus& c : file.corpora) {
    fmt::print("  /{}/corpus: {} fuzz counterexample elements\n", name(c.format), c.data.size());
    for (const golden::CorpusPart& p : golden::split_by_params(c))
      if (!p.params.values().empty()) fmt::print("    {}: {} elements\n", p.params.label(), p.data.size());
  }
}

}  // namespace ulpcheck::cli
