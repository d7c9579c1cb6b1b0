#include "cli/fuzz.hpp"

#include <fmt/format.h>

#include <chrono>
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "cli/fuzz_corpus.hpp"
#include "cli/plugins.hpp"
#include "cli/shell_quote.hpp"
#include "cli/usage_error.hpp"
#include "cli/validators.hpp"
#include "ulpcheck/reports/junit.hpp"
#include "ulpcheck/runs/exhaustive.hpp"
#include "ulpcheck/runs/fuzz.hpp"
#include "ulpcheck/support/atomic_file.hpp"

namespace ulpcheck::cli {

namespace {


/// Prints the explanation, the shrunk case and the command that runs it again. The run's
/// plugins go into that command: a plugin kernel's token names a kernel only they register.
void print_failure(const FuzzResult& r, const PluginOptions& plugins) {
  fmt::print("  {}", r.failure);
  if (!r.failure.ends_with('\n')) fmt::print("\n");
  fmt::print("  minimal case: {}", r.counterexample);
  const std::string replay = "ulpcheck fuzz" + plugins.command_line();
  fmt::print("  replay: {} --replay {}\n", replay, shell_quoted(r.replay_token));
}

/// Whether `dir` is the golden/data of an ulpcheck source tree (this build's, a clone, a
/// copy): it is a folder data/ in a folder golden/ whose parent's CMakeLists.txt declares
/// project(ulpcheck. Its files are committed with the project and pin the project's own
/// kernels; they are the one place a plugin kernel's counterexamples must not go.
bool is_project_golden_data(const std::string& dir) {
  std::error_code ec;
  const std::filesystem::path p = std::filesystem::canonical(dir, ec);
  if (ec || p.filename() != "data" || p.parent_path().filename() != "golden") return false;
  std::ifstream cmake(p.parent_path().parent_path() / "CMakeLists.txt");
  std::stringstream text;
  text << cmake.rdbuf();
  return text.str().find("project(ulpcheck") != std::string::npos;
}

/// Where counterexamples are kept, and which may be: nothing unless --golden-dir names a
/// directory, so that a run in a checkout leaves it as it was.
struct Corpus {
  std::string dir;  ///< empty: keep none
  bool project_data = false;  ///< dir is the project's own golden/data: no plugin kernel's
  std::vector<std::string> plugin_kernels;
};

Corpus corpus_for(const FuzzOptions& o, const std::vector<std::string>& plugin_kernels) {
  if (!o.golden_dir) return {};
  if (!std::filesystem::is_directory(*o.golden_dir))
    throw UsageError(fmt::format("--golden-dir {}: {}; give an existing directory (its <op>.h5 files are created when "
                                 "missing)",
                                 *o.golden_dir,
                                 std::filesystem::exists(*o.golden_dir) ? "not a directory" : "no such directory"));
  return {*o.golden_dir, is_project_golden_data(*o.golden_dir), plugin_kernels};
}

/// Adds the shrunk case to the golden corpus, so that `golden check` runs it from now on,
/// and says where it went. Where it is not kept, says why and how to keep it.
void keep_counterexample(const FuzzOptions& o, const Corpus& corpus, const FuzzRun& run, const FuzzResult& r) {
  if (!r.minimal) return;
  const std::string& dir = corpus.dir;
  if (dir.empty()) {
    if (o.no_corpus) fmt::print("  not kept in a golden corpus (--no-corpus)\n");
    else
      fmt::print("  not kept in a golden corpus: fuzz writes no file unless asked; --golden-dir DIR keeps it in "
                 "DIR/{}.h5\n",
                 op_name(run));
    return;
  }
  if (corpus.project_data && std::ranges::find(corpus.plugin_kernels, kernel_name(run)) != corpus.plugin_kernels.end()) {
    fmt::print("  not kept in a golden corpus: {} is a plugin kernel, and {} is this project's own golden data, which "
               "keeps only its own kernels' counterexamples; give --golden-dir a directory of your own\n",
               kernel_name(run), dir);
    return;
  }
  const std::string kept = std::visit([&](const auto& family_run) { return keep_in_corpus(dir, family_run, r); }, run);
  fmt::print("  kept in the golden corpus: {}; 'ulpcheck golden check --dir {}' runs it from now on\n", kept, dir);
}

}  // namespace

void setup_fuzz(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<FuzzOptions>();
  CLI::App* sub = app.add_subcommand("fuzz", "Check every property of the selected kernels on generated cases");
  sub->add_option("--op", o->ops, "op to fuzz (repeatable; default: all, biased_grouped_topk included)");
  sub->add_option("--dtype", o->dtypes, "bf16, fp16 or fp32 (repeatable; default: all); for routing, the logits' dtype, "
                                         "the bias in the same dtype and in fp32");
  sub->add_option("--kernel", o->kernels, "kernel under test (repeatable; default: every kernel that can run here)");
  sub->add_option("--property", o->properties,
                  "property to check (repeatable; default: every property that applies; a name it does not know "
                  "lists them)");
  add_plugin_option(sub, o->plugins);
  sub->add_option("--cases", o->cases, "cases per property")->check(CLI::Range(1, 1'000'000))->capture_default_str();
  sub->add_option("--seed", o->seed, "seed; the same seed gives the same cases and output")
      ->check(seed_value())
      ->capture_default_str();
  sub->add_option("--time-budget", o->time_budget, "stop starting properties after this many seconds")
      ->check(finite_positive());
  sub->add_option("--replay", o->replay, "run exactly the failing case a previous run printed");
  sub->add_option("--junit", o->junit, "also write the results as JUnit XML to FILE");
  sub->add_option("--golden-dir", o->golden_dir,
                  "keep counterexamples in the corpus of DIR/<op>.h5, created when missing (without it nothing is "
                  "written; a plugin kernel's are never kept in the project's own golden/data)")
      ->type_name("DIR");
  sub->add_flag("--no-corpus", o->no_corpus, "keep no counterexample (the default; for scripts that say so)")
      ->excludes("--golden-dir");
  sub->add_option("--shard", o->shard,
                  "run the K-th of N consecutive slices of the property runs (one job of a CI matrix); the slices' "
                  "lines, in order, are those of one run of the whole campaign")
      ->type_name("K/N")
      ->excludes("--replay");
  sub->callback([o, &exit_code] { exit_code = run_fuzz(*o); });
}

int run_fuzz(const FuzzOptions& o) {
  const std::vector<std::string> plugin_kernels = load_plugins(o.plugins);
  const std::vector<FuzzRun> runs =
      o.replay ? std::vector<FuzzRun>{resolve_replay(*o.replay)} : plan_fuzz({o.ops, o.dtypes, o.kernels, o.properties});
  // A shard takes runs [first, end) and numbers them as the whole campaign does.
  std::size_t first = 0, end = runs.size();
  if (!o.shard.empty()) {
    const Shard s = parse_shard(o.shard);
    first = static_cast<std::size_t>(s.index) * runs.size() / static_cast<std::size_t>(s.count);
    end = static_cast<std::size_t>(s.index + 1) * runs.size() / static_cast<std::size_t>(s.count);
  }
  const FuzzSettings settings{o.cases, o.seed};
  const Corpus corpus = corpus_for(o, plugin_kernels);
  const auto start = std::chrono::steady_clock::now();
  std::vector<FuzzResult> results;
  int failed = 0, died = 0;
  long long cases = 0;
  for (std::size_t i = first; i < end; ++i) {
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (o.time_budget && elapsed > *o.time_budget) {
      fmt::print("time budget of {} s reached: {} of {} property runs not started\n", *o.time_budget, end - i,
                 end - first);
      break;
    }
    const FuzzRun& each = runs[i];
    const FuzzResult r = run(each, settings, o.replay);
    cases += r.cases;
    fmt::print("[{:>{}}/{}] {}: ", i + 1, fmt::formatted_size("{}", runs.size()), runs.size(), label(each));
    if (r.passed) {
      fmt::print("{} cases passed\n", r.cases);
    } else {
      ++failed;
      died += r.kernel_died;
      fmt::print("FAILED{} after {} passing cases\n", r.kernel_died ? " (the kernel's process died)" : "", r.cases);
      print_failure(r, o.plugins);
      keep_counterexample(o, corpus, each, r);
    }
    std::fflush(stdout);
    results.push_back(r);
    if (r.device_lost) {
      fmt::print("the CUDA context is lost: the {} property runs after this one are not run\n", end - i - 1);
      break;
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  fmt::print("{}{} of {} property runs passed (seed {})\n", o.shard.empty() ? "" : "shard " + o.shard + ": ",
             results.size() - failed, results.size(), o.seed);
  // Timing goes to stderr, so that stdout is the same for the same seed.
  fmt::print(stderr, "fuzz: {} cases in {:.1f} s ({:.0f} cases/s)\n", cases, seconds, cases / std::max(seconds, 1e-9));
  if (o.junit) {
    try {
      write_file_atomically(*o.junit, junit_xml(results));
    } catch (const std::runtime_error& e) {
      throw UsageError(fmt::format("--junit {}", e.what()));
    }
  }
  if (died)
    fmt::print("{} of {} property runs ended with the kernel's process dead: exit 2, a kernel that does not run is "
               "not a property's verdict\n",
               died, results.size());
  return died ? kExitUsage : failed ? kExitViolation : kExitPass;
}

}  // namespace ulpcheck::cli
