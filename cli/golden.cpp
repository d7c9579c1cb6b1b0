#include "cli/golden.hpp"

#include <fmt/format.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "cli/golden_file.hpp"
#include "cli/plugins.hpp"
#include "cli/usage_error.hpp"
#include "cli/validators.hpp"
#include "ulpcheck/device/cuda/runtime.hpp"
#include "ulpcheck/golden/elementwise/golden_file.hpp"
#include "ulpcheck/runs/exhaustive.hpp"
#include "ulpcheck/runs/observer.hpp"

namespace ulpcheck::cli {

namespace {

/// Prints what verify found in one file; returns the number of problems.
std::size_t print_verify(const std::string& path, const golden::VerifyResult& r) {
  for (const std::string& n : r.notes) fmt::print("note: {}\n", n);
  for (const std::string& p : r.problems) fmt::print(stderr, "ulpcheck: error: {}\n", p);
  fmt::print("{}: {}\n", path, r.problems.empty() ? "verified" : fmt::format("{} problem(s)", r.problems.size()));
  return r.problems.size();
}

}  // namespace

std::string figure(double v) { return fmt::format("{:.4g}", v); }

std::string beside(double now, std::optional<double> was, const std::string& shown) {
  if (!was || *was == now) return shown;
  return fmt::format("{} (was {})", shown, figure(*was));
}

std::string indented(std::string text) {
  for (std::size_t at = 0; (at = text.find('\n', at)) != std::string::npos && at + 1 < text.size(); at += 5)
    text.replace(at, 1, "\n    ");
  return text;
}

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
  regen->add_option("--seed", o->seed, "seed of the random elements and routing batches")
      ->check(seed_value())
      ->capture_default_str();
  regen->add_flag("--drop-corpus", o->drop_corpus, "do not carry the fuzz corpus of the old file over");
  regen->add_option("--shard", o->shard,
                    "regenerate the K-th of N consecutive slices of the files (one job each); every file is written "
                    "alone, so the shards together write what one run writes")
      ->type_name("K/N");
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
  golden::require_dir(o.dir, true);
  std::vector<golden::FileRef> files = golden::named_files(o.ops);
  if (!o.shard.empty()) {
    const Shard s = parse_shard(o.shard);
    const auto n = static_cast<std::int64_t>(files.size());
    files = std::vector<golden::FileRef>(files.begin() + s.index * n / s.count, files.begin() + (s.index + 1) * n / s.count);
  }
  Provenance provenance;
  if (cuda::device_available()) {
    const cuda::Provenance p = cuda::provenance();
    provenance = {p.device, p.cuda_runtime, p.driver};
  }
  // Fault injection for the tests: die between writing the temporary and the rename, as a
  // killed regen would.
  const bool die = std::getenv("ULPCHECK_TEST_DIE_BEFORE_RENAME") != nullptr;
  const std::function<void()> before_rename = die ? std::function<void()>([] { std::raise(SIGKILL); }) : nullptr;
  for (const golden::FileRef& f : files)
    std::visit([&](const auto& file) { regen_file(o, file, provenance, before_rename); }, f);
  return kExitPass;
}

int run_golden_check(const GoldenOptions& o) {
  load_plugins(o.plugins);
  const golden::CheckPlan plan = golden::plan_check({o.dir, o.ops, o.kernels});
  TerminalObserver observer;
  std::size_t groups = 0, failed = 0;
  for (const golden::KernelCheck& k : golden::run_check(plan, observer)) {
    std::visit([&](const auto& c) { print_check(k, c); }, k.check);
    groups += k.groups();
    failed += k.failed();
  }
  if (groups == 0)
    throw UsageError("nothing to check: no selected kernel implements an op of the selected golden files");
  fmt::print("{} of {} groups passed\n", groups - failed, groups);
  return failed ? kExitViolation : kExitPass;
}

int run_golden_verify(const GoldenOptions& o) {
  load_plugins(o.plugins);
  std::size_t problems = 0;
  for (const golden::FileRef& f : golden::files_present(o.dir, o.ops))
    problems += print_verify(golden::file_path(o.dir, f),
                             std::visit([&](const auto& file) { return verify_file(o, file); }, f));
  return problems ? kExitUsage : kExitPass;
}

int run_golden_show(const GoldenOptions& o) {
  load_plugins(o.plugins);
  for (const golden::FileRef& f : golden::files_present(o.dir, o.ops))
    std::visit([&](const auto& file) { show_file(o, file); }, f);
  return kExitPass;
}

}  // namespace ulpcheck::cli
