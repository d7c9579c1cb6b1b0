// Exact sums of products (reference/exact_sum.hpp) on hand cases whose answers are known:
// cancellation that a floating-point sum loses, a product wider than a double, rounding
// ties that a term far below them must break, and factors outside the range where products
// are split into doubles.
#include "ulpcheck/reference/exact_sum.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

namespace ulpcheck {
namespace {

TEST(ExactDot, CancellationLeavesTheSmallTerm) {
  // 2^60 + 1 - 2^60: any double sum in this order gives 0.
  const std::vector<double> a{0x1p60, 1.0, -0x1p60}, b{1.0, 1.0, 1.0};
  const ExactDot s = exact_dot(Format::fp32, a, b);
  EXPECT_EQ(s.value.value.hi, 1.0);
  EXPECT_EQ(s.value.value.lo, 0.0);
  EXPECT_EQ(s.value.rounded, 1.0);
  EXPECT_EQ(s.scale, 0x1p61 + 1.0);
}

TEST(ExactDot, ProductWiderThanADoubleIsKept) {
  // (2^30 + 1)(2^30 - 1) = 2^60 - 1 needs 60 bits: hi = 2^60, lo = -1.
  const std::vector<double> a{0x1p30 + 1.0}, b{0x1p30 - 1.0};
  const ExactDot s = exact_dot(Format::fp32, a, b);
  EXPECT_EQ(s.value.value.hi, 0x1p60);
  EXPECT_EQ(s.value.value.lo, -1.0);
  EXPECT_EQ(s.value.rounded, 0x1p60);
}

TEST(ExactDot, TieRoundsToEven_bf16) {
  // 1 + 2^-8 lies halfway between the bf16 values 1 and 1 + 2^-7: to even, 1.
  const std::vector<double> a{1.0, 0x1p-4}, b{1.0, 0x1p-4};
  const ExactDot s = exact_dot(Format::bf16, a, b);
  EXPECT_EQ(s.value.value.hi, 1.0 + 0x1p-8);
  EXPECT_EQ(s.value.rounded, 1.0);
}

TEST(ExactDot, TermFarBelowATieBreaksIt_bf16) {
  // 1 + 2^-8 + 2^-60: a double sum drops 2^-60 and rounds the tie down; the exact sum is
  // above the midpoint, so 1 + 2^-7.
  const std::vector<double> a{1.0, 0x1p-4, 0x1p-30}, b{1.0, 0x1p-4, 0x1p-30};
  const ExactDot s = exact_dot(Format::bf16, a, b);
  EXPECT_EQ(s.value.value.hi, 1.0 + 0x1p-8);
  EXPECT_EQ(s.value.value.lo, 0x1p-60);
  EXPECT_EQ(s.value.rounded, 1.0 + 0x1p-7);
  // The same below the midpoint: down to 1.
  const std::vector<double> c{1.0, 0x1p-4, -0x1p-30};
  EXPECT_EQ(exact_dot(Format::bf16, c, b).value.rounded, 1.0);
}

TEST(ExactSumOfProducts, DoubleDoubleFactorsAreMultipliedExactly) {
  // (1 + 2^-60) * (1 + 2^-52) * 3 = 3 + 3 2^-52 + 3 2^-60 + 3 2^-112; minus 3 and 3 2^-52
  // (as second and third terms) leaves 3 2^-60 + 3 2^-112, 54 bits: hi is it rounded to
  // even, 3 2^-60 + 2^-110, and lo the rest, -2^-112.
  const std::vector<DoubleDouble> a{{1.0, 0x1p-60}, {-3.0, 0.0}, {-3.0, 0.0}};
  const std::vector<DoubleDouble> b{{1.0 + 0x1p-52, 0.0}, {1.0, 0.0}, {0x1p-52, 0.0}};
  const std::vector<DoubleDouble> c{{3.0, 0.0}, {1.0, 0.0}, {1.0, 0.0}};
  const ExactDot s = exact_sum_of_products(Format::fp32, a, b, c);
  EXPECT_EQ(s.value.value.hi, 3 * 0x1p-60 + 0x1p-110);
  EXPECT_EQ(s.value.value.lo, -0x1p-112);
}

TEST(ExactSumOfProducts, FactorsOutsideTheSplitRangeGoThroughMpfr) {
  // 2^400 * 2^-400 * 3 and (2^-700 + 2^-760) * 2^700: outside [2^-300, 2^300].
  const std::vector<DoubleDouble> a{{0x1p400, 0.0}, {0x1p-700, 0x1p-760}}, b{{0x1p-400, 0.0}, {0x1p700, 0.0}};
  const std::vector<DoubleDouble> c{{3.0, 0.0}, {1.0, 0.0}};
  const ExactDot s = exact_sum_of_products(Format::fp32, a, b, c);
  EXPECT_EQ(s.value.value.hi, 4.0);
  EXPECT_EQ(s.value.value.lo, 0x1p-60);
}

TEST(ExactSumOfProducts, RefusesMismatchedLengthsAndNonFiniteInputs) {
  const std::vector<DoubleDouble> two{{1.0, 0.0}, {1.0, 0.0}}, one{{1.0, 0.0}}, inf{{HUGE_VAL, 0.0}};
  EXPECT_THROW(exact_sum_of_products(Format::fp32, two, one), std::invalid_argument);
  EXPECT_THROW(exact_sum_of_products(Format::fp32, one, inf), std::invalid_argument);
  const std::vector<double> nan{NAN}, x{1.0};
  EXPECT_THROW(exact_dot(Format::bf16, nan, x), std::invalid_argument);
}

TEST(RoundDoubleDouble, LowPartDecidesAMidpoint_bf16) {
  EXPECT_EQ(round_double_double(Format::bf16, {1.0 + 0x1p-8, 0.0}), 1.0);  // tie to even
  EXPECT_EQ(round_double_double(Format::bf16, {1.0 + 0x1p-8, 0x1p-70}), 1.0 + 0x1p-7);
  EXPECT_EQ(round_double_double(Format::bf16, {1.0 + 0x1p-8, -0x1p-70}), 1.0);
  EXPECT_EQ(round_double_double(Format::bf16, {1.0 + 3 * 0x1p-8, -0x1p-70}), 1.0 + 0x1p-7);  // odd side: down
  EXPECT_EQ(round_double_double(Format::bf16, {1.0 + 3 * 0x1p-8, 0.0}), 1.0 + 0x1p-6);       // tie to even: up
}

}  // namespace
}  // namespace ulpcheck
