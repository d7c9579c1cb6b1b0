// check_element: which outputs get a ULP figure, which are semantic verdicts, and which fail.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "ulpcheck/properties/compare.hpp"

namespace ulpcheck {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
const Budget kHalfUlp{.max_ulp = 0.5, .abs_floor = 0x1p-121};

Exact exact_value(Format f, double v) { return Exact{round_to(f, v), DoubleDouble::of(v)}; }

TEST(CheckElement_bf16, CorrectlyRoundedOutputPasses) {
  // 1 + 0.3 ulp (bf16 ulp at 1 is 2^-7): rounds to 1.
  const ElementCheck c = check_element(Format::bf16, 1.0, exact_value(Format::bf16, 1.0 + 0.3 * 0x1p-7), true, 1.0, kHalfUlp);
  EXPECT_TRUE(c.numeric);
  EXPECT_TRUE(c.correctly_rounded);
  EXPECT_NEAR(c.ulp_error, 0.3, 1e-12);
  EXPECT_TRUE(c.passes());
}

TEST(CheckElement_bf16, OneUlpOffBreachesAHalfUlpBudget) {
  const ElementCheck c = check_element(Format::bf16, 1.0 + 0x1p-7, exact_value(Format::bf16, 1.0 + 0.3 * 0x1p-7), true, 1.0, kHalfUlp);
  EXPECT_FALSE(c.correctly_rounded);
  EXPECT_NEAR(c.ulp_error, 0.7, 1e-12);
  EXPECT_FALSE(c.within_budget);
}

TEST(CheckElement_bf16, FloorRegionPassesOnTheAbsoluteFloor) {
  // Exact -3e-37 (inside 2^-121), output -0: hundreds of ULPs, but |error| < floor.
  const ElementCheck c = check_element(Format::bf16, -0.0, exact_value(Format::bf16, -3e-37), true, 1.0, kHalfUlp);
  EXPECT_TRUE(c.in_floor_region);
  EXPECT_GT(c.ulp_error, 100.0);
  EXPECT_TRUE(c.within_budget);
}

TEST(CheckElement_bf16, FloorScalesWithTheUpValue) {
  // Activation error 3e-37 times |up| = 1e30: output error 3e-7, inside floor * |up|.
  const ElementCheck scaled = check_element(Format::bf16, -0.0, exact_value(Format::bf16, -3e-7), true, 1e30, kHalfUlp);
  EXPECT_TRUE(scaled.within_budget);
  const ElementCheck unscaled = check_element(Format::bf16, -0.0, exact_value(Format::bf16, -3e-7), true, 1.0, kHalfUlp);
  EXPECT_FALSE(unscaled.within_budget);
}

TEST(CheckElement_fp32, NanAgainstNanAgrees) {
  const ElementCheck c = check_element(Format::fp32, kNaN, exact_value(Format::fp32, kNaN), true, 1.0, kHalfUlp);
  EXPECT_EQ(c.semantics, Semantics::agree);
  EXPECT_TRUE(c.correctly_rounded);
  EXPECT_TRUE(c.passes());
}

TEST(CheckElement_fp32, NumberWhereTheResultIsUndefinedFails) {
  const ElementCheck c = check_element(Format::fp32, 7.0, exact_value(Format::fp32, kNaN), false, 1.0, kHalfUlp);
  EXPECT_EQ(c.semantics, Semantics::nan_lost);
  EXPECT_FALSE(c.passes());  // even with an infinite input: a lost NaN always fails
}

TEST(CheckElement_fp32, SpuriousNanFromFiniteInputsFails) {
  const ElementCheck c = check_element(Format::fp32, kNaN, exact_value(Format::fp32, 2.0), true, 1.0, kHalfUlp);
  EXPECT_EQ(c.semantics, Semantics::spurious_nan);
  EXPECT_FALSE(c.passes());
}

TEST(CheckElement_fp32, SpuriousNanFromAnInfiniteInputIsReportedNotFailed) {
  // silu(-inf) as -inf / inf = NaN, where the limit is -0.
  const ElementCheck c = check_element(Format::fp32, kNaN, exact_value(Format::fp32, -0.0), false, 1.0, kHalfUlp);
  EXPECT_EQ(c.semantics, Semantics::spurious_nan);
  EXPECT_TRUE(c.passes());
}

TEST(CheckElement_fp32, InfinityForAModerateValueIsASemanticMismatch) {
  const ElementCheck c = check_element(Format::fp32, kInf, exact_value(Format::fp32, 5.0), true, 1.0, kHalfUlp);
  EXPECT_EQ(c.semantics, Semantics::wrong_inf);
  EXPECT_FALSE(c.passes());
}

TEST(CheckElement_bf16, InfinityNearTheOverflowThresholdIsARoundingError) {
  // Exact just below bf16's overflow threshold (max + half ulp = 0x1.ffp127): correct is
  // max, 0x1.fep127; an output of inf counts as 2^128, 1 ulp away, not a semantic error.
  const double exact = 0x1.fefp127;
  const ElementCheck c = check_element(Format::bf16, kInf, exact_value(Format::bf16, exact), true, 1.0, kHalfUlp);
  EXPECT_EQ(c.semantics, Semantics::agree);
  EXPECT_TRUE(c.numeric);
  EXPECT_NEAR(c.ulp_error, (0x1p128 - exact) / 0x1p120, 1e-9);
  EXPECT_FALSE(c.within_budget);
}

TEST(CheckElement_bf16, OverflowingExactValueAndInfinityAgree) {
  const ElementCheck c = check_element(Format::bf16, kInf, exact_value(Format::bf16, 0x1p200), true, 1.0, kHalfUlp);
  EXPECT_TRUE(c.correctly_rounded);
  EXPECT_TRUE(c.passes());
}

TEST(CheckElement_fp32, SignedZerosAreTheSamePoint) {
  const ElementCheck c = check_element(Format::fp32, 0.0, exact_value(Format::fp32, -0.0), true, 1.0, kHalfUlp);
  EXPECT_TRUE(c.correctly_rounded);
  EXPECT_EQ(c.ulp_error, 0.0);
}

}  // namespace
}  // namespace ulpcheck
