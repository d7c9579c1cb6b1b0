// The routing sweep shared by the host and CUDA routing tests: DeepSeek-V3 and one config
// per corner of the valid space (tiny and large E, one and every group kept, topk up to
// 32, sigmoid and softmax, renormalised or not), in four (logits, bias) format pairs, with
// Gaussian logits and with uniform bit patterns (NaN, inf, subnormals, and logits far
// apart, where a softmax's exp(l - max) amplifies the subtraction's rounding). The oracle
// is evaluated once per batch and shared by every kernel that is checked on it.
#pragma once

#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

#include "ulpcheck/properties/routing/inputs.hpp"
#include "ulpcheck/reference/routing.hpp"

namespace ulpcheck::testing {

inline std::vector<RoutingConfig> routing_sweep_configs() {
  std::vector<RoutingConfig> out{RoutingConfig::deepseek_v3()};
  const int shapes[][4] = {{8, 4, 2, 3},     {64, 8, 3, 6},  {128, 4, 4, 16}, {160, 32, 9, 7},
                           {512, 16, 1, 32}, {256, 8, 8, 32}, {256, 8, 1, 1},  {96, 3, 2, 12}};
  for (const auto& s : shapes)
    for (Scoring scoring : {Scoring::sigmoid, Scoring::softmax})
      for (bool renormalize : {true, false}) {
        RoutingConfig c;
        c.experts = s[0], c.n_group = s[1], c.topk_group = s[2], c.topk = s[3];
        c.scoring = scoring, c.renormalize = renormalize, c.routed_scaling_factor = 2.5;
        out.push_back(c);
      }
  return out;
}

/// One batch of the sweep with the oracle's answer.
struct RoutingSweepBatch {
  RoutingConfig config;
  Format logits_format, bias_format;
  Distribution logits;
  RoutingInputs inputs;
  std::vector<TokenRouting> exact;
};

/// Calls visit(batch) for every config, format pair and logits distribution, `tokens`
/// tokens a batch, the bias drawn like a real checkpoint's (the three kinds in turn).
inline void for_each_routing_sweep_batch(std::int64_t tokens, const std::function<void(const RoutingSweepBatch&)>& visit) {
  const std::pair<Format, Format> formats[] = {{Format::fp32, Format::fp32}, {Format::bf16, Format::bf16},
                                               {Format::bf16, Format::fp32}, {Format::fp16, Format::fp16}};
  std::uint64_t seed = 40;
  for (const RoutingConfig& c : routing_sweep_configs())
    for (const auto& [lf, bf] : formats)
      for (const Distribution& logits : {Distribution::normal(0, 2), Distribution::bits()}) {
        RoutingSweepBatch b{c, lf, bf, logits, {}, {}};
        const Distribution& bias = kCheckpointBiases[seed % 3].distribution;
        b.inputs = routing_batch(c, lf, bf, tokens, logits, bias, ++seed);
        b.exact = route_exact(c, b.inputs);
        visit(b);
      }
}

}  // namespace ulpcheck::testing
