// The combine oracle against the op's specification (include/ulpcheck/reference/combine.hpp),
// one sentence of it per case, on inputs whose exact answer is known by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include "ulpcheck/reference/combine.hpp"

namespace ulpcheck {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

/// One token of hidden size 1: y[k] and shared as values of `f`, w as given.
CombineInputs one_element(Format f, const std::vector<double>& y, const std::vector<float>& w, double shared) {
  CombineInputs in{f, 1, {}, w, {encode(f, shared)}};
  for (double v : y) in.routed.push_back(encode(f, v));
  return in;
}

CombineConfig config(int topk, double rsf) { return CombineConfig{.topk = topk, .hidden = 1, .routed_scaling_factor = rsf}; }

TEST(CombineOracle, IsTheScaledWeightedSumPlusShared) {
  // 2.5 * (0.5 * 3 + 0.25 * -2) + 1 = 3.5, exact in every format.
  for (Format f : all_formats()) {
    const CombineExact e = combine_exact(config(2, 2.5), one_element(f, {3.0, -2.0}, {0.5f, 0.25f}, 1.0));
    EXPECT_EQ(e.out[0].rounded, 3.5);
    EXPECT_EQ(e.out[0].value.hi, 3.5);
    EXPECT_EQ(e.out[0].value.lo, 0.0);
    EXPECT_EQ(e.scale[0], 2.5 * (1.5 + 0.5) + 1.0);
    EXPECT_TRUE(e.finite_inputs[0]);
  }
}

TEST(CombineOracle, SumsExactlyAcrossCancellingTerms) {
  // 2^100 + 1 - 2^100 + 0.5: a double sum in this order gives 0.5; the exact sum is 1.5.
  const CombineExact e =
      combine_exact(config(3, 1.0), one_element(Format::fp32, {0x1p100, 1.0, -0x1p100}, {1.0f, 1.0f, 1.0f}, 0.5));
  EXPECT_EQ(e.out[0].rounded, 1.5);
  EXPECT_EQ(e.out[0].value.hi, 1.5);
}

TEST(CombineOracle, RoundsOnceToTheFormat) {
  // 1 + 2^-24 + 2^-80 is just above the midpoint of 1 and 1 + 2^-23: it rounds up in fp32.
  // Summed in double first (2^-80 lost) it would be the midpoint and round to 1.
  const CombineExact e = combine_exact(config(2, 1.0), one_element(Format::fp32, {1.0, 0x1p-24}, {1.0f, 1.0f}, 0x1p-80));
  EXPECT_EQ(e.out[0].rounded, 1.0 + 0x1p-23);
  EXPECT_EQ(e.out[0].value.hi, 1.0 + 0x1p-24);
  EXPECT_EQ(e.out[0].value.lo, 0x1p-80);
  // The exact midpoint rounds to even: 1 + 2^-8 in bf16 is 1.
  const CombineExact tie = combine_exact(config(1, 1.0), one_element(Format::fp32, {1.0}, {1.0f}, 0x1p-8));
  EXPECT_EQ(tie.out[0].value.hi, 1.0 + 0x1p-8);
  const CombineExact bf = combine_exact(config(2, 1.0), one_element(Format::bf16, {1.0, 0x1p-9}, {1.0f, 1.0f}, 0x1p-9));
  EXPECT_EQ(bf.out[0].rounded, 1.0);  // 1 + 2^-8, a tie, to even
}

TEST(CombineOracle, UsesTheFactorExactly) {
  // rsf = 0.1f is 13421773 * 2^-27; times w = 3, y = 1: 0.30000000447034836 exactly.
  const double rsf = static_cast<double>(0.1f);
  const CombineExact e = combine_exact(config(1, rsf), one_element(Format::fp32, {1.0}, {3.0f}, 0.0));
  EXPECT_EQ(e.out[0].value.hi, 3 * rsf);
  EXPECT_EQ(e.out[0].rounded, static_cast<double>(static_cast<float>(3 * rsf)));
}

TEST(CombineOracle, AFiniteExactValueRoundsToInfinityButIsFinite) {
  // fp16: 2.5 * 30000 = 75000 > 65504.
  const CombineExact e = combine_exact(config(1, 2.5), one_element(Format::fp16, {30000.0}, {1.0f}, 0.0));
  EXPECT_EQ(e.out[0].rounded, kInf);
  EXPECT_EQ(e.out[0].value.hi, 75000.0);
  // With a shared output of -60000 the exact value is 15000: finite, and so is its rounding.
  const CombineExact back = combine_exact(config(1, 2.5), one_element(Format::fp16, {30000.0}, {1.0f}, -59968.0));
  EXPECT_EQ(back.out[0].value.hi, 75000.0 - 59968.0);
  EXPECT_TRUE(std::isfinite(back.out[0].rounded));
}

TEST(CombineOracle, NonFiniteInputsFollowIeeeOnTheExactProducts) {
  const auto exact = [](const std::vector<double>& y, const std::vector<float>& w, double shared) {
    return combine_exact(config(static_cast<int>(y.size()), 2.0), one_element(Format::bf16, y, w, shared));
  };
  EXPECT_TRUE(std::isnan(exact({kInf}, {0.0f}, 1.0).out[0].value.hi)) << "0 * inf";
  EXPECT_TRUE(std::isnan(exact({kInf, -kInf}, {1.0f, 1.0f}, 1.0).out[0].value.hi)) << "inf - inf";
  EXPECT_TRUE(std::isnan(exact({1.0}, {1.0f}, std::nan("")).out[0].value.hi)) << "a NaN shared output";
  EXPECT_TRUE(std::isnan(exact({1.0}, {std::nanf("")}, 1.0).out[0].value.hi)) << "a NaN weight";
  const CombineExact inf = exact({kInf, 1.0}, {0.5f, 1.0f}, -3.0);
  EXPECT_EQ(inf.out[0].value.hi, kInf);
  EXPECT_EQ(inf.out[0].rounded, kInf);
  EXPECT_FALSE(inf.finite_inputs[0]);
  EXPECT_EQ(inf.scale[0], kInf);
  EXPECT_EQ(exact({1.0}, {1.0f}, -kInf).out[0].value.hi, -kInf);
}

TEST(CombineOracle, LaysOutTokensAndHiddenRowMajor) {
  // 2 tokens, topk 2, hidden 3: out[t, h] = sum_k w[t, k] y[t, k, h] + shared[t, h], rsf 1.
  const CombineConfig c{.topk = 2, .hidden = 3, .routed_scaling_factor = 1.0};
  CombineInputs in{Format::fp32, 2, {}, {1.0f, 2.0f, 3.0f, 4.0f}, {}};
  for (int v = 0; v < 12; ++v) in.routed.push_back(encode(Format::fp32, v));
  for (int v = 0; v < 6; ++v) in.shared.push_back(encode(Format::fp32, 100 * v));
  const CombineExact e = combine_exact(c, in);
  ASSERT_EQ(e.out.size(), 6u);
  for (int t = 0; t < 2; ++t)
    for (int h = 0; h < 3; ++h) {
      const double want = in.weights[t * 2] * (t * 6 + h) + in.weights[t * 2 + 1] * (t * 6 + 3 + h) + 100 * (t * 3 + h);
      EXPECT_EQ(e.out[static_cast<std::size_t>(t * 3 + h)].value.hi, want) << t << "," << h;
    }
}

TEST(CombineOracle, RefusesAnInvalidConfigOrInputsSizedWrong) {
  EXPECT_NE(CombineConfig{.topk = 0}.validate().find("topk is 0"), std::string::npos);
  EXPECT_NE(CombineConfig{.topk = 33}.validate().find("[1, 32]"), std::string::npos);
  EXPECT_NE(CombineConfig{.hidden = 0}.validate().find("hidden"), std::string::npos);
  EXPECT_NE(CombineConfig{.routed_scaling_factor = 0.1}.validate().find("not an fp32 value"), std::string::npos);
  EXPECT_NE(CombineConfig{.routed_scaling_factor = -1}.validate().find("> 0"), std::string::npos);
  EXPECT_EQ(CombineConfig{}.validate(), "");
  EXPECT_EQ(CombineConfig{}.label(), "k=8 hidden=64 scale=2.5");
  CombineInputs in = one_element(Format::bf16, {1.0, 2.0}, {1.0f}, 0.0);
  EXPECT_NE(check_sizes(config(2, 1.0), in).find("weights has 1 elements"), std::string::npos);
  EXPECT_THROW(combine_exact(config(2, 1.0), in), std::invalid_argument);
}

}  // namespace
}  // namespace ulpcheck
