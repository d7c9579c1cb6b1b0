// Building the MoE combine golden file: each case's inputs, the oracle's answers and the
// figures of every combine kernel that claims the case and can run here; the corpus of an
// existing file carried over with its answers recomputed.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ulpcheck/golden/combine/cases.hpp"
#include "ulpcheck/golden/combine/golden_file.hpp"
#include "ulpcheck/golden/elementwise/regen.hpp"
#include "ulpcheck/properties/error_stats.hpp"

namespace ulpcheck::golden {

/// The oracle's answers in the layout a file stores, and back: the CombineExact a kernel's
/// output is compared with (finite_inputs follows from the inputs, as the oracle defines it).
CombineAnswers combine_answers(Format format, const CombineExact& exact);
CombineExact combine_exact_of(const CombineConfig& config, const CombineInputs& inputs, const CombineAnswers& answers);

/// A fresh oracle run on a batch, in the layout a file stores.
CombineAnswers compute_combine_answers(const CombineConfig& config, const CombineInputs& inputs);

/// The figures of one kernel's comparison, as a file records them.
CombineKernelFigures combine_figures(std::string_view kernel, const CombineClaim& claim, const ErrorStats& stats);

/// Runs `kernel` on the batch and compares it with `exact` under `claim`.
ErrorStats measure_combine(const CombineKernel& kernel, const CombineClaim& claim, const CombineConfig& config,
                           const CombineInputs& inputs, const CombineExact& exact);

/// Of `kernels`, those that claim (config, format), with their claims.
std::vector<std::pair<const CombineKernel*, CombineClaim>> combine_kernels_for(
    std::span<const CombineKernel* const> kernels, const CombineConfig& config, Format format);

struct CombineBuildOptions {
  std::uint64_t seed = 1;  ///< every case's seed
  /// Kernels whose figures are recorded: every combine kernel that can run here.
  std::vector<const CombineKernel*> kernels;
  /// Provenance of the figures: set when a CUDA kernel is among `kernels`.
  std::string device = "none (host kernels only)", cuda_version = device, driver_version = device;
};

/// The whole combine golden file. `corpora` (from the file being replaced) are carried over
/// with their answers recomputed.
CombineGoldenFile build_combine_golden(const CombineBuildOptions& options, std::vector<CombineCorpus> corpora = {},
                                       const Log& log = {});

/// `golden regen` of the combine file under `dir`: under the directory's lock (the one fuzz
/// runs take to keep counterexamples, so none is lost between the read and the rename),
/// reads the corpus of the file there unless `drop_corpus` (none when there is no file),
/// builds the file and writes it atomically (`before_rename` as for write_combine_golden).
/// Returns what was written. Throws GoldenError, also for an old file that cannot be read
/// (its corpus would be lost: rerun with `drop_corpus`).
CombineGoldenFile regen_combine_golden(const std::string& dir, const CombineBuildOptions& options, bool drop_corpus,
                                       const Log& log = {}, const std::function<void()>& before_rename = {});

}  // namespace ulpcheck::golden
