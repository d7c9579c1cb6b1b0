#include "ulpcheck/golden/routing/cases.hpp"

#include <fmt/format.h>

#include <utility>

#include "ulpcheck/golden/routing/golden_file.hpp"

namespace ulpcheck::golden {

namespace {

/// Gate logits of a trained router: centred, a spread of about 2 (as the routing tests use).
constexpr Distribution kGateLogits{Distribution::Kind::normal, 0.0, 2.0};
/// No bias at all: routers before DeepSeek-V3's auxiliary-loss-free balancing.
constexpr Distribution kNoBias{Distribution::Kind::normal, 0.0, 0.0};
constexpr Distribution kBits{Distribution::Kind::bits, 0.0, 0.0};

RoutingConfig config(int experts, int n_group, int topk_group, int topk, Scoring scoring, bool renormalize,
                     double scale) {
  return {experts, n_group, topk_group, topk, scoring, renormalize, scale};
}

}  // namespace

std::string RoutingCaseSpec::group() const { return fmt::format("/{}/{}", format_pair(logits, bias), name); }

std::vector<RoutingCaseSpec> routing_case_specs() {
  const Distribution dsv3_bias = kCheckpointBiases[0].distribution;
  const Distribution around_0 = kCheckpointBiases[2].distribution;
  struct Other {
    const char* name;
    RoutingConfig config;
    Distribution logits, bias;
  };
  const Other others[] = {
      // DeepSeek-V2: softmax over 160 experts, 3 of 8 groups, top 6, not renormalised, x16.
      {"deepseek_v2.softmax", config(160, 8, 3, 6, Scoring::softmax, false, 16.0), kGateLogits, kNoBias},
      {"softmax_renormalized", config(64, 8, 4, 6, Scoring::softmax, true, 1.0), kGateLogits, around_0},
      {"sigmoid_not_renormalized", config(64, 4, 2, 6, Scoring::sigmoid, false, 1.0), kGateLogits, dsv3_bias},
      // 15 experts in 5 groups of 3: odd sizes, no power of two anywhere.
      {"odd.E15_groups5", config(15, 5, 2, 5, Scoring::sigmoid, true, 2.5), kGateLogits, dsv3_bias},
      // The smallest valid configuration: one group of two experts, one picked.
      {"smallest.E2", config(2, 1, 1, 1, Scoring::sigmoid, true, 1.0), kGateLogits, dsv3_bias},
      {"one_group_kept", config(32, 4, 1, 4, Scoring::sigmoid, true, 2.5), kGateLogits, dsv3_bias},
      {"every_group_kept", config(64, 8, 8, 8, Scoring::sigmoid, true, 2.5), kGateLogits, dsv3_bias},
      // Uniform bit patterns: NaN, inf, subnormal and huge logits against a real bias; and
      // both logits and bias as bit patterns, where invalid experts and groups abound.
      {"bits.logits", config(64, 8, 4, 8, Scoring::sigmoid, true, 2.5), kBits, dsv3_bias},
      {"bits.logits_and_bias", config(16, 4, 2, 2, Scoring::sigmoid, true, 1.0), kBits, kBits},
  };
  // DeepSeek-V3 as deployed: gate logits computed in fp32 with the checkpoint's fp32 bias
  // (Hugging Face's reference), or with the bias held in bf16 or fp16 (a model loaded in half
  // precision whose router still computes in fp32); the gate's bf16 output with the fp32
  // bias (vLLM, SGLang), or with the bias cast to bf16 too. The other configurations in one
  // pair of each logits format whose bias is in the same format. Cases are listed by pair,
  // as the file holds them.
  const std::pair<Format, Format> deployed[] = {{Format::fp32, Format::fp32}, {Format::fp32, Format::bf16},
                                                {Format::fp32, Format::fp16}, {Format::bf16, Format::fp32},
                                                {Format::bf16, Format::bf16}};
  std::vector<RoutingCaseSpec> out;
  for (const auto& [logits, bias] : deployed) {
    for (const NamedBias& b : kCheckpointBiases)
      out.push_back({fmt::format("deepseek_v3.bias={}", b.name), logits, bias, RoutingConfig::deepseek_v3(),
                     kGateLogits, b.distribution});
    if (logits == bias)
      for (const Other& o : others) out.push_back({o.name, logits, bias, o.config, o.logits, o.bias});
  }
  return out;
}

RoutingInputs routing_case_inputs(const RoutingCaseSpec& s, std::int64_t tokens, std::uint64_t seed) {
  return routing_batch(s.config, s.logits, s.bias, tokens, s.logits_distribution, s.bias_distribution, seed);
}

}  // namespace ulpcheck::golden
