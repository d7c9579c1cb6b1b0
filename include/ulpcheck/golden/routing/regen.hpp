// Building the routing golden file: each case's inputs, the oracle's answers and the figures
// of every routing kernel that can run here; the corpus of an existing file carried over
// with its answers recomputed.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ulpcheck/golden/elementwise/regen.hpp"
#include "ulpcheck/golden/routing/cases.hpp"
#include "ulpcheck/golden/routing/golden_file.hpp"
#include "ulpcheck/properties/routing/compare.hpp"

namespace ulpcheck::golden {

/// Tokens per case unless regen is told otherwise. A DeepSeek-V3 token with fp32 logits costs
/// about 1 KB deflated (256 logits of full-precision mantissas do not compress), so 256
/// tokens per case keep the committed file at 4.5 MB and golden/ under 20 MB.
inline constexpr std::int64_t kDefaultRoutingTokens = 256;

/// The oracle's answers in the layout a file stores, and back.
RoutingAnswers routing_answers(const std::vector<TokenRouting>& exact);
std::vector<TokenRouting> token_routings(const RoutingConfig& config, const RoutingAnswers& answers);

/// A fresh oracle run on a batch, in the layout a file stores.
RoutingAnswers compute_routing_answers(const RoutingConfig& config, const RoutingInputs& inputs);

/// The figures of one kernel's comparison, as a file records them.
RoutingKernelFigures routing_figures(std::string_view kernel, const RoutingClaim& claim, const RoutingStats& stats);

/// Runs `kernel` on the batch and compares it with `exact` under `claim`.
RoutingStats measure_routing(const RoutingKernel& kernel, const RoutingClaim& claim, const RoutingConfig& config,
                             const RoutingInputs& inputs, const std::vector<TokenRouting>& exact);

/// Of `kernels`, those that take (config, logits, bias), with their claims.
std::vector<std::pair<const RoutingKernel*, RoutingClaim>> routing_kernels_for(
    std::span<const RoutingKernel* const> kernels, const RoutingConfig& config, Format logits, Format bias);

struct RoutingBuildOptions {
  std::int64_t tokens = kDefaultRoutingTokens;  ///< tokens per case
  std::uint64_t seed = 1;                       ///< every case's seed
  /// Kernels whose figures are recorded: every routing kernel that can run here.
  std::vector<const RoutingKernel*> kernels;
  /// Provenance of the figures: set when a CUDA kernel is among `kernels`.
  std::string device = "none (host kernels only)", cuda_version = device, driver_version = device;
};

/// The whole routing golden file. `corpora` (from the file being replaced) are carried over
/// with their answers recomputed.
RoutingGoldenFile build_routing_golden(const RoutingBuildOptions& options, std::vector<RoutingCorpus> corpora = {},
                                       const Log& log = {});

}  // namespace ulpcheck::golden
