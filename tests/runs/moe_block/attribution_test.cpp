// The MoE block's attribution (runs/moe_block/moe_block_report.hpp) on the host pipeline:
// every stage's own error within its kernel's claim in every format, and a planted wrong
// stage showing at that stage and at none before it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

#include "ulpcheck/device/moe_pipeline.hpp"
#include "ulpcheck/runs/moe_block/moe_block_report.hpp"

namespace ulpcheck {
namespace {

/// A small block: 48 tokens keep the test quick and still route every expert.
MoeBlockConfig small_block(Format f) {
  MoeBlockConfig c;
  c.format = f;
  c.tokens = 48;
  c.seed = 7;
  return c;
}

struct MoeBlockRun {
  MoeBlockConfig config;
  MoeBlockInputs inputs;
  MoeBlockExact chain;
  MoeStageExact stages;
};

/// The small block's inputs and exact answers, computed once per format for all tests.
const MoeBlockRun& exact_run(Format f) {
  static std::map<Format, MoeBlockRun> runs;
  auto it = runs.find(f);
  if (it != runs.end()) return it->second;
  MoeBlockRun r{small_block(f), {}, {}, {}};
  r.inputs = generate_moe_block_inputs(r.config);
  r.chain = moe_block_exact(r.config, r.inputs);
  r.stages = moe_stage_exact(r.config, r.inputs, r.chain);
  return runs.emplace(f, std::move(r)).first->second;
}

const MoeStageFigures& stage_named(const MoeBlockReport& r, const std::string& stage) {
  for (const MoeStageFigures& s : r.stages)
    if (s.stage == stage) return s;
  throw std::out_of_range(stage);
}

/// Planted: the GEMM's accumulator is rounded to the storage format after every step (an
/// accumulation in bf16), which the fp32-accumulation claim does not cover.
class StorageAccumulatingGemm final : public GemmKernel {
 public:
  std::string_view name() const override { return "planted.gemm_storage_accumulate"; }
  std::string_view description() const override { return "accumulator rounded to storage after each product"; }
  GemmClaim claim(Format f, std::int64_t depth) const override { return host_gemm_kernel().claim(f, depth); }
  void run(Format f, GemmShape s, const std::vector<std::uint32_t>& a, const std::vector<std::uint32_t>& b,
           std::vector<std::uint32_t>& c) const override {
    for (std::int64_t r = 0; r < s.m; ++r)
      for (std::int64_t j = 0; j < s.n; ++j) {
        double acc = 0.0;
        for (std::int64_t i = 0; i < s.k; ++i)
          acc = round_to(f, acc + decode(f, a[static_cast<std::size_t>(r * s.k + i)]) *
                                      decode(f, b[static_cast<std::size_t>(i * s.n + j)]));
        c[static_cast<std::size_t>(r * s.n + j)] = encode(f, acc);
      }
  }
};

/// Planted: a combine that leaves the shared expert's output out.
class CombineDroppingShared final : public CombineKernel {
 public:
  explicit CombineDroppingShared(const CombineKernel& inner) : inner_(inner) {}
  std::string_view name() const override { return "planted.combine_no_shared"; }
  std::string_view description() const override { return "the shared output dropped"; }
  std::optional<CombineClaim> claim(const CombineConfig& c, Format f) const override { return inner_.claim(c, f); }
  void run(const CombineConfig& c, const CombineInputs& in, std::vector<std::uint32_t>& out) const override {
    CombineInputs without = in;
    std::fill(without.shared.begin(), without.shared.end(), 0u);
    inner_.run(c, without, out);
  }

 private:
  const CombineKernel& inner_;
};

/// Planted: a router that, for tokens 0 and 5, swaps its last pick for an expert it did not
/// pick (as a near-tie flip would).
class RouterFlippingTwoTokens final : public RoutingKernel {
 public:
  explicit RouterFlippingTwoTokens(const RoutingKernel& inner) : inner_(inner) {}
  std::string_view name() const override { return "planted.routing_flip"; }
  std::string_view description() const override { return "last pick of tokens 0 and 5 replaced"; }
  std::optional<RoutingClaim> claim(const RoutingConfig& c, Format l, Format b) const override {
    return inner_.claim(c, l, b);
  }
  void run(const RoutingConfig& c, const RoutingInputs& in, RoutingOutputs& out) const override {
    inner_.run(c, in, out);
    for (std::int64_t t : {0, 5}) {
      const auto first = out.ids.begin() + t * c.topk, last = first + c.topk;
      for (std::int32_t e = 0; e < c.experts; ++e)
        if (std::find(first, last, e) == last) {
          *(last - 1) = e;
          break;
        }
    }
  }

 private:
  const RoutingKernel& inner_;
};

class MoeBlockHost : public testing::TestWithParam<Format> {};

TEST_P(MoeBlockHost, EveryStageIsWithinItsClaimOnExactInputs) {
  const MoeBlockRun& r = exact_run(GetParam());
  const MoeBlockReport rep = attribute_moe_block(r.config, r.inputs, r.chain, r.stages, host_moe_pipeline());
  ASSERT_TRUE(rep.measured);
  ASSERT_EQ(rep.stages.size(), 7u);
  EXPECT_EQ(rep.combines.size(), 6u);
  for (const MoeStageFigures& s : rep.stages) {
    EXPECT_GT(s.own.compared, 0) << s.stage;
    EXPECT_FALSE(s.claim.empty()) << s.stage;
    EXPECT_EQ(s.own_breaches, 0) << s.stage << " " << s.kernel << ": " << s.claim;
    EXPECT_EQ(s.own.non_finite, 0) << s.stage;
  }
  for (const MoeStageFigures& s : rep.combines) EXPECT_EQ(s.own_breaches, 0) << s.kernel << ": " << s.claim;
  EXPECT_TRUE(rep.own_within_claims());
  // The activation rounds once from fp32 arithmetic: for the 16-bit formats that is
  // correctly rounded but for a sliver (in fp32, expf's own error shows).
  if (GetParam() != Format::fp32) {
    EXPECT_LE(stage_named(rep, "activation").own.max_ulp, 1.0);
  }
}

TEST_P(MoeBlockHost, FusedCombineOutputIsWithinTheAccumulatedRoundingsOfTheChain) {
  // The chain rounds to F four times before the output (gate_up, activation, down, combine)
  // and the activation amplifies its input's error by at most about 1 + |g| for |g| <= 7:
  // a few dozen roundings' worth, far below 1 relative to the output's scale.
  const MoeBlockRun& r = exact_run(GetParam());
  const MoeBlockReport rep = attribute_moe_block(r.config, r.inputs, r.chain, r.stages, host_moe_pipeline());
  const double unit = std::ldexp(1.0, -info(GetParam()).precision);
  for (const MoeStageFigures& s : rep.combines)
    if (s.kernel == "host.combine_fold_fused") {
      EXPECT_GT(s.chained.compared, 0);
      EXPECT_LT(s.chained.max_relative, 64 * unit) << s.chained.max_relative;
      EXPECT_GT(s.chained.max_relative, 0.0);
    }
}

INSTANTIATE_TEST_SUITE_P(Formats, MoeBlockHost, testing::Values(Format::bf16, Format::fp16, Format::fp32),
                         [](const testing::TestParamInfo<Format>& p) { return std::string(name(p.param)); });

TEST(MoeBlockPlanted, StorageAccumulatingGemmShowsAtGateUpAndNotBefore_bf16) {
  const MoeBlockRun& r = exact_run(Format::bf16);
  static const StorageAccumulatingGemm planted;
  MoePipeline p = host_moe_pipeline();
  const MoeBlockReport good = attribute_moe_block(r.config, r.inputs, r.chain, r.stages, p);
  p.gemm = &planted;
  const MoeBlockReport bad = attribute_moe_block(r.config, r.inputs, r.chain, r.stages, p);
  EXPECT_EQ(stage_named(bad, "router weights").own_breaches, 0);
  EXPECT_EQ(stage_named(bad, "router weights").own.max_ulp, stage_named(good, "router weights").own.max_ulp);
  EXPECT_GT(stage_named(bad, "gate_up").own_breaches, 0);
  EXPECT_GT(stage_named(bad, "gate_up").own.max_ulp, stage_named(good, "gate_up").own.max_ulp);
  EXPECT_GT(stage_named(bad, "gate_up").chained.max_relative, 4 * stage_named(good, "gate_up").chained.max_relative);
  // The activation after it is the same kernel on the same exact inputs: its own figures stay.
  EXPECT_EQ(stage_named(bad, "activation").own_breaches, 0);
  EXPECT_FALSE(bad.own_within_claims());
  EXPECT_NE(moe_block_markdown(bad).find("outside**"), std::string::npos);
}

TEST(MoeBlockPlanted, CombineDroppingSharedShowsAtTheCombineOnly_bf16) {
  const MoeBlockRun& r = exact_run(Format::bf16);
  MoePipeline p = host_moe_pipeline();
  const CombineDroppingShared planted(*p.combines.front());
  p.combines = {p.combines.front(), &planted};
  const MoeBlockReport rep = attribute_moe_block(r.config, r.inputs, r.chain, r.stages, p);
  for (const MoeStageFigures& s : rep.stages) EXPECT_EQ(s.own_breaches, 0) << s.stage;
  ASSERT_EQ(rep.combines.size(), 2u);
  EXPECT_EQ(rep.combines[0].own_breaches, 0);
  EXPECT_GT(rep.combines[1].own_breaches, 0);
  EXPECT_GT(rep.combines[1].chained.max_relative, 0.1);
  EXPECT_LT(rep.combines[0].chained.max_relative, 0.1);
  EXPECT_FALSE(rep.own_within_claims());
}

TEST(MoeBlockPlanted, TokensRoutedDifferentlyAreCountedAndLeftOutOfTheChain_bf16) {
  const MoeBlockRun& r = exact_run(Format::bf16);
  MoePipeline p = host_moe_pipeline();
  const RouterFlippingTwoTokens planted(*p.routing);
  p.routing = &planted;
  const MoeBlockReport rep = attribute_moe_block(r.config, r.inputs, r.chain, r.stages, p);
  EXPECT_EQ(rep.id_mismatch_tokens, 2);
  EXPECT_GT(rep.mismatch_margin_max, 0.0);
  const std::int64_t kept = (48 - 2) * 4;
  EXPECT_EQ(stage_named(rep, "router weights").chained.compared, kept);
  EXPECT_EQ(stage_named(rep, "gate_up").own.compared, 48 * 4 * 256);
  EXPECT_EQ(stage_named(rep, "gate_up").chained.compared, kept * 256);
  EXPECT_EQ(stage_named(rep, "down").chained.compared, kept * 64);
  EXPECT_EQ(stage_named(rep, "shared down").chained.compared, 48 * 64);
  EXPECT_EQ(rep.combines.front().chained.compared, 46 * 64);
  EXPECT_TRUE(rep.own_within_claims());
  EXPECT_NE(moe_block_markdown(rep).find(": 2 of 48"), std::string::npos);
}

TEST(MoeBlockReportText, MarkdownHasARowPerStageAndPlacement) {
  const MoeBlockRun& r = exact_run(Format::bf16);
  const MoeBlockReport rep = attribute_moe_block(r.config, r.inputs, r.chain, r.stages, host_moe_pipeline());
  const std::string md = moe_block_markdown(rep);
  for (const char* row :
       {"| router weights |", "| gate_up |", "| activation |", "| down |", "| shared gate_up |",
        "| shared activation |", "| shared down |", "| combine (fold_fused) |", "| combine (fp16_guard) |"})
    EXPECT_NE(md.find(row), std::string::npos) << row << "\n" << md;
  const nlohmann::json j = moe_block_json(rep);
  EXPECT_EQ(j.at("stages").size(), 7u);
  EXPECT_EQ(j.at("combines").size(), 6u);
  EXPECT_TRUE(j.at("own_within_claims").get<bool>());
  EXPECT_EQ(j.at("stages")[1].at("own").at("compared").get<std::int64_t>(), 48 * 4 * 256);
}

TEST(MoeBlockReportText, UnmeasuredPipelineSaysWhy) {
  const MoeBlockReport rep = unmeasured_moe_block(small_block(Format::bf16), "cuda", "cuBLAS not found: test");
  EXPECT_NE(moe_block_markdown(rep).find("Not measured: cuBLAS not found: test"), std::string::npos);
  EXPECT_FALSE(moe_block_json(rep).at("measured").get<bool>());
}

TEST(MoeBlockConfig, RefusesAnInvalidBlock) {
  MoeBlockConfig c;
  c.topk_group = 5;
  EXPECT_NE(c.validate().find("routing"), std::string::npos);
  EXPECT_THROW(generate_moe_block_inputs(c), std::invalid_argument);
  c = MoeBlockConfig{};
  c.limit = 7.3;
  EXPECT_NE(c.validate().find("limit"), std::string::npos);
}

}  // namespace
}  // namespace ulpcheck
