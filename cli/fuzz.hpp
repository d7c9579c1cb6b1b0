// `ulpcheck fuzz`: every applicable property on every selected (kernel, op, dtype), with
// shrunk counterexamples and replay tokens. The job to run in CI on every kernel change.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli/plugins.hpp"

namespace ulpcheck::cli {

struct FuzzOptions {
  std::vector<std::string> ops;      ///< empty: all
  std::vector<std::string> dtypes;   ///< empty: all
  std::vector<std::string> kernels;  ///< empty: every kernel that can run here
  std::vector<std::string> properties;  ///< empty: every property that applies
  PluginOptions plugins;
  int cases = 100;
  std::uint64_t seed = 1;
  std::optional<double> time_budget;
  std::optional<std::string> replay;
  std::optional<std::string> junit;
  /// Where counterexamples are kept (the corpus of <dir>/<op>.h5); unset: nowhere, so that
  /// fuzzing in a checkout changes no file of it. A plugin kernel's are never kept in the
  /// project's own golden/data, whose files pin the project's kernels.
  std::optional<std::string> golden_dir;
  bool no_corpus = false;  ///< keep none: the default, said out loud
  /// "k/n": run only the k-th of n consecutive slices of the campaign's property runs; the
  /// slices' lines, in order, are the whole campaign's.
  std::string shard;

};

void setup_fuzz(CLI::App& app, int& exit_code);
/// 0 when every property held, 1 when one failed; throws UsageError on bad options.
int run_fuzz(const FuzzOptions& options);

}  // namespace ulpcheck::cli
