#include "cli/golden.hpp"

#include <fmt/format.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>

#include "cli/golden_file.hpp"
#include "cli/plugins.hpp"
#include "cli/usage_error.hpp"
#include "ulpcheck/device/cuda/runtime.hpp"
#include "ulpcheck/golden/elementwise/golden_file.hpp"

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

std::string path_of(const std::string& dir, const GoldenFile& f) {
  return golden::golden_path(dir, std::visit([](const auto& file) { return file_op(file); }, f));
}

/// The files of the ops named by --op, or of every op when none is named.
std::vector<GoldenFile> named_files(const GoldenOptions& o) {
  for (const std::string& n : o.ops) require_known_op(n);
  std::vector<GoldenFile> files;
  Families::for_each([&](auto family) { add_golden_files(family, o.ops, files); });
  return files;
}

/// The files of the ops named by --op, or for commands that read files, every file there is.
std::vector<GoldenFile> files_present(const GoldenOptions& o) {
  require_dir(o.dir, false);
  std::vector<GoldenFile> files = named_files(o);
  if (!o.ops.empty()) return files;
  std::erase_if(files, [&](const GoldenFile& f) { return !fs::exists(path_of(o.dir, f)); });
  if (files.empty())
    throw UsageError(fmt::format("--dir {}: holds no golden file of any op ({}); create them with 'ulpcheck golden "
                                 "regen --dir {}'",
                                 o.dir, all_op_names(), o.dir));
  return files;
}

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
  const std::vector<GoldenFile> files = named_files(o);
  Provenance provenance;
  if (cuda::device_available()) {
    const cuda::Provenance p = cuda::provenance();
    provenance = {p.device, p.cuda_runtime, p.driver};
  }
  // Fault injection for the tests: die between writing the temporary and the rename, as a
  // killed regen would.
  const bool die = std::getenv("ULPCHECK_TEST_DIE_BEFORE_RENAME") != nullptr;
  const std::function<void()> before_rename = die ? std::function<void()>([] { std::raise(SIGKILL); }) : nullptr;
  for (const GoldenFile& f : files)
    std::visit([&](const auto& file) { regen_file(o, file, provenance, before_rename); }, f);
  return kExitPass;
}

int run_golden_check(const GoldenOptions& o) {
  load_plugins(o.plugins);
  const std::vector<GoldenFile> files = files_present(o);
  const KernelSelection kernels = resolve_kernels(o.kernels);
  CheckTally total;
  for (const GoldenFile& f : files) {
    const CheckTally t = std::visit([&](const auto& file) { return check_file(o, file, kernels); }, f);
    total.groups += t.groups;
    total.failed += t.failed;
  }
  if (total.groups == 0)
    throw UsageError("nothing to check: no selected kernel implements an op of the selected golden files");
  fmt::print("{} of {} groups passed\n", total.groups - total.failed, total.groups);
  return total.failed ? kExitViolation : kExitPass;
}

int run_golden_verify(const GoldenOptions& o) {
  load_plugins(o.plugins);
  std::size_t problems = 0;
  for (const GoldenFile& f : files_present(o))
    problems += print_verify(path_of(o.dir, f), std::visit([&](const auto& file) { return verify_file(o, file); }, f));
  return problems ? kExitUsage : kExitPass;
}

int run_golden_show(const GoldenOptions& o) {
  load_plugins(o.plugins);
  for (const GoldenFile& f : files_present(o)) std::visit([&](const auto& file) { show_file(o, file); }, f);
  return kExitPass;
}

}  // namespace ulpcheck::cli
