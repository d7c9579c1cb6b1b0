// The precision study's figures: expert sets compared without order, logits rounded like
// the bias, and on a batch small enough to check by hand, the share of tokens whose expert
// set differs from the fp32 truth for every (logits, bias) pair, by the oracle and a kernel.
#include "ulpcheck/properties/routing/input_rounding.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "ulpcheck/device/registry.hpp"
#include "ulpcheck/properties/routing/inputs.hpp"
#include "ulpcheck/properties/routing/measure.hpp"

namespace ulpcheck {
namespace {

/// The fp32 value nearest to v, as bits.
std::uint32_t fp32_bits(double v) { return encode(Format::fp32, round_to(Format::fp32, v)); }

TEST(ExpertSets, OrderDoesNotMatterButAnyOtherExpertDoes) {
  const RoutingOutputs a{{3, 1, 7, 2}, {0, 0, 0, 0}};
  const RoutingOutputs same_set{{1, 3, 2, 7}, {0, 0, 0, 0}};
  const RoutingOutputs other{{1, 3, 2, 5}, {0, 0, 0, 0}};
  EXPECT_EQ(expert_sets_differ(a, same_set, 2).differ, 0);
  const SetDifference d = expert_sets_differ(a, other, 2);
  EXPECT_EQ(d.tokens, 2);
  EXPECT_EQ(d.differ, 1);  // token 0 is {1, 3} both times; token 1 is {2, 7} against {2, 5}
  EXPECT_DOUBLE_EQ(d.fraction(), 0.5);
  EXPECT_THROW(expert_sets_differ(a, RoutingOutputs{{1, 3}, {0, 0}}, 2), std::invalid_argument);
}

TEST(InputRounding_bf16, LogitsRoundToNearestEvenLikeTheBias) {
  RoutingInputs in{Format::fp32, Format::fp32, 1, {}, {fp32_bits(1.0)}};
  in.logits = {fp32_bits(1.0 + 0x1p-8),       // halfway between 1 and 1 + 2^-7: to the even 1
               fp32_bits(1.0 + 3 * 0x1p-8),   // halfway between 1 + 2^-7 and 1 + 2^-6: to the even 1 + 2^-6
               fp32_bits(1.0 + 0x1.8p-9)};    // below halfway: to 1
  const RoutingInputs r = with_logits_in(in, Format::bf16);
  EXPECT_EQ(r.logits_format, Format::bf16);
  EXPECT_EQ(r.bias_format, Format::fp32);
  EXPECT_EQ(r.logits, (std::vector<std::uint32_t>{0x3f80, 0x3f82, 0x3f80}));
  EXPECT_EQ(r.bias, in.bias);
  const RoutingInputs both = rounded_to(in, Format::bf16, Format::bf16);
  EXPECT_EQ(both.logits, r.logits);
  EXPECT_EQ(both.bias, (std::vector<std::uint32_t>{0x3f80}));
}

/// Two experts in one group, one picked: b_e = sigmoid(x_e) + bias_e decides alone. The bias
/// of expert 1 is 1 + 2^-9: exact in fp32 and fp16, 1 in bf16 (below the halfway point
/// 1 + 2^-8), where it ties expert 0's bias of 1.
RoutingConfig two_experts() {
  RoutingConfig c;
  c.experts = 2;
  c.n_group = 1;
  c.topk_group = 1;
  c.topk = 1;
  return c;
}

RoutingInputs three_tokens() {
  RoutingInputs in{Format::fp32, Format::fp32, 3, {}, {fp32_bits(1.0), fp32_bits(1.0 + 0x1p-9)}};
  in.logits = {fp32_bits(0.0), fp32_bits(0.0),    // equal scores: the bias decides; with it in bf16, a tie,
                                                  // which goes to expert 0 instead of 1
               fp32_bits(0.0), fp32_bits(1.0),    // expert 1 by far, whatever the rounding
               fp32_bits(0.01), fp32_bits(0.0)};  // s_0 - s_1 = 0.0025 > 2^-9: expert 0 whatever the rounding
  return in;
}

TEST(InputRoundingStudy_tiny, CountsTokensWhoseExpertSetDiffersFromTheFp32Truth) {
  const RoutingConfig c = two_experts();
  const RoutingInputs in = three_tokens();
  const std::vector<TokenRouting> truth = route_exact(c, in);
  ASSERT_EQ(truth[0].ids, (std::vector<std::int32_t>{1}));
  ASSERT_EQ(truth[1].ids, (std::vector<std::int32_t>{1}));
  ASSERT_EQ(truth[2].ids, (std::vector<std::int32_t>{0}));

  const std::vector<InputRoundingCell> cells =
      input_rounding_study(c, in, *find_routing_kernel("host.routing_fp32"), input_rounding_grid());
  ASSERT_EQ(cells.size(), 6u);
  // Only a bias in bf16 moves a token (the first); bf16 logits of 0, 1 and 0.01 keep every
  // decision (bf16(0.01) = 0.010009765625).
  const std::int64_t expected[] = {0, 1, 0, 0, 1, 0};
  for (std::size_t i = 0; i < cells.size(); ++i) {
    SCOPED_TRACE(fmt::format("logits {}, bias {}", name(cells[i].logits), name(cells[i].bias)));
    EXPECT_EQ(cells[i].logits, input_rounding_grid()[i].first);
    EXPECT_EQ(cells[i].bias, input_rounding_grid()[i].second);
    EXPECT_EQ(cells[i].oracle.tokens, 3);
    EXPECT_EQ(cells[i].oracle.differ, expected[i]);
    // The fp32 kernel adds 0.5 + 1 and 0.5 + (1 + 2^-9) exactly, and breaks the bf16 tie to
    // the lower index like the oracle.
    EXPECT_EQ(cells[i].kernel.tokens, 3);
    EXPECT_EQ(cells[i].kernel.differ, expected[i]);
  }
}

TEST(InputRoundingStudy_tiny, RefusesInputsThatAreNotFp32) {
  const RoutingInputs in = with_bias_in(three_tokens(), Format::bf16);
  EXPECT_THROW(input_rounding_study(two_experts(), in, *find_routing_kernel("host.routing_fp32"), input_rounding_grid()),
               std::invalid_argument);
}

TEST(InputRoundingStudy_deepseek_v3, RoundingNothingChangesNothingAndTheBf16BiasMovesTokens) {
  const RoutingConfig c = RoutingConfig::deepseek_v3();
  const RoutingInputs in = routing_batch(c, Format::fp32, Format::fp32, 256, Distribution::normal(0, 2),
                                         kCheckpointBiases[0].distribution, 3);
  const std::vector<InputRoundingCell> cells =
      input_rounding_study(c, in, *find_routing_kernel("host.routing_fp32"), input_rounding_grid());
  EXPECT_EQ(cells[0].oracle.differ, 0);
  EXPECT_EQ(cells[0].kernel.differ, 0);
  // A bias near 2.5 in bf16 is off by up to 2^-8: several tokens of 256 change experts.
  EXPECT_GT(cells[1].oracle.differ, 0);
  std::printf("DeepSeek-V3, 256 tokens, bias N(2.5, 0.5^2): fp32 logits with bf16 bias change %lld tokens\n",
              static_cast<long long>(cells[1].oracle.differ));
}

}  // namespace
}  // namespace ulpcheck
