// The routing family's part of a report (biased_grouped_topk): its options (the routing
// configuration, the logits and bias distributions), their validation, and the run: every
// routing kernel on batches drawn like real gates, and the precision study of rounding the
// logits and the bias.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ulpcheck/device/routing_kernel.hpp"
#include "ulpcheck/properties/routing/bias_cast.hpp"
#include "ulpcheck/properties/routing/compare.hpp"
#include "ulpcheck/properties/routing/input_rounding.hpp"
#include "ulpcheck/properties/routing/inputs.hpp"
#include "ulpcheck/properties/routing/margins.hpp"
#include "ulpcheck/reference/families.hpp"
#include "ulpcheck/runs/observer.hpp"
#include "ulpcheck/runs/report_part.hpp"
#include "ulpcheck/runs/skipped_case.hpp"

namespace ulpcheck {

/// Tokens per batch when --samples is not given: enough for the precision study to show
/// its effects, few enough for a report of every op to take seconds.
inline constexpr std::int64_t kDefaultRoutingTokens = 2048;
/// The most --samples takes for routing: the logits of a batch are tokens * experts values.
inline constexpr std::int64_t kMaxRoutingTokens = std::int64_t{1} << 20;
/// Tokens per call in the bias-cast runs of the precision study.
inline constexpr std::int64_t kBiasCastCallTokens = 64;

/// The routing options as given, each named by its flag.
struct RoutingReportOptions {
  std::optional<std::string> config;  ///< a named configuration; deepseek_v3 when not given
  std::optional<int> experts, n_group, topk_group, topk;
  std::optional<std::string> scoring;  ///< sigmoid or softmax
  bool no_renormalize = false;
  std::optional<std::string> scale;    ///< routed_scaling_factor, rounded to fp32
  std::optional<std::string> logits;   ///< normal:MEAN,SD or bits; normal:0,2 when not given
  std::vector<std::string> biases;     ///< checkpoint names, normal:MEAN,SD or bits; all three checkpoint ones
  bool no_precision_study = false;
  /// The routing flags given, as typed ("--experts 64"): empty when none was.
  std::vector<std::string> given() const;
};

struct RoutingBias {
  std::string name;  ///< "deepseek_v3", or the distribution's label
  Distribution distribution;
};

/// What a routing section measures, validated.
struct RoutingReportPlan {
  RoutingConfig config;
  Distribution logits;
  std::vector<RoutingBias> biases;
  std::vector<Format> logits_formats;  ///< each with the bias in fp32 and in the same format
  std::vector<const RoutingKernel*> kernels;
  std::int64_t tokens = kDefaultRoutingTokens;
  std::uint64_t seed = 1;
  bool precision_study = true;
  std::vector<std::string> named_kernels;  ///< a kernel named here that cannot run ends the run
};

/// The configuration, distributions and study switch of `o`, with the formats, kernels,
/// tokens and seed the report chose. Throws RequestError naming the flag: a configuration
/// RoutingConfig::validate() refuses, a distribution that does not parse, too many tokens.
RoutingReportPlan plan_routing(const RoutingReportOptions& o, std::vector<Format> logits_formats,
                               std::vector<const RoutingKernel*> kernels, std::int64_t tokens, std::uint64_t seed);

/// What a batch was drawn from.
struct RoutingBatchInfo {
  Format logits = Format::bf16;
  Format bias = Format::fp32;
  std::string bias_name;          ///< "deepseek_v3", or the distribution's label
  std::string bias_distribution;  ///< "N(2.5, 0.5^2)"
  std::int64_t tokens = 0;
};

/// One kernel on one batch.
struct RoutingCaseResult {
  const RoutingKernel* kernel;
  RoutingClaim claim;
  RoutingStats stats;
  MarginsWithinBand band;
};

/// One batch: the oracle's counts and margins, and every kernel that took it.
struct RoutingBatchResult {
  RoutingBatchInfo info;
  RoutingOracleCounts oracle;
  MarginHistogram margins;
  std::vector<RoutingCaseResult> cases;
};

/// The precision study of one bias distribution.
struct PrecisionStudyBias {
  std::string name, distribution;
  std::vector<InputRoundingCell> cells;
  /// Cast once against per call: runs whose target never changes, then runs whose target
  /// alternates.
  std::vector<BiasCastComparison> bias_cast;
  /// Per logits dtype: tokens whose expert set differs between the bias in fp32 and in bf16.
  std::vector<std::pair<Format, SetDifference>> flips;
};

struct PrecisionStudy {
  std::string kernel;            ///< the kernel routed on the rounded inputs
  std::int64_t call_tokens = 0;  ///< tokens per call in the bias-cast runs
  std::vector<PrecisionStudyBias> biases;
};

struct RoutingReport {
  RoutingConfig config;
  std::string logits;  ///< the logits' distribution, as a label
  std::int64_t tokens = 0;
  std::uint64_t seed = 1;
  std::vector<RoutingBatchResult> batches;  ///< by logits dtype, bias distribution, bias dtype
  std::optional<PrecisionStudy> precision_study;
  std::vector<SkippedCase> skipped;  ///< kernels that declined a batch or did not run
};

/// Measures the plan. A kernel that does not take the configuration or formats is listed as
/// not measured; one that cannot run (KernelError) ends the run when it was named, and is
/// listed as did-not-run otherwise.
RoutingReport run_family_report(const RoutingReportPlan& plan, Observer& observer);

template <>
struct ReportPart<RoutingFamily> : ReportTypes<RoutingReportPlan, RoutingReport> {};

}  // namespace ulpcheck
