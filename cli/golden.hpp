// `ulpcheck golden regen | check | verify | show`: the HDF5 golden files of golden/data
// (golden/SCHEMA.md), one per elementwise op and one for routing. regen rewrites them
// atomically after a kernel or oracle change; check holds a kernel to them; verify proves a
// file is what regen would write; show prints what a file holds.
#pragma once

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "cli/plugins.hpp"
#include "cli/usage_error.hpp"
#include "ulpcheck/golden/elementwise/golden_file.hpp"
#include "ulpcheck/golden/files.hpp"
#include "ulpcheck/golden/routing/regen.hpp"

namespace ulpcheck::cli {

struct GoldenOptions {
  std::string dir = golden::kDefaultDir;
  std::vector<std::string> ops;      ///< empty: every op (regen) or every op with a file (others)
  std::vector<std::string> kernels;  ///< check: empty = every kernel that can run here
  PluginOptions plugins;
  std::int64_t samples = 16384;      ///< regen: random elements per sampled case
  std::int64_t tokens = golden::kDefaultRoutingTokens;  ///< regen: tokens per routing case
  std::uint64_t seed = 1;            ///< regen
  bool drop_corpus = false;          ///< regen: do not carry the old file's corpus over
  std::string shard;                 ///< regen: "k/n", the k-th of n consecutive slices of the files
};

/// The corpus of the file at `path` that regen carries over: `read(path).corpora`, or none
/// with --drop-corpus or when there is no file. A file that cannot be read is a UsageError
/// that says how to replace it without its corpus.
template <class Read>
auto corpus_to_carry(const GoldenOptions& o, const std::string& path, Read read) -> decltype(read(path).corpora) {
  if (!std::filesystem::exists(path) || o.drop_corpus) return {};
  try {
    return read(path).corpora;
  } catch (const golden::GoldenError& e) {
    throw UsageError(fmt::format("{}\nThe old file cannot be read, so its fuzz corpus cannot be carried over; rerun "
                                 "with --drop-corpus to replace it without the corpus",
                                 e.what()));
  }
}

/// Where the figures were measured, for the files' provenance attributes.
struct Provenance {
  std::string device = "none (host kernels only)", cuda_version = device, driver_version = device;
  /// Into the build options of either kind of file.
  template <class BuildOptions>
  void set_in(BuildOptions& b) const {
    b.device = device;
    b.cuda_version = cuda_version;
    b.driver_version = driver_version;
  }
};

void setup_golden(CLI::App& app, int& exit_code);

/// 0 on success; throws UsageError for bad options and golden::GoldenError for a file that
/// cannot be read or written (both exit 2).
int run_golden_regen(const GoldenOptions& options);
/// 0 when every group is within the kernel's budget, 1 on a breach or a failing semantic
/// difference.
int run_golden_check(const GoldenOptions& options);
/// 0 when every file is what regen would write; 2 (after listing every problem) otherwise.
int run_golden_verify(const GoldenOptions& options);
int run_golden_show(const GoldenOptions& options);

}  // namespace ulpcheck::cli
