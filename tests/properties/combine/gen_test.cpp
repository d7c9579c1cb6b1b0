// The combine generators (properties/combine/gen.cpp): the seeded batches for reports and
// golden files, the fuzz cases (sized for their config, weights renormalised and not,
// non-finite inputs now and then) and the fp16 batches that overflow when scaled first.
#include "ulpcheck/properties/combine/gen.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <sstream>

namespace ulpcheck {
namespace {

/// n cases of `gen`, drawn as a property run draws them (size 0 to 99).
template <class T>
std::vector<T> combine_sample(const rc::Gen<T>& gen, int n, std::uint64_t seed) {
  std::vector<T> out;
  rc::Random random(seed);
  for (int i = 0; i < n; ++i) out.push_back(gen(random.split(), i % 100).value());
  return out;
}

float weight_sum(const CombineInputs& in, int topk, std::int64_t t) {
  return std::accumulate(in.weights.begin() + t * topk, in.weights.begin() + (t + 1) * topk, 0.0f);
}

TEST(CombineInputs, TheSameSeedGivesTheSameBitsAndAnotherSeedOthers) {
  const CombineConfig c{.topk = 8, .hidden = 33, .routed_scaling_factor = 2.5};
  const CombineInputs a = combine_inputs(c, Format::bf16, 5, 7), b = combine_inputs(c, Format::bf16, 5, 7),
                      other = combine_inputs(c, Format::bf16, 5, 8);
  EXPECT_EQ(a.routed, b.routed);
  EXPECT_EQ(a.weights, b.weights);
  EXPECT_EQ(a.shared, b.shared);
  EXPECT_NE(a.routed, other.routed);
  EXPECT_NE(a.weights, other.weights);
  // Another config or format with the same seed draws other values.
  const CombineConfig wider{.topk = 8, .hidden = 34, .routed_scaling_factor = 2.5};
  EXPECT_NE(combine_inputs(wider, Format::bf16, 5, 7).weights, a.weights);
  EXPECT_NE(combine_inputs(c, Format::fp16, 5, 7).weights, a.weights);
}

TEST(CombineInputs, AreTheBitsGoldenFilesWereWrittenWith) {
  // Pinned: a change of the draw changes every golden file and report built on it, so it
  // shows here first.
  const CombineInputs in =
      combine_inputs(CombineConfig{.topk = 2, .hidden = 3, .routed_scaling_factor = 2.5}, Format::bf16, 2, 1);
  EXPECT_EQ(in.routed, (std::vector<std::uint32_t>{0x4131, 0xbc70, 0xc148, 0x41c9, 0xbce6, 0xbc01, 0xc10e, 0xbe7f,
                                                   0xbd3a, 0xbe53, 0xbfcc, 0x4364}));
  EXPECT_EQ(in.shared, (std::vector<std::uint32_t>{0xbebe, 0xbc14, 0x4045, 0x3c92, 0xbc0d, 0x4208}));
  // Token 0 renormalised (0.457 + 0.543), token 1 raw (0.224 + 0.886).
  EXPECT_EQ(in.weights, (std::vector<float>{0x1.d4a87cp-2f, 0x1.15abc2p-1f, 0x1.ca18b8p-3f, 0x1.c5b72ap-1f}));
}

TEST(CombineInputs, AreSizedForTheConfigFiniteAndWeightedAsRoutersWeight) {
  const CombineConfig c{.topk = 6, .hidden = 7, .routed_scaling_factor = 0.5};
  for (Format f : all_formats()) {
    const CombineInputs in = combine_inputs(c, f, 4, 3);
    EXPECT_EQ(check_sizes(c, in), "");
    EXPECT_EQ(in.format, f);
    bool negative = false, zero = false;
    for (std::uint32_t b : in.routed) {
      const double v = decode(f, b);
      ASSERT_TRUE(std::isfinite(v));
      EXPECT_LE(std::fabs(v), 512.0);
      negative = negative || v < 0;
      zero = zero || v == 0;
    }
    EXPECT_TRUE(negative);
    EXPECT_TRUE(zero) << "a sixteenth of the values are 0";
    for (float w : in.weights) EXPECT_TRUE(w > 0.0f && w < 1.0f) << w;
    // Even tokens renormalised (to 1 within the fp32 roundings of the sum), odd ones raw.
    EXPECT_NEAR(weight_sum(in, c.topk, 0), 1.0f, 1e-6f);
    EXPECT_NEAR(weight_sum(in, c.topk, 2), 1.0f, 1e-6f);
    EXPECT_GT(std::fabs(weight_sum(in, c.topk, 1) - 1.0f), 1e-3f);
  }
}

TEST(CombineInputs, RefuseAnInvalidConfigOrNegativeTokens) {
  EXPECT_THROW(combine_inputs(CombineConfig{.topk = 33}, Format::bf16, 1, 1), std::invalid_argument);
  try {
    combine_inputs(CombineConfig{}, Format::bf16, -1, 1);
    FAIL() << "accepted -1 tokens";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "combine_inputs: tokens is -1; it must be >= 0");
  }
}

TEST(CombineGen, ConfigsCoverTheValidSpace) {
  int small_topk = 0, large_topk = 0, odd_hidden = 0, other_factor = 0;
  for (const CombineConfig& c : combine_sample(gen_combine_config(), 400, 1)) {
    ASSERT_EQ(c.validate(), "") << c.label();
    ASSERT_LE(c.hidden, 97);
    small_topk += c.topk <= 8;
    large_topk += c.topk > 16;
    odd_hidden += c.hidden % 2;
    const double f = c.routed_scaling_factor;
    EXPECT_TRUE(f >= 0x1p-4 && f <= 16.0 && static_cast<double>(static_cast<float>(f)) == f) << f;
    other_factor += f != 1.0 && f != 2.5 && f != static_cast<double>(0.1f);
  }
  EXPECT_GT(small_topk, 150);
  EXPECT_GT(large_topk, 20);
  EXPECT_GT(odd_hidden, 100);
  EXPECT_GT(other_factor, 80);
}

TEST(CombineGen, CasesMixSignsRenormaliseHalfTheWeightsAndCarrySomeNonFiniteInputs) {
  int renormalised = 0, raw = 0, non_finite = 0, mixed_signs = 0;
  for (const CombineCase& c : combine_sample(gen_combine_case(Format::fp16), 300, 2)) {
    ASSERT_EQ(check_sizes(c.config, c.inputs), "") << c.config.label();
    ASSERT_EQ(c.inputs.format, Format::fp16);
    const CombineExact exact = combine_exact(c.config, c.inputs, 1);
    non_finite += std::count(exact.finite_inputs.begin(), exact.finite_inputs.end(), 0) > 0;
    const float sum = weight_sum(c.inputs, c.config.topk, 0);
    if (!std::isfinite(sum)) continue;
    (std::fabs(sum - 1.0f) < 1e-5f ? renormalised : raw) += 1;
    bool negative = false, positive = false;
    for (std::uint32_t b : c.inputs.routed)
      negative = negative || decode(Format::fp16, b) < 0, positive = positive || decode(Format::fp16, b) > 0;
    mixed_signs += negative && positive;
  }
  EXPECT_GT(renormalised, 60);
  EXPECT_GT(raw, 60);
  EXPECT_GT(non_finite, 15);
  EXPECT_LT(non_finite, 100);
  EXPECT_GT(mixed_signs, 100);
}

TEST(CombineGen, Fp16NearOverflowCasesOverflowWhenScaledButNotExactly) {
  int elements = 0, overflowing = 0;
  for (const CombineCase& c : combine_sample(gen_fp16_near_overflow_case(), 100, 3)) {
    ASSERT_EQ(check_sizes(c.config, c.inputs), "");
    ASSERT_EQ(c.inputs.format, Format::fp16);
    const CombineExact exact = combine_exact(c.config, c.inputs, 1);
    const std::int64_t K = c.config.topk, H = c.config.hidden;
    for (std::int64_t t = 0; t < c.inputs.tokens; ++t)
      for (std::int64_t h = 0; h < H; ++h) {
        double routed = 0.0;
        for (std::int64_t k = 0; k < K; ++k)
          routed += c.inputs.weights[t * K + k] * decode(Format::fp16, c.inputs.routed[(t * K + k) * H + h]);
        const DoubleDouble& r = exact.out[t * H + h].value;
        ++elements;
        ASSERT_LT(std::fabs(routed), 65504.0) << "the unscaled sum fits fp16";
        ASSERT_LT(std::fabs(r.hi), 0x1p15) << "the exact result is below fp16's top binade";
        overflowing += std::fabs(c.config.routed_scaling_factor * routed) >= 65520.0;
      }
  }
  EXPECT_EQ(overflowing, elements) << "rsf * (routed sum) rounds to inf in fp16";
}

TEST(CombineGen, ShowValueGivesTheConfigTheWeightsAndTheNonZeroValues) {
  const CombineConfig c{.topk = 2, .hidden = 2, .routed_scaling_factor = 2.5};
  const CombineCase k{c, CombineInputs{Format::bf16,
                                       1,
                                       {encode(Format::bf16, 1.5), 0, 0, encode(Format::bf16, -3.0)},
                                       {0.25f, 0.75f},
                                       {0, encode(Format::bf16, 0.5)}}};
  std::ostringstream os;
  showValue(k, os);
  EXPECT_EQ(os.str(),
            "k=2 hidden=2 scale=2.5; bf16 [1 tokens]\n"
            "  token 0 weights: 0.25 0.75\n"
            "    routed (non-zero, [k,h]): [0,0]=1.5 [1,1]=-3\n"
            "    shared (non-zero): [1]=0.5");
}

}  // namespace
}  // namespace ulpcheck
