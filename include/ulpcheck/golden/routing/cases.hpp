// The cases of the routing golden file: which configurations, format pairs and input
// distributions it pins, and how a case's inputs follow from its seed and token count.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ulpcheck/properties/routing/inputs.hpp"
#include "ulpcheck/reference/routing.hpp"

namespace ulpcheck::golden {

/// One case: group /<logits>+<bias>/<name>.
struct RoutingCaseSpec {
  std::string name;  ///< "deepseek_v3.bias=around_7", "deepseek_v2.softmax", ...
  Format logits = Format::fp32, bias = Format::fp32;
  RoutingConfig config;
  Distribution logits_distribution, bias_distribution;
  /// "/bf16+fp32/deepseek_v3.bias=around_7"
  std::string group() const;
};

/// Every case, in file order (grouped by format pair): for each pair real deployments use,
/// DeepSeek-V3's configuration under each checkpoint bias distribution (kCheckpointBiases);
/// for fp32+fp32 and bf16+bf16 also configurations that cover the rest of the op: softmax
/// scoring, no renormalisation, small and odd shapes, one group kept and every group kept,
/// and uniform bit patterns (NaN and inf logits and biases).
std::vector<RoutingCaseSpec> routing_case_specs();

/// The inputs of a case: routing_batch of the spec's config, formats and distributions,
/// `tokens` tokens drawn from `seed`.
RoutingInputs routing_case_inputs(const RoutingCaseSpec& spec, std::int64_t tokens, std::uint64_t seed);

}  // namespace ulpcheck::golden
