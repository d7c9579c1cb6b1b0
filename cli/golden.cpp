#include "cli/golden.hpp"

#include <fmt/format.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>

#include "cli/golden_routing.hpp"
#include "cli/plugins.hpp"
#include "cli/resolve.hpp"
#include "cli/usage_error.hpp"
#include "ulpcheck/device/cuda/runtime.hpp"
#include "ulpcheck/device/registry.hpp"
#include "ulpcheck/device/routing_kernel.hpp"
#include "ulpcheck/golden/check.hpp"
#include "ulpcheck/golden/corpus.hpp"
#include "ulpcheck/golden/regen.hpp"
#include "ulpcheck/golden/verify.hpp"
#include "ulpcheck/properties/explain.hpp"
#include "ulpcheck/reference/registry.hpp"
#include "ulpcheck/reference/routing.hpp"

namespace ulpcheck::cli {

namespace {

namespace fs = std::filesystem;

void require_dir(const std::string& dir, bool create) {
  std::error_code ec;
  if (fs::is_directory(dir, ec)) return;
  if (create && !fs::exists(dir, ec) && fs::create_directories(dir, ec)) return;
  throw UsageError(fmt::format("--dir {}: {}; run from the repository root (golden files live in {}) or give --dir",
                               dir, fs::exists(dir) ? "not a directory" : "no such directory", kDefaultGoldenDir));
}

const ElementwiseOp& resolve_golden_op(const std::string& name) {
  if (const ElementwiseOp* op = find_op(name)) return *op;
  throw UsageError(fmt::format("--op {}: no such op; expected one of {}, {} (see 'ulpcheck list')", name, op_names(),
                               kRoutingOpName));
}

/// The golden files a command works on: those of elementwise ops, and the routing file.
struct Selection {
  std::vector<const ElementwiseOp*> ops;
  bool routing = false;
};

/// The ops named by --op, or every op and routing when none is named.
Selection named_ops(const GoldenOptions& o) {
  Selection s;
  for (const std::string& n : o.ops) {
    if (n == kRoutingOpName) s.routing = true;
    else s.ops.push_back(&resolve_golden_op(n));
  }
  if (o.ops.empty()) {
    s.ops.assign(all_ops().begin(), all_ops().end());
    s.routing = true;
  }
  return s;
}

/// The ops named by --op, or for commands that read files, every op whose file exists.
Selection ops_with_files(const GoldenOptions& o) {
  require_dir(o.dir, false);
  Selection s = named_ops(o);
  if (!o.ops.empty()) return s;
  std::erase_if(s.ops, [&](const ElementwiseOp* op) { return !fs::exists(golden::golden_path(o.dir, op->name)); });
  s.routing = fs::exists(golden::golden_path(o.dir, kRoutingOpName));
  if (s.ops.empty() && !s.routing)
    throw UsageError(fmt::format("--dir {}: holds no golden file of any op ({}, {}); create them with 'ulpcheck golden "
                                 "regen --dir {}'",
                                 o.dir, op_names(), kRoutingOpName, o.dir));
  return s;
}

/// Prints what verify found in one file; returns the number of problems.
std::size_t print_verify(const std::string& path, const golden::VerifyResult& r) {
  for (const std::string& n : r.notes) fmt::print("note: {}\n", n);
  for (const std::string& p : r.problems) fmt::print(stderr, "ulpcheck: error: {}\n", p);
  fmt::print("{}: {}\n", path, r.problems.empty() ? "verified" : fmt::format("{} problem(s)", r.problems.size()));
  return r.problems.size();
}

std::string figure(double v) { return fmt::format("{:.4g}", v); }

/// "0.5" when equal to the recorded value, "0.75 (was 0.5)" when not, "0.5" when nothing
/// was recorded.
std::string beside(double now, std::optional<double> was, const std::string& shown) {
  if (!was || *was == now) return shown;
  return fmt::format("{} (was {})", shown, figure(*was));
}

void print_group(const golden::GroupCheck& g) {
  const ErrorStats& s = g.measurement.stats;
  const auto& r = g.recorded;
  auto rec = [&](double golden::KernelFigures::*field) { return r ? std::optional<double>((*r).*field) : std::nullopt; };
  fmt::print("  {:<28} {:>7} {:>20} {:>20} {:>20} {:>22} {:>8}  {}\n", g.group, s.count,
             beside(s.max_ulp, rec(&golden::KernelFigures::max_ulp), figure(s.max_ulp)),
             beside(s.max_ulp_above_floor, rec(&golden::KernelFigures::max_ulp_above_floor), figure(s.max_ulp_above_floor)),
             beside(s.percentile(0.99), rec(&golden::KernelFigures::p99), figure(s.percentile(0.99))),
             beside(s.fraction(s.correctly_rounded), rec(&golden::KernelFigures::frac_correctly_rounded),
                    fmt::format("{:.4f}%", 100 * s.fraction(s.correctly_rounded))),
             s.budget_breaches + s.semantic_violations, s.passes() ? "PASS" : "FAIL");
}

}  // namespace

void setup_golden(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<GoldenOptions>();
  CLI::App* golden = app.add_subcommand("golden", "Golden HDF5 files: regen, check, verify, show");
  golden->require_subcommand(1);
  auto common = [&](CLI::App* sub, const char* op_help) {
    sub->add_option("--dir", o->dir, "directory of the golden files")->capture_default_str();
    sub->add_option("--op", o->ops, op_help);
    add_plugin_option(sub, o->plugins);
  };
  CLI::App* regen = golden->add_subcommand("regen", "Recompute golden files and replace them atomically");
  common(regen, "op to regenerate (repeatable; default: every op)");
  regen->add_option("--samples", o->samples, "random elements per sampled case")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{1} << 26))
      ->capture_default_str();
  regen->add_option("--tokens", o->tokens, "tokens per routing case")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{1} << 20))
      ->capture_default_str();
  regen->add_option("--seed", o->seed, "seed of the random elements and routing batches")->capture_default_str();
  regen->add_flag("--drop-corpus", o->drop_corpus, "do not carry the fuzz corpus of the old file over");
  regen->callback([o, &exit_code] { exit_code = run_golden_regen(*o); });

  CLI::App* check = golden->add_subcommand("check", "Run kernels over golden inputs; exit 1 on a budget breach");
  common(check, "op to check (repeatable; default: every op with a golden file)");
  check->add_option("--kernel", o->kernels, "kernel to check (repeatable; default: every kernel that can run here)");
  check->callback([o, &exit_code] { exit_code = run_golden_check(*o); });

  CLI::App* verify = golden->add_subcommand("verify", "Recompute the oracle and figures; exit 2 on any difference");
  common(verify, "op to verify (repeatable; default: every op with a golden file)");
  verify->callback([o, &exit_code] { exit_code = run_golden_verify(*o); });

  CLI::App* show = golden->add_subcommand("show", "Print what golden files hold");
  common(show, "op to show (repeatable; default: every op with a golden file)");
  show->callback([o, &exit_code] { exit_code = run_golden_show(*o); });
}

int run_golden_regen(const GoldenOptions& o) {
  load_plugins(o.plugins);
  require_dir(o.dir, true);
  const Selection selection = named_ops(o);

  Provenance provenance;
  if (cuda::device_available()) {
    const cuda::Provenance p = cuda::provenance();
    provenance = {p.device, p.cuda_runtime, p.driver};
  }
  // Fault injection for the tests: die between writing the temporary and the rename, as a
  // killed regen would.
  const bool die = std::getenv("ULPCHECK_TEST_DIE_BEFORE_RENAME") != nullptr;
  const std::function<void()> before_rename = die ? std::function<void()>([] { std::raise(SIGKILL); }) : nullptr;

  golden::BuildOptions b;
  b.samples = o.samples;
  b.seed = o.seed;
  b.kernels = runnable_kernels();
  provenance.set_in(b);
  for (const ElementwiseOp* op : selection.ops) {
    const std::string path = golden::golden_path(o.dir, op->name);
    std::vector<golden::Corpus> corpora = corpus_to_carry(o, path, golden::read_golden);
    const golden::GoldenFile file =
        golden::build_golden(*op, b, std::move(corpora), [](const std::string& line) { fmt::print(stderr, "regen: {}\n", line); });
    golden::write_golden(path, file, before_rename);
    std::size_t elements = 0, corpus = 0;
    for (const golden::GoldenCase& c : file.cases) elements += c.data.size();
    for (const golden::Corpus& c : file.corpora) corpus += c.data.size();
    fmt::print("{}: {} cases, {} elements, {} corpus elements, {:.2f} MB\n", path, file.cases.size(), elements, corpus,
               static_cast<double>(fs::file_size(path)) / 1e6);
    std::fflush(stdout);
  }
  if (selection.routing) regen_routing_file(o, provenance, before_rename);
  return kExitPass;
}

int run_golden_check(const GoldenOptions& o) {
  load_plugins(o.plugins);
  const Selection selection = ops_with_files(o);
  const KernelSelection selected = resolve_kernels(o.kernels);
  const std::vector<const Kernel*>& kernels = selected.elementwise;
  const std::vector<const RoutingKernel*>& routing_kernels = selected.routing;

  bool pass = true;
  int groups = 0, failed = 0;
  for (const ElementwiseOp* op : selection.ops) {
    const std::string path = golden::golden_path(o.dir, op->name);
    const golden::GoldenFile file = golden::read_golden(path);
    for (const Kernel* k : kernels) {
      if (!std::any_of(all_formats().begin(), all_formats().end(), [&](Format f) { return k->supports(*op, f); }))
        continue;
      const golden::FileCheck c = golden::check_kernel(file, *k);
      if (c.groups.empty()) continue;
      fmt::print("{} on {} (figures now, and as recorded where they differ):\n", k->name(), path);
      fmt::print("  {:<28} {:>7} {:>20} {:>20} {:>20} {:>22} {:>8}  {}\n", "group", "elements", "max ULP",
                 "max ULP > floor", "p99 ULP", "correctly rounded", "failing", "verdict");
      for (const golden::GroupCheck& g : c.groups) {
        print_group(g);
        ++groups;
        if (g.measurement.stats.passes()) continue;
        ++failed;
        pass = false;
        const ErrorStats& s = g.measurement.stats;
        const auto& first = !s.breaches.empty() ? s.breaches.front() : s.semantic_failures.front();
        std::string text = explain(g.measurement, first);
        for (std::size_t at = 0; (at = text.find('\n', at)) != std::string::npos && at + 1 < text.size(); at += 5)
          text.replace(at, 1, "\n    ");
        fmt::print("    first failure of {}: {}", s.budget_breaches + s.semantic_violations, text);
      }
      for (const std::string& s : c.skipped) fmt::print("  skipped {}\n", s);
      std::fflush(stdout);
    }
  }
  if (selection.routing) {
    const CheckTally t = check_routing_file(o, routing_kernels);
    groups += t.groups;
    failed += t.failed;
    pass = pass && t.failed == 0;
  }
  if (groups == 0) throw UsageError("nothing to check: no selected kernel implements an op of the selected golden files");
  fmt::print("{} of {} groups passed\n", groups - failed, groups);
  return pass ? kExitPass : kExitViolation;
}

int run_golden_verify(const GoldenOptions& o) {
  load_plugins(o.plugins);
  const Selection selection = ops_with_files(o);
  const std::vector<const Kernel*> kernels = runnable_kernels();
  std::size_t problems = 0;
  for (const ElementwiseOp* op : selection.ops) {
    const std::string path = golden::golden_path(o.dir, op->name);
    golden::VerifyResult r;
    try {
      const golden::GoldenFile file = golden::read_golden(path);
      if (file.op != op->name)
        r.problems.push_back(fmt::format("{}: / says op '{}', but the file name says '{}'; the file was renamed or "
                                         "edited; regenerate with 'ulpcheck golden regen --op {}'",
                                         path, file.op, op->name, op->name));
      else
        r = golden::verify_golden(path, file, kernels, [](const std::string& line) { fmt::print(stderr, "verify: {}\n", line); });
    } catch (const golden::GoldenError& e) {
      r.problems.push_back(e.what());
    }
    problems += print_verify(path, r);
  }
  if (selection.routing) problems += print_verify(golden::golden_path(o.dir, kRoutingOpName), verify_routing_file(o));
  return problems ? kExitUsage : kExitPass;
}

int run_golden_show(const GoldenOptions& o) {
  load_plugins(o.plugins);
  const Selection selection = ops_with_files(o);
  for (const ElementwiseOp* op : selection.ops) {
    const std::string path = golden::golden_path(o.dir, op->name);
    const golden::GoldenFile f = golden::read_golden(path);
    fmt::print("{}: {} ({})\n", path, f.op, f.formula);
    fmt::print("  schema {}, written by {}; oracle: {}\n", f.schema_version, f.tool, f.oracle_method);
    fmt::print("  device: {}; CUDA runtime: {}; driver: {}\n", f.device, f.cuda_version, f.driver_version);
    for (const golden::GoldenCase& c : f.cases) {
      fmt::print("  /{}/{}: {} elements: {}\n", name(c.format), c.name, c.data.size(), c.input);
      for (const golden::KernelFigures& k : c.kernels)
        fmt::print("    {:<32} budget {} ULP; max {} ULP ({} outside the floor); p50/p99/p99.9 {}/{}/{}; {:.4f}% "
                   "correctly rounded; {} breaches; {}\n",
                   k.kernel, k.budget_max_ulp, figure(k.max_ulp), figure(k.max_ulp_above_floor), figure(k.p50),
                   figure(k.p99), figure(k.p999), 100 * k.frac_correctly_rounded, k.budget_breaches,
                   k.budget_breaches + k.semantic_violations ? "FAIL" : "PASS");
    }
    for (const golden::Corpus& c : f.corpora) {
      fmt::print("  /{}/corpus: {} fuzz counterexample elements\n", name(c.format), c.data.size());
      for (const golden::CorpusPart& p : golden::split_by_params(c))
        if (!p.params.values().empty()) fmt::print("    {}: {} elements\n", p.params.label(), p.data.size());
    }
  }
  if (selection.routing) show_routing_file(o);
  return kExitPass;
}

}  // namespace ulpcheck::cli
