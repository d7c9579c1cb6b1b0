#include "cli/fuzz.hpp"

#include <fmt/format.h>

#include <chrono>
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "cli/plugins.hpp"
#include "cli/resolve.hpp"
#include "cli/usage_error.hpp"
#include "ulpcheck/device/registry.hpp"
#include "ulpcheck/device/routing_kernel.hpp"
#include "ulpcheck/properties/routing/fuzz.hpp"
#include "ulpcheck/golden/corpus.hpp"
#include "ulpcheck/golden/routing_corpus.hpp"
#include "ulpcheck/properties/fuzz.hpp"
#include "ulpcheck/reference/registry.hpp"
#include "ulpcheck/reports/junit.hpp"
#include "ulpcheck/support/atomic_file.hpp"

namespace ulpcheck::cli {

namespace {

/// One property run: elementwise (target, property) or routing (routing_target, routing_property).
struct Run {
  FuzzTarget target{};
  const FuzzProperty* property = nullptr;
  RoutingFuzzTarget routing_target{};
  const RoutingFuzzProperty* routing_property = nullptr;

  std::string label() const {
    if (routing_property)
      return fmt::format("{} {} {}+{} {}", routing_target.kernel->name(), kRoutingOpName, name(routing_target.logits),
                         name(routing_target.bias), routing_property->name);
    return fmt::format("{} {} {} {}", target.kernel->name(), target.op->name, name(target.format), property->name);
  }
  FuzzResult execute(const FuzzSettings& s, const std::optional<std::string>& replay) const {
    return routing_property ? run_routing_fuzz_property(routing_target, *routing_property, s, replay)
                            : run_fuzz_property(target, *property, s, replay);
  }
};

/// The (logits, bias) formats routing is fuzzed in for a logits dtype: the bias in the same
/// dtype, and in fp32 as checkpoints store it.
std::vector<std::pair<Format, Format>> routing_formats(Format logits) {
  if (logits == Format::fp32) return {{logits, logits}};
  return {{logits, logits}, {logits, Format::fp32}};
}

std::vector<Run> plan(const FuzzOptions& o) {
  std::vector<const ElementwiseOp*> ops;
  bool routing = o.ops.empty();
  for (const std::string& n : o.ops) {
    if (n == kRoutingOpName) routing = true;
    else ops.push_back(&resolve_op(n));
  }
  if (o.ops.empty()) ops.assign(all_ops().begin(), all_ops().end());
  std::vector<Format> formats;
  for (const std::string& n : o.dtypes) formats.push_back(resolve_format(n));
  if (formats.empty()) formats.assign(all_formats().begin(), all_formats().end());
  const KernelSelection selected = resolve_kernels(o.kernels);
  const std::vector<const Kernel*>& kernels = selected.elementwise;
  const std::vector<const RoutingKernel*>& routing_kernels = selected.routing;

  std::vector<Run> runs;
  for (const Kernel* k : kernels)
    for (const ElementwiseOp* op : ops)
      for (Format f : formats)
        if (k->supports(*op, f))
          for (const FuzzProperty& p : all_fuzz_properties())
            if (p.applies({k, op, f})) runs.push_back({{k, op, f}, &p});
  if (routing)
    for (const RoutingKernel* k : routing_kernels)
      for (Format f : formats)
        for (const auto& [logits, bias] : routing_formats(f))
          for (const RoutingFuzzProperty& p : all_routing_fuzz_properties())
            runs.push_back({{}, nullptr, {k, logits, bias}, &p});
  if (runs.empty()) throw UsageError("nothing to fuzz: no selected kernel implements the selected ops and dtypes");
  return runs;
}

/// The run a replay token names ("kernel/op/dtype/property").
Run resolve_replay(const std::string& token) {
  std::string id;
  try {
    id = replay_token_id(token);
  } catch (const std::invalid_argument& e) {
    throw UsageError(fmt::format("--replay: {}", e.what()));
  }
  for (const Kernel* k : all_kernels())
    for (const ElementwiseOp* op : all_ops())
      for (Format f : all_formats())
        for (const FuzzProperty& p : all_fuzz_properties())
          if (fuzz_id({k, op, f}, p) == id) return {{k, op, f}, &p};
  for (const RoutingKernel* k : all_routing_kernels())
    for (Format logits : all_formats())
      for (Format bias : all_formats())
        for (const RoutingFuzzProperty& p : all_routing_fuzz_properties())
          if (routing_fuzz_id({k, logits, bias}, p) == id) return {{}, nullptr, {k, logits, bias}, &p};
  throw UsageError(fmt::format("--replay: the token is for '{}', which this build does not have (a plugin kernel "
                               "needs the same --plugin as the run that printed the token)",
                               id));
}

/// `text` as one word for a POSIX shell: in single quotes, a quote inside as '\''.
std::string shell_quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

/// Prints the explanation, the shrunk case and the command that runs it again. The run's
/// plugins go into that command: a plugin kernel's token names a kernel only they register.
void print_failure(const FuzzResult& r, const std::vector<std::string>& plugins) {
  fmt::print("  {}", r.failure);
  if (!r.failure.ends_with('\n')) fmt::print("\n");
  fmt::print("  minimal case: {}", r.counterexample);
  std::string replay = "ulpcheck fuzz";
  for (const std::string& p : plugins) replay += " --plugin " + shell_quoted(p);
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
  std::vector<const Kernel*> plugin_kernels;
};

Corpus corpus_for(const FuzzOptions& o, std::vector<const Kernel*> plugin_kernels) {
  if (!o.golden_dir) return {};
  if (!std::filesystem::is_directory(*o.golden_dir))
    throw UsageError(fmt::format("--golden-dir {}: {}; give an existing directory (its <op>.h5 files are created when "
                                 "missing)",
                                 *o.golden_dir,
                                 std::filesystem::exists(*o.golden_dir) ? "not a directory" : "no such directory"));
  return {*o.golden_dir, is_project_golden_data(*o.golden_dir), std::move(plugin_kernels)};
}

/// Adds the shrunk case to the golden corpus, so that `golden check` runs it from now on,
/// and says where it went: its inputs for an elementwise op, the whole case (configuration
/// and batch) for routing. Where it is not kept, says why and how to keep it.
void keep_counterexample(const FuzzOptions& o, const Corpus& corpus, const Run& run, const FuzzResult& r) {
  if (run.routing_property ? !r.minimal_routing_case : !r.minimal_case) return;
  const std::string& dir = corpus.dir;
  const std::string op_name = run.routing_property ? std::string(kRoutingOpName) : std::string(run.target.op->name);
  if (dir.empty()) {
    if (o.no_corpus) fmt::print("  not kept in a golden corpus (--no-corpus)\n");
    else
      fmt::print("  not kept in a golden corpus: fuzz writes no file unless asked; --golden-dir DIR keeps it in "
                 "DIR/{}.h5\n",
                 op_name);
    return;
  }
  if (corpus.project_data && !run.routing_property &&
      std::ranges::find(corpus.plugin_kernels, run.target.kernel) != corpus.plugin_kernels.end()) {
    fmt::print("  not kept in a golden corpus: {} is a plugin kernel, and {} is this project's own golden data, which "
               "keeps only its own kernels' counterexamples; give --golden-dir a directory of your own\n",
               run.target.kernel->name(), dir);
    return;
  }
  const std::string check = fmt::format("'ulpcheck golden check --dir {}' runs it from now on", dir);
  if (run.routing_property) {
    const golden::KeptCounterexample kept = golden::add_to_routing_corpus(dir, *r.minimal_routing_case, r.id);
    fmt::print("  kept in the golden corpus: {} {} ({}); {}\n", golden::golden_path(dir, kRoutingOpName), kept.group,
               kept.added ? "+1 counterexample" : "+0 counterexamples, it was there", check);
    return;
  }
  const ElementwiseOp& op = *run.target.op;
  const std::size_t added = golden::add_to_corpus(dir, op, run.target.format, r.minimal_case->params(op),
                                                  r.minimal_case->tensor());
  fmt::print("  kept in the golden corpus: {} /{}/corpus (+{} elements); {}\n", golden::golden_path(dir, op.name),
             name(run.target.format), added, check);
}

}  // namespace

void setup_fuzz(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<FuzzOptions>();
  CLI::App* sub = app.add_subcommand("fuzz", "Check every property of the selected kernels on generated cases");
  sub->add_option("--op", o->ops, "op to fuzz (repeatable; default: all, biased_grouped_topk included)");
  sub->add_option("--dtype", o->dtypes, "bf16, fp16 or fp32 (repeatable; default: all); for routing, the logits' dtype, "
                                         "the bias in the same dtype and in fp32");
  sub->add_option("--kernel", o->kernels, "kernel under test (repeatable; default: every kernel that can run here)");
  add_plugin_option(sub, o->plugins);
  sub->add_option("--cases", o->cases, "cases per property")->check(CLI::Range(1, 1'000'000))->capture_default_str();
  sub->add_option("--seed", o->seed, "seed; the same seed gives the same cases and output")->capture_default_str();
  sub->add_option("--time-budget", o->time_budget, "stop starting properties after this many seconds")
      ->check(CLI::PositiveNumber);
  sub->add_option("--replay", o->replay, "run exactly the failing case a previous run printed");
  sub->add_option("--junit", o->junit, "also write the results as JUnit XML to FILE");
  sub->add_option("--golden-dir", o->golden_dir,
                  "keep counterexamples in the corpus of DIR/<op>.h5, created when missing (without it nothing is "
                  "written; a plugin kernel's are never kept in the project's own golden/data)")
      ->type_name("DIR");
  sub->add_flag("--no-corpus", o->no_corpus, "keep no counterexample (the default; for scripts that say so)")
      ->excludes("--golden-dir");
  sub->callback([o, &exit_code] { exit_code = run_fuzz(*o); });
}

int run_fuzz(const FuzzOptions& o) {
  std::vector<const Kernel*> plugin_kernels = load_plugins(o.plugins);
  const std::vector<Run> runs = o.replay ? std::vector<Run>{resolve_replay(*o.replay)} : plan(o);
  const FuzzSettings settings{o.cases, o.seed};
  const Corpus corpus = corpus_for(o, std::move(plugin_kernels));
  const auto start = std::chrono::steady_clock::now();
  std::vector<FuzzResult> results;
  int failed = 0;
  long long cases = 0;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (o.time_budget && elapsed > *o.time_budget) {
      fmt::print("time budget of {} s reached: {} of {} property runs not started\n", *o.time_budget,
                 runs.size() - i, runs.size());
      break;
    }
    const Run& run = runs[i];
    const FuzzResult r = run.execute(settings, o.replay);
    cases += r.cases;
    fmt::print("[{:>{}}/{}] {}: ", i + 1, fmt::formatted_size("{}", runs.size()), runs.size(), run.label());
    if (r.passed) {
      fmt::print("{} cases passed\n", r.cases);
    } else {
      ++failed;
      fmt::print("FAILED after {} passing cases\n", r.cases);
      print_failure(r, o.plugins);
      keep_counterexample(o, corpus, run, r);
    }
    std::fflush(stdout);
    results.push_back(r);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  fmt::print("{} of {} property runs passed (seed {})\n", results.size() - failed, results.size(), o.seed);
  // Timing goes to stderr, so that stdout is the same for the same seed.
  fmt::print(stderr, "fuzz: {} cases in {:.1f} s ({:.0f} cases/s)\n", cases, seconds, cases / std::max(seconds, 1e-9));
  if (o.junit) {
    try {
      write_file_atomically(*o.junit, junit_xml(results));
    } catch (const std::runtime_error& e) {
      throw UsageError(fmt::format("--junit {}", e.what()));
    }
  }
  return failed ? kExitViolation : kExitPass;
}

}  // namespace ulpcheck::cli
