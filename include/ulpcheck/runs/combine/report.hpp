// The MoE combine family's part of a report (moe_combine): its options (top-k, hidden size,
// tokens, routed scaling factor), their validation, and the run: per storage format and
// config the exact sums once, then every combine kernel that claims them, its figures
// against its claim and its first failing element explained.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ulpcheck/device/combine_kernel.hpp"
#include "ulpcheck/properties/error_stats.hpp"
#include "ulpcheck/reference/combine.hpp"
#include "ulpcheck/reference/families.hpp"
#include "ulpcheck/runs/observer.hpp"
#include "ulpcheck/runs/moe_block/moe_block_report.hpp"
#include "ulpcheck/runs/report_part.hpp"
#include "ulpcheck/runs/skipped_case.hpp"

namespace ulpcheck {

/// The op name of the MoE block end to end (router, expert GEMMs, clamp-SiLU-and-mul, combine),
/// the combine family's second op: its final output's error attributed to each stage.
inline constexpr std::string_view kMoeBlockOpName = "moe_block";

/// Tokens per (config, format) when --tokens is not given: with the default configs'
/// hidden size, a few thousand exact sums each, so the whole section takes seconds on the
/// host.
inline constexpr std::int64_t kDefaultCombineTokens = 64;
/// The most --tokens takes for moe_combine, and the most routed outputs (tokens * topk *
/// hidden) one batch may hold: 2^26 values, 256 MiB as bit patterns.
inline constexpr std::int64_t kMaxCombineTokens = std::int64_t{1} << 20;
inline constexpr std::int64_t kMaxCombineRoutedValues = std::int64_t{1} << 26;

/// The combine options as given, each named by its flag. --topk and --tokens are the ones
/// routing and the elementwise layout take too (a report's top-k is its router's).
struct CombineReportOptions {
  std::optional<int> topk, hidden;
  std::optional<std::int64_t> tokens;
  std::optional<std::string> routed_scaling_factor;  ///< as typed; rounded to fp32
  /// The combine flags given, as typed ("--hidden 512"): empty when none was.
  std::vector<std::string> given() const;
};

/// The configs a report measures when no config flag is given: DeepSeek-V3's placement
/// (top 8, factor 2.5), DeepSeek-V2's (top 6, factor 16, the reason for its fp16 guard) and
/// a router without a factor (top 2, factor 1), each with a hidden size of 256: small for the
/// host oracle, and a multiple of every vector width.
std::vector<CombineConfig> default_combine_configs();

/// What a combine section measures, validated.
struct CombinePlan {
  std::vector<CombineConfig> configs;
  std::vector<Format> formats;  ///< storage formats of routed, shared and out
  std::vector<const CombineKernel*> kernels;
  std::int64_t tokens = kDefaultCombineTokens;
  std::uint64_t seed = 1;
  std::vector<std::string> named_kernels;  ///< a kernel named here that cannot run ends the run
  /// Whether the MoE block (moe_block) is measured too, per format, on the default backend's
  /// pipeline (CUDA with a GPU, the host otherwise); `configs` is empty when it alone is.
  bool block = false;
};

/// The configs and tokens of `o` with the formats, kernels and seed the report chose. No
/// config flag: default_combine_configs(). Any of --topk, --hidden, --routed-scaling-factor:
/// one config, DeepSeek-V3's with those replaced. Throws RequestError naming the flag: a
/// config CombineConfig::validate() refuses, a factor that is not a number or beyond fp32,
/// tokens out of [1, kMaxCombineTokens] or a batch beyond kMaxCombineRoutedValues.
CombinePlan plan_combine(const CombineReportOptions& o, std::vector<Format> formats,
                         std::vector<const CombineKernel*> kernels, std::uint64_t seed);

/// One kernel on one batch.
struct CombineCaseResult {
  const CombineKernel* kernel;
  CombineClaim claim;
  ErrorStats stats;     ///< compare_combine: row is the token, col the hidden index
  std::string failure;  ///< the first failing element explained; empty when the case passes
};

/// One (format, config): its inputs and exact sums are shared by every kernel that took it.
struct CombineBatchResult {
  CombineConfig config;
  Format format = Format::bf16;
  std::int64_t tokens = 0;
  std::vector<CombineCaseResult> cases;
};

struct CombineReport {
  std::int64_t tokens = 0;
  std::uint64_t seed = 1;
  std::string inputs;                       ///< what the inputs were drawn from
  std::vector<CombineBatchResult> batches;  ///< by format, then config, in the plan's order
  std::vector<SkippedCase> skipped;         ///< kernels that declined a batch or did not run
  /// The MoE block per format, when the plan asks for it; one not measured says why.
  std::vector<MoeBlockReport> blocks;
};

/// Measures the plan. A kernel without a claim for a (config, format) is listed as not
/// measured; one that cannot run (KernelError) ends the run when it was named, and is listed
/// as did-not-run otherwise.
CombineReport run_family_report(const CombinePlan& plan, Observer& observer);

template <>
struct ReportPart<CombineFamily> : ReportTypes<CombinePlan, CombineReport> {};

}  // namespace ulpcheck
