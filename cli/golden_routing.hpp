// The routing file's part of `ulpcheck golden`: biased_grouped_topk.h5 is regenerated,
// checked, verified and shown beside the elementwise files, with the same messages and
// exit codes (cli/golden.cpp drives both).
#pragma once

#include <fmt/format.h>

#include <filesystem>
#include <functional>
#include <span>
#include <string>

#include "cli/golden.hpp"
#include "cli/usage_error.hpp"
#include "ulpcheck/device/routing_kernel.hpp"
#include "ulpcheck/golden/verify.hpp"

namespace ulpcheck::cli {

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

/// Rewrites the routing file under o.dir (carrying its corpus over unless --drop-corpus) and
/// prints its summary line. `before_rename` as for golden::write_golden.
void regen_routing_file(const GoldenOptions& o, const Provenance& provenance,
                        const std::function<void()>& before_rename);

struct CheckTally {
  int groups = 0;
  int failed = 0;
};
/// Runs each kernel over the routing file, prints each group's figures beside the recorded
/// ones and explains the first failing token of each failing group.
CheckTally check_routing_file(const GoldenOptions& o, std::span<const RoutingKernel* const> kernels);

/// Reads and verifies the routing file; a file that cannot be read is one problem.
golden::VerifyResult verify_routing_file(const GoldenOptions& o);

void show_routing_file(const GoldenOptions& o);

}  // namespace ulpcheck::cli
