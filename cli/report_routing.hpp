// The biased_grouped_topk part of `ulpcheck report`: its options (the routing
// configuration, the logits and bias distributions), their validation, and the run that
// fills the report's routing section: every routing kernel on batches drawn like real
// gates, and the precision study of rounding the logits and the bias.
#pragma once

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ulpcheck/device/routing_kernel.hpp"
#include "ulpcheck/properties/routing/inputs.hpp"
#include "ulpcheck/reports/report_document.hpp"

namespace ulpcheck::cli {

/// Tokens per batch when --samples is not given: enough for the precision study to show
/// its effects, few enough for a report of every op to take seconds.
inline constexpr std::int64_t kDefaultRoutingTokens = 2048;
/// The most --samples takes for routing: the logits of a batch are tokens * experts values.
inline constexpr std::int64_t kMaxRoutingTokens = std::int64_t{1} << 20;
/// Tokens per call in the bias-cast runs of the precision study.
inline constexpr std::int64_t kBiasCastCallTokens = 64;

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

/// Binds the routing options of `report` to `o`.
void add_routing_options(CLI::App& report, RoutingReportOptions& o);

struct RoutingBias {
  std::string name;  ///< "deepseek_v3", or the distribution's label
  Distribution distribution;
};

/// What a routing section measures, validated.
struct RoutingPlan {
  RoutingConfig config;
  Distribution logits;
  std::vector<RoutingBias> biases;
  std::vector<Format> logits_formats;  ///< each with the bias in fp32 and in the same format
  std::vector<const RoutingKernel*> kernels;
  std::int64_t tokens = kDefaultRoutingTokens;
  std::uint64_t seed = 1;
  bool precision_study = true;
};

/// The configuration, distributions and study switch of `o`, with the formats, kernels,
/// tokens and seed the report chose. Throws UsageError naming the flag: a configuration
/// RoutingConfig::validate() refuses, a distribution that does not parse, too many tokens.
RoutingPlan plan_routing(const RoutingReportOptions& o, std::vector<Format> logits_formats,
                         std::vector<const RoutingKernel*> kernels, std::int64_t tokens, std::uint64_t seed);

struct RoutingRun {
  nlohmann::json section;  ///< routing_section_json
  std::vector<SkippedCase> skipped;
};

/// Measures the plan. A kernel that does not take the configuration or formats is listed as
/// not measured; one that cannot run (KernelError) ends the command when its name is in
/// `named_kernels`, and is listed as did-not-run otherwise. Progress goes to stderr.
RoutingRun run_routing(const RoutingPlan& plan, const std::vector<std::string>& named_kernels);

}  // namespace ulpcheck::cli
