// The routing family's golden file, biased_grouped_topk.h5: regenerated, checked, verified
// and shown beside the elementwise files, with the same messages and exit codes.
#include "cli/golden_file.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <optional>

#include "ulpcheck/device/registry.hpp"
#include "ulpcheck/golden/routing/check.hpp"
#include "ulpcheck/golden/routing/regen.hpp"
#include "ulpcheck/golden/routing/verify.hpp"

namespace ulpcheck::cli {

namespace {

namespace fs = std::filesystem;

std::string routing_path(const GoldenOptions& o) { return golden::golden_path(o.dir, kRoutingOpName); }

void print_group(const golden::RoutingGroupCheck& g) {
  const RoutingStats& s = g.stats;
  const auto& r = g.recorded;
  auto rec = [&](auto field) { return r ? std::optional<double>(static_cast<double>((*r).*field)) : std::nullopt; };
  using F = golden::RoutingKernelFigures;
  fmt::print("  {:<44} {:>6} {:>14} {:>14} {:>14} {:>10} {:>10} {:>18} {:>18}  {}\n", g.group, s.tokens,
             beside(static_cast<double>(s.matches), rec(&F::matches)),
             beside(static_cast<double>(s.near_ties), rec(&F::near_ties)),
             beside(static_cast<double>(s.mismatches), rec(&F::mismatches)),
             beside(static_cast<double>(s.invalid), rec(&F::invalid)),
             beside(static_cast<double>(s.weight_breaches + s.bad_weights),
                    r ? std::optional<double>(static_cast<double>(r->weight_breaches + r->bad_weights)) : std::nullopt),
             beside(s.max_weight_ulp, rec(&F::max_weight_ulp)),
             beside(s.weight_ulp_percentile(0.99), rec(&F::p99_weight_ulp)), s.passes() ? "PASS" : "FAIL");
}

}  // namespace

void regen_file(const GoldenOptions& o, const golden::FileOf<RoutingFamily>&, const Provenance& p,
                const std::function<void()>& before_rename) {
  const std::string path = routing_path(o);
  std::vector<golden::RoutingCorpus> corpora = corpus_to_carry(o, path, golden::read_routing_golden);
  golden::RoutingBuildOptions b;
  b.tokens = o.tokens;
  b.seed = o.seed;
  b.kernels = runnable_routing_kernels();
  p.set_in(b);
  const golden::RoutingGoldenFile file = golden::build_routing_golden(
      b, std::move(corpora), [](const std::string& line) { fmt::print(stderr, "regen: {}\n", line); });
  golden::write_routing_golden(path, file, before_rename);
  std::int64_t tokens = 0;
  std::size_t counterexamples = 0;
  for (const golden::RoutingGoldenCase& c : file.cases) tokens += c.inputs.tokens;
  for (const golden::RoutingCorpus& c : file.corpora) counterexamples += c.entries.size();
  fmt::print("{}: {} cases, {} tokens, {} corpus counterexamples, {:.2f} MB\n", path, file.cases.size(), tokens,
             counterexamples, static_cast<double>(fs::file_size(path)) / 1e6);
}

void print_check(const golden::KernelCheck& k, const golden::RoutingFileCheck& c) {
  fmt::print("{} on {} (figures now, and as recorded where they differ):\n", k.kernel, k.path);
  fmt::print("  {:<44} {:>6} {:>14} {:>14} {:>14} {:>10} {:>10} {:>18} {:>18}  {}\n", "group", "tokens", "matches",
             "near-ties", "mismatches", "invalid", "breaches", "max weight ULP", "p99 weight ULP", "verdict");
  for (const golden::RoutingGroupCheck& g : c.groups) {
    print_group(g);
    if (g.passes()) continue;
    const RoutingStats& s = g.stats;
    fmt::print("    first failing token: {}",
               indented(s.failures.empty() ? std::string("(no token explained)\n") : s.failures.front()));
  }
  for (const std::string& s : c.skipped) fmt::print("  skipped {}\n", s);
  std::fflush(stdout);
}

golden::VerifyResult verify_file(const GoldenOptions& o, const golden::FileOf<RoutingFamily>&) {
  const std::string path = routing_path(o);
  golden::VerifyResult r;
  try {
    const golden::RoutingGoldenFile file = golden::read_routing_golden(path);
    const std::vector<const RoutingKernel*> kernels = runnable_routing_kernels();
    r = golden::verify_routing_golden(path, file, kernels,
                                      [](const std::string& line) { fmt::print(stderr, "verify: {}\n", line); });
  } catch (const golden::GoldenError& e) {
    r.problems.push_back(e.what());
  }
  return r;
}

void show_file(const GoldenOptions& o, const golden::FileOf<RoutingFamily>&) {
  const std::string path = routing_path(o);
  const golden::RoutingGoldenFile f = golden::read_routing_golden(path);
  fmt::print("{}: {} ({})\n", path, f.op, f.formula);
  fmt::print("  schema {}, written by {}; oracle: {}\n", f.schema_version, f.tool, f.oracle_method);
  fmt::print("  device: {}; CUDA runtime: {}; driver: {}\n", f.device, f.cuda_version, f.driver_version);
  for (const golden::RoutingGoldenCase& c : f.cases) {
    fmt::print("  /{}/{}: {} tokens of {}; logits {}, bias {}, seed {}\n",
               golden::format_pair(c.inputs.logits_format, c.inputs.bias_format), c.name, c.inputs.tokens,
               c.config.label(), c.logits_distribution.label(), c.bias_distribution.label(), c.seed);
    for (const golden::RoutingKernelFigures& k : c.kernels)
      fmt::print("    {:<26} {} arithmetic, weights within {} ULP; {} match, {} near-ties, {} mismatches, {} invalid; "
                 "weight max/p99 {}/{} ULP; {} breaches; {}\n",
                 k.kernel, name(k.claim.arithmetic), k.claim.weights.max_ulp, k.matches, k.near_ties, k.mismatches,
                 k.invalid, figure(k.max_weight_ulp), figure(k.p99_weight_ulp), k.weight_breaches + k.bad_weights,
                 k.passes() ? "PASS" : "FAIL");
  }
  for (const golden::RoutingCorpus& c : f.corpora) {
    fmt::print("  /{}/corpus: {} fuzz counterexamples\n", golden::format_pair(c.logits, c.bias), c.entries.size());
    for (const golden::RoutingCounterexample& e : c.entries)
      fmt::print("    {}: {} tokens of {}; found by {}\n", e.name, e.routing.inputs.tokens, e.routing.config.label(),
                 e.found_by);
  }
}

}  // namespace ulpcheck::cli
