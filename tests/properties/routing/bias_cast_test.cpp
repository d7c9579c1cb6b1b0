// Casting the bias once against casting it inside every call: bit-identical routing while
// the target dtype stays the same (for every host kernel and target); a planted cast that
// truncates on odd calls is caught; an alternating target changes exactly the tokens that
// the bias in fp32 and in bf16 route differently, on the calls of the other dtype.
#include "ulpcheck/properties/routing/bias_cast.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstring>

#include "ulpcheck/device/registry.hpp"
#include "ulpcheck/properties/routing/inputs.hpp"
#include "ulpcheck/properties/routing/measure.hpp"

namespace ulpcheck {
namespace {

constexpr std::int64_t kCallTokens = 16;

RoutingInputs batch(std::int64_t tokens, std::uint64_t seed) {
  return routing_batch(RoutingConfig::deepseek_v3(), Format::fp32, Format::fp32, tokens, Distribution::normal(0, 2),
                       kCheckpointBiases[0].distribution, seed);
}

/// The planted cast: round to nearest even, except on odd calls, where it truncates (drops
/// the low bits), as a hand-written cast might on one code path.
std::uint32_t truncating_on_odd_calls(Format target, float value, std::int64_t call) {
  if (call % 2 == 0 || target == Format::fp32) return round_bias_nearest_even(target, value, call);
  std::uint32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  if (target == Format::bf16) return bits >> 16;
  return encode(Format::fp16, round_to(Format::fp16, value));  // fp16: left correct
}

TEST(BiasCast_deepseek_v3, CastOnceAndPerCallAreBitIdenticalWhileTheTargetStaysTheSame) {
  const RoutingConfig c = RoutingConfig::deepseek_v3();
  const RoutingInputs in = batch(200, 4);
  for (const RoutingKernel* k : all_routing_kernels()) {
    if (!k->name().starts_with("host.")) continue;
    for (Format target : all_formats()) {
      SCOPED_TRACE(fmt::format("{}, bias cast to {}", k->name(), name(target)));
      const BiasCastComparison r =
          compare_bias_cast(*k, c, in, target, [target](std::int64_t) { return target; }, kCallTokens);
      EXPECT_EQ(r.calls.size(), 13u);  // 12 calls of 16 tokens and one of 8
      EXPECT_EQ(r.tokens(), 200);
      EXPECT_EQ(r.identical_calls(), 13);
      EXPECT_TRUE(r.bit_identical()) << r.first_difference;
      EXPECT_EQ(r.first_difference, "");
    }
  }
}

TEST(BiasCast_deepseek_v3, APlantedCastThatTruncatesOnOddCallsIsCaught) {
  const RoutingConfig c = RoutingConfig::deepseek_v3();
  const RoutingInputs in = batch(256, 4);
  const BiasCastComparison r =
      compare_bias_cast(*find_routing_kernel("host.routing_fp32"), c, in, Format::bf16,
                        [](std::int64_t) { return Format::bf16; }, kCallTokens, truncating_on_odd_calls);
  EXPECT_FALSE(r.bit_identical());
  EXPECT_GT(r.sets_differ(), 0);
  // Only odd calls may differ; every even one is identical.
  for (std::size_t i = 0; i < r.calls.size(); i += 2) EXPECT_TRUE(r.calls[i].identical()) << "call " << i;
  EXPECT_LT(r.identical_calls(), static_cast<std::int64_t>(r.calls.size()));
  EXPECT_NE(r.first_difference.find("bias cast to bf16"), std::string::npos) << r.first_difference;
  std::printf("truncating on odd calls: %lld of %zu calls identical, %lld tokens differ\n%s",
              static_cast<long long>(r.identical_calls()), r.calls.size(), static_cast<long long>(r.tokens_differ()),
              r.first_difference.c_str());
}

TEST(BiasCast_deepseek_v3, AnAlternatingTargetMovesExactlyTheTokensTheTwoDtypesRouteApart) {
  const RoutingConfig c = RoutingConfig::deepseek_v3();
  const RoutingKernel& k = *find_routing_kernel("host.routing_fp32");
  const RoutingInputs in = batch(256, 5);
  const BiasCastComparison r = compare_bias_cast(
      k, c, in, Format::bf16, [](std::int64_t call) { return call % 2 == 0 ? Format::fp32 : Format::bf16; },
      kCallTokens);
  // The bf16 calls cast to what was cast once: identical.
  for (const BiasCastCall& call : r.calls)
    if (call.target == Format::bf16) EXPECT_TRUE(call.identical());
  EXPECT_EQ(r.calls_with_target(Format::fp32), 8);
  // The fp32 calls: the bias in fp32 per call against bf16 cast once, token by token.
  const RoutingOutputs fp32_bias = run_routing_kernel(k, c, with_bias_in(in, Format::fp32));
  const RoutingOutputs bf16_bias = run_routing_kernel(k, c, with_bias_in(in, Format::bf16));
  SetDifference expected;
  for (std::int64_t t = 0; t < in.tokens; ++t) {
    if ((t / kCallTokens) % 2 != 0) continue;  // a bf16 call
    const auto set = [&](const RoutingOutputs& o) {
      std::vector<std::int32_t> ids(o.ids.begin() + t * c.topk, o.ids.begin() + (t + 1) * c.topk);
      std::sort(ids.begin(), ids.end());
      return ids;
    };
    ++expected.tokens;
    expected.differ += set(fp32_bias) != set(bf16_bias);
  }
  const SetDifference got = r.sets_differ_on(Format::fp32);
  EXPECT_EQ(got.tokens, expected.tokens);
  EXPECT_EQ(got.differ, expected.differ);
  EXPECT_GT(got.differ, 0);
  EXPECT_EQ(r.sets_differ(), got.differ);
}

TEST(BiasCast_tiny, TheFlipBetweenFp32AndBf16BiasIsTheTokenTheBf16TieMoves) {
  // Two experts, one picked; expert 1's bias 1 + 2^-9 is 1 in bf16 and ties expert 0's.
  RoutingConfig c;
  c.experts = 2;
  c.n_group = 1;
  c.topk_group = 1;
  c.topk = 1;
  RoutingInputs in{Format::fp32, Format::fp32, 2, {}, {encode(Format::fp32, 1.0), encode(Format::fp32, 1.0 + 0x1p-9)}};
  in.logits = {0, 0, 0, encode(Format::fp32, 1.0)};  // equal scores; expert 1 far ahead
  const RoutingKernel& k = *find_routing_kernel("host.routing_fp32");
  const SetDifference flips = expert_sets_differ(run_routing_kernel(k, c, with_bias_in(in, Format::fp32)),
                                                 run_routing_kernel(k, c, with_bias_in(in, Format::bf16)), c.topk);
  EXPECT_EQ(flips.tokens, 2);
  EXPECT_EQ(flips.differ, 1);
  // Alternating per call of one token: call 0 (fp32) differs from the bias cast once to
  // bf16, call 1 (bf16) does not.
  const BiasCastComparison r =
      compare_bias_cast(k, c, in, Format::bf16, [](std::int64_t call) { return call == 0 ? Format::fp32 : Format::bf16; }, 1);
  ASSERT_EQ(r.calls.size(), 2u);
  EXPECT_EQ(r.calls[0].sets_differ, 1);
  EXPECT_TRUE(r.calls[1].identical());
}

TEST(BiasCastPerCall, TakesTheBiasInFp32OnlyAndCountsItsCalls) {
  const RoutingConfig c = RoutingConfig::deepseek_v3();
  const BiasCastPerCall k(*find_routing_kernel("host.routing_fp32"), [](std::int64_t) { return Format::bf16; });
  EXPECT_EQ(k.name(), "host.routing_fp32+bias_cast_per_call");
  EXPECT_TRUE(k.claim(c, Format::bf16, Format::fp32).has_value());
  EXPECT_FALSE(k.claim(c, Format::bf16, Format::bf16).has_value());
  const RoutingInputs in = batch(4, 1);
  EXPECT_THROW(run_routing_kernel(k, c, with_bias_in(in, Format::bf16)), KernelError);
  EXPECT_NO_THROW(run_routing_kernel(k, c, in));
  EXPECT_NO_THROW(run_routing_kernel(k, c, in));
  EXPECT_EQ(k.calls(), 2);  // the refused call never started
}

TEST(BiasCast_deepseek_v3, RefusesABiasNotInFp32) {
  const RoutingConfig c = RoutingConfig::deepseek_v3();
  EXPECT_THROW(compare_bias_cast(*find_routing_kernel("host.routing_fp32"), c, with_bias_in(batch(4, 1), Format::bf16),
                                 Format::bf16, [](std::int64_t) { return Format::bf16; }, 2),
               std::invalid_argument);
}

}  // namespace
}  // namespace ulpcheck
