// The error metric and the pass rule, by hand-worked cases. Each expectation carries the
// arithmetic that gives its number; all inputs are dyadic, so all results are exact
// unless a test says otherwise.
//
// ulp(r) = 2^(max(floor(log2 |r|), emin) - p + 1) at the exact value r, and
// ulp_error(got, r) = |got - r| / ulp(r).
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "ulpcheck/reference/budget.hpp"
#include "ulpcheck/reference/double_double.hpp"
#include "ulpcheck/reference/format.hpp"
#include "ulpcheck/reference/ulp.hpp"

namespace ulpcheck {
namespace {

/// ulp_of(f, exact) == want exactly, with hex floats on failure.
::testing::AssertionResult UlpIs(Format f, DoubleDouble exact, double want) {
  const double got = ulp_of(f, exact);
  if (got == want) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << fmt::format("ulp_of({}, {{{:a}, {:a}}}) = {:a}, want {:a}",
                                                      name(f), exact.hi, exact.lo, got, want);
}

/// ulp_error(f, got, exact) == want exactly.
::testing::AssertionResult ErrorIs(Format f, double got, DoubleDouble exact, double want) {
  const double e = ulp_error(f, got, exact);
  if (e == want) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << fmt::format("ulp_error({}, got {:a}, exact {{{:a}, {:a}}}) = {:a} ({}), want {:a} ({})",
                        name(f), got, exact.hi, exact.lo, e, e, want, want);
}

DoubleDouble dd(double hi, double lo = 0.0) { return DoubleDouble{hi, lo}; }

// ---------------------------------------------------------------------------------------
// ulp_of

TEST(UlpOf, AtOneIsTwoToOneMinusPrecision) {
  EXPECT_TRUE(UlpIs(Format::bf16, dd(1.0), 0x1p-7));   // p = 8:  2^(0 - 8 + 1)
  EXPECT_TRUE(UlpIs(Format::fp16, dd(1.0), 0x1p-10));  // p = 11: 2^(0 - 11 + 1)
  EXPECT_TRUE(UlpIs(Format::fp32, dd(1.0), 0x1p-23));  // p = 24: 2^(0 - 24 + 1)
  // The sign does not matter, and the whole binade [1, 2) shares it.
  EXPECT_TRUE(UlpIs(Format::bf16, dd(-1.0), 0x1p-7));
  EXPECT_TRUE(UlpIs(Format::fp32, dd(0x1.fffffffffffffp+0), 0x1p-23));  // just below 2
  EXPECT_TRUE(UlpIs(Format::fp32, dd(2.0), 0x1p-22));                   // next binade: doubles
  EXPECT_TRUE(UlpIs(Format::fp16, dd(1024.0), 1.0));                    // 2^(10 - 10)
}

TEST(UlpOf, JustBelowAPowerOfTwoIsInTheBinadeBelow) {
  // {2^k, -tiny} is 2^k - tiny < 2^k: floor(log2) = k - 1 and the ulp halves.
  EXPECT_TRUE(UlpIs(Format::bf16, dd(1.0, -0x1p-80), 0x1p-8));    // 2^(-1 - 7)
  EXPECT_TRUE(UlpIs(Format::fp16, dd(1.0, -0x1p-80), 0x1p-11));   // 2^(-1 - 10)
  EXPECT_TRUE(UlpIs(Format::fp32, dd(1.0, -0x1p-80), 0x1p-24));   // 2^(-1 - 23)
  EXPECT_TRUE(UlpIs(Format::fp32, dd(0x1p+20, -0x1p-40), 0x1p-4));  // 2^(19 - 23)
  EXPECT_TRUE(UlpIs(Format::bf16, dd(-1.0, 0x1p-80), 0x1p-8));    // |-1 + tiny| < 1 too
  // Just above, or exactly at, the power of two stays in its binade.
  EXPECT_TRUE(UlpIs(Format::fp32, dd(1.0, 0x1p-80), 0x1p-23));
  EXPECT_TRUE(UlpIs(Format::fp32, dd(-1.0, -0x1p-80), 0x1p-23));
  // A non-power-of-two hi is not moved by a small lo of the other sign.
  EXPECT_TRUE(UlpIs(Format::fp32, dd(0x1.8p+0, -0x1p-80), 0x1p-23));
}

TEST(UlpOf, ZeroGivesTheSmallestSubnormal) {
  EXPECT_TRUE(UlpIs(Format::bf16, dd(0.0), 0x1p-133));  // 2^(-126 - 8 + 1)
  EXPECT_TRUE(UlpIs(Format::fp16, dd(0.0), 0x1p-24));   // 2^(-14 - 11 + 1)
  EXPECT_TRUE(UlpIs(Format::fp32, dd(0.0), 0x1p-149));  // 2^(-126 - 24 + 1)
  EXPECT_TRUE(UlpIs(Format::fp32, dd(-0.0), 0x1p-149));
}

TEST(UlpOf, SubnormalRegionHasTheSmallestSubnormalAsUlp) {
  // Below 2^emin the exponent is clamped at emin: one ulp for the whole region.
  EXPECT_TRUE(UlpIs(Format::bf16, dd(0x1.fcp-127), 0x1p-133));   // bf16 largest subnormal
  EXPECT_TRUE(UlpIs(Format::bf16, dd(0x1p-133), 0x1p-133));      // bf16 min subnormal
  EXPECT_TRUE(UlpIs(Format::bf16, dd(0x1p-200), 0x1p-133));      // far below it
  EXPECT_TRUE(UlpIs(Format::fp16, dd(0x1p-20), 0x1p-24));        // fp16 subnormal 16 * 2^-24
  EXPECT_TRUE(UlpIs(Format::fp16, dd(0x1.ff8p-15), 0x1p-24));    // fp16 largest subnormal
  EXPECT_TRUE(UlpIs(Format::fp32, dd(0x1p-140), 0x1p-149));      // fp32 subnormal 2^9 * 2^-149
  EXPECT_TRUE(UlpIs(Format::fp32, dd(-0x1.fffffcp-127), 0x1p-149));
  EXPECT_TRUE(UlpIs(Format::fp32, dd(0x1p-1074), 0x1p-149));     // double min subnormal
  // The smallest normal binade has the same ulp: 2^(emin - p + 1) on both sides of 2^emin.
  EXPECT_TRUE(UlpIs(Format::fp16, dd(0x1p-14), 0x1p-24));
  EXPECT_TRUE(UlpIs(Format::fp32, dd(0x1p-126, -0x1p-200), 0x1p-149));
  EXPECT_TRUE(UlpIs(Format::fp32, dd(0x1p-125), 0x1p-148));      // one binade up: doubles
}

// ---------------------------------------------------------------------------------------
// ulp_error

TEST(UlpError, CorrectlyRoundedIsAtMostHalfAndTheNextValueUpIsMore) {
  // exact = 1 + 2^-9 = 1 + 0.25 ulp(bf16):
  //   got 1        -> 2^-9 / 2^-7 = 0.25, correctly rounded;
  //   got 1 + 2^-7 -> (2^-7 - 2^-9) / 2^-7 = 0.75.
  EXPECT_TRUE(ErrorIs(Format::bf16, 1.0, dd(0x1.008p+0), 0.25));
  EXPECT_TRUE(ErrorIs(Format::bf16, 0x1.02p+0, dd(0x1.008p+0), 0.75));
  // exact = 1 + 2^-8, a tie: both neighbours are 2^-8 / 2^-7 = 0.5 away, both <= 0.5.
  EXPECT_TRUE(ErrorIs(Format::bf16, 1.0, dd(0x1.01p+0), 0.5));
  EXPECT_TRUE(ErrorIs(Format::bf16, 0x1.02p+0, dd(0x1.01p+0), 0.5));
  // exact = 1 + 2^-24 + 2^-60 (fp32, just past the tie): got 1 + 2^-23 is the correct one,
  //   (2^-24 - 2^-60) / 2^-23 = 0.5 - 2^-37 <= 0.5; got 1 is 0.5 + 2^-37 > 0.5.
  EXPECT_TRUE(ErrorIs(Format::fp32, 0x1.000002p+0, dd(0x1.000001p+0, 0x1p-60), 0.5 - 0x1p-37));
  EXPECT_TRUE(ErrorIs(Format::fp32, 1.0, dd(0x1.000001p+0, 0x1p-60), 0.5 + 0x1p-37));
  EXPECT_LE(ulp_error(Format::fp32, round_to(Format::fp32, 0x1.0000010000001p+0),
                      dd(0x1.0000010000001p+0)), 0.5);
  EXPECT_GT(ulp_error(Format::fp32, 1.0, dd(0x1.0000010000001p+0)), 0.5);
}

TEST(UlpError, OneUlpAwayIsExactlyOne) {
  // exact = 1, got = 1 + ulp: 2^-p+1 / 2^-p+1 = 1.
  EXPECT_TRUE(ErrorIs(Format::bf16, 0x1.02p+0, dd(1.0), 1.0));
  EXPECT_TRUE(ErrorIs(Format::fp16, 0x1.004p+0, dd(1.0), 1.0));
  EXPECT_TRUE(ErrorIs(Format::fp32, 0x1.000002p+0, dd(1.0), 1.0));
  // exact = 1.5 * 2^-14 (fp16 normal), got = exact + 2^-24 ulp: 1.
  EXPECT_TRUE(ErrorIs(Format::fp16, 0x1.804p-14, dd(0x1.8p-14), 1.0));
  // Subnormal: exact = 3 * 2^-149, got = 2 * 2^-149: 2^-149 / 2^-149 = 1.
  EXPECT_TRUE(ErrorIs(Format::fp32, 0x1p-148, dd(0x1.8p-148), 1.0));
  // Negative values: |-1 - 2^-23 - (-1)| / 2^-23 = 1.
  EXPECT_TRUE(ErrorIs(Format::fp32, -0x1.000002p+0, dd(-1.0), 1.0));
  // The next value DOWN from exact = 1 is 1 - 2^-24 (fp32), half an ulp of 1 away:
  // ulp is that of the exact value, 2^-23, so the error is 2^-24 / 2^-23 = 0.5.
  EXPECT_TRUE(ErrorIs(Format::fp32, 0x1.fffffep-1, dd(1.0), 0.5));
}

TEST(UlpError, AcrossABinadeBoundaryUsesTheUlpOfTheLowerBinade) {
  // got = 1, exact = 1 - 2^-10 in [1/2, 1): bf16 ulp there is 2^-8, so
  //   2^-10 / 2^-8 = 0.25 (with the ulp of 1, 2^-7, it would wrongly be 0.125).
  EXPECT_TRUE(ErrorIs(Format::bf16, 1.0, dd(0x1.ff8p-1), 0.25));
  // Same with the exact value given as {2^k, -tiny}: exact = 1 - 2^-30 (fp32, ulp 2^-24):
  //   2^-30 / 2^-24 = 2^-6.
  EXPECT_TRUE(ErrorIs(Format::fp32, 1.0, dd(1.0, -0x1p-30), 0x1p-6));
  // got = 2^16 = 65536 is inf in fp16, but as a double it is still 2^16 above an exact
  // 65504 + 8: ulp(65512) = 2^(15 - 10) = 32, (65536 - 65512) / 32 = 0.75.
  EXPECT_TRUE(ErrorIs(Format::fp16, 65536.0, dd(65512.0), 0.75));
  // got = 2^-14 (fp16 min normal), exact = 2^-14 - 2^-26 (subnormal, ulp 2^-24):
  //   2^-26 / 2^-24 = 0.25: the same ulp on both sides of 2^emin.
  EXPECT_TRUE(ErrorIs(Format::fp16, 0x1p-14, dd(0x1p-14, -0x1p-26), 0.25));
}

TEST(UlpError, PlusZeroAndMinusZeroAreTheSamePoint) {
  for (Format f : all_formats()) {
    EXPECT_TRUE(ErrorIs(f, -0.0, dd(0.0), 0.0)) << name(f);
    EXPECT_TRUE(ErrorIs(f, 0.0, dd(-0.0), 0.0)) << name(f);
    EXPECT_TRUE(ErrorIs(f, -0.0, dd(-0.0), 0.0)) << name(f);
  }
  // Against exact 0 the ulp is the smallest subnormal: got = 2^-149 is 1 ulp (fp32),
  // got = 2^-133 is 2^16 ulp (fp32) but 1 ulp (bf16).
  EXPECT_TRUE(ErrorIs(Format::fp32, 0x1p-149, dd(0.0), 1.0));
  EXPECT_TRUE(ErrorIs(Format::fp32, -0x1p-133, dd(0.0), 0x1p+16));
  EXPECT_TRUE(ErrorIs(Format::bf16, -0x1p-133, dd(-0.0), 1.0));
}

TEST(UlpError, IsMeasuredAgainstTheExactValueNotTheRoundedOne) {
  // exact = 1 + 0.4 ulp (bf16 ulp 2^-7); it rounds to 1, but the error of got = 1 is 0.4,
  // not 0, and the error of got = 1 + 2^-7 is 0.6, not 1. 0.4 * 2^-7 is not dyadic, so
  // these hold to double rounding, not exactly.
  const double exact = 1.0 + 0.4 * 0x1p-7;
  EXPECT_NEAR(ulp_error(Format::bf16, 1.0, dd(exact)), 0.4, 1e-12);
  EXPECT_NEAR(ulp_error(Format::bf16, 0x1.02p+0, dd(exact)), 0.6, 1e-12);
  // The dyadic version: exact = 1 + 3/8 ulp (fp16): 0.375 and 0.625, exactly.
  EXPECT_TRUE(ErrorIs(Format::fp16, 1.0, dd(1.0 + 0.375 * 0x1p-10), 0.375));
  EXPECT_TRUE(ErrorIs(Format::fp16, 0x1.004p+0, dd(1.0 + 0.375 * 0x1p-10), 0.625));
  // The low part counts: exact = {1, 2^-60}, got = 1 (fp32): 2^-60 / 2^-23 = 2^-37, not 0.
  EXPECT_TRUE(ErrorIs(Format::fp32, 1.0, dd(1.0, 0x1p-60), 0x1p-37));
  EXPECT_GT(ulp_error(Format::fp32, 1.0, dd(1.0, 0x1p-60)), 0.0);
}

// ---------------------------------------------------------------------------------------
// DoubleDouble helpers that the metric rests on

TEST(DoubleDouble, TwoSumIsExactAndAbsDifferenceUsesTheLowPart) {
  // 1 + 2^-60 does not fit a double: the sum is 1 and the error term 2^-60, exactly.
  const DoubleDouble s = two_sum(1.0, 0x1p-60);
  EXPECT_EQ(s.hi, 1.0);
  EXPECT_EQ(s.lo, 0x1p-60);
  // |1 - {1, 2^-60}| = 2^-60; |1 + 2^-52 - {1, 2^-60}| = 2^-52 - 2^-60.
  EXPECT_EQ(abs_difference(1.0, dd(1.0, 0x1p-60)), 0x1p-60);
  EXPECT_EQ(abs_difference(0x1.0000000000001p+0, dd(1.0, 0x1p-60)), 0x1p-52 - 0x1p-60);
  EXPECT_EQ(abs_difference(-1.0, dd(-1.0, -0x1p-60)), 0x1p-60);
  EXPECT_TRUE(DoubleDouble::of(2.0).is_finite());
  EXPECT_EQ(DoubleDouble::of(2.0).lo, 0.0);
  EXPECT_FALSE(dd(HUGE_VAL).is_finite());
  EXPECT_TRUE(dd(std::nan("")).is_nan());
}

// ---------------------------------------------------------------------------------------
// Budget

TEST(Budget, PassesWithinTheUlpBudget) {
  const Budget b{.max_ulp = 1.0, .abs_floor = 0x1p-20};
  EXPECT_TRUE(within_budget(0.5, 1.0, 1.0, b));   // 0.5 ulp <= 1, whatever the absolute error
  EXPECT_TRUE(within_budget(1.0, 1.0, 1.0, b));   // the bound itself passes (<=)
  EXPECT_FALSE(within_budget(1.0 + 0x1p-52, 1.0, 1.0, b));
  // The default budget is correct rounding, no floor.
  const Budget cr{};
  EXPECT_EQ(cr.max_ulp, 0.5);
  EXPECT_EQ(cr.abs_floor, 0.0);
  EXPECT_TRUE(within_budget(0.5, 0x1p-30, 1.0, cr));
  EXPECT_FALSE(within_budget(0.5 + 0x1p-52, 0x1p-30, 1.0, cr));
}

TEST(Budget, PassesOnTheAbsoluteFloor) {
  // abs_floor = 2^-20, scale 1: 5 ulp fails the ulp rule but passes while
  // abs_error <= 2^-20.
  const Budget b{.max_ulp = 1.0, .abs_floor = 0x1p-20};
  EXPECT_TRUE(within_budget(5.0, 0x1p-21, 1.0, b));   // 2^-21 <= 2^-20
  EXPECT_TRUE(within_budget(5.0, 0x1p-20, 1.0, b));   // the floor itself passes (<=)
  EXPECT_FALSE(within_budget(5.0, 0x1.0000000000001p-20, 1.0, b));
  EXPECT_FALSE(within_budget(5.0, 0x1p-19, 1.0, b));  // 2^-19 > 2^-20: fails both rules
}

TEST(Budget, FloorScaleMultipliesTheFloor) {
  const Budget b{.max_ulp = 1.0, .abs_floor = 0x1p-20};
  // scale 4: floor 2^-20 * 4 = 2^-18, so 2^-19 now passes.
  EXPECT_TRUE(within_budget(5.0, 0x1p-19, 4.0, b));
  EXPECT_FALSE(within_budget(5.0, 0x1p-17, 4.0, b));  // 2^-17 > 2^-18
  // scale 1/4: floor 2^-22, so 2^-21 now fails.
  EXPECT_FALSE(within_budget(5.0, 0x1p-21, 0.25, b));
  EXPECT_TRUE(within_budget(5.0, 0x1p-22, 0.25, b));
  // scale 0 (act(g) * 0): no floor left, only the ulp rule.
  EXPECT_FALSE(within_budget(5.0, 0x1p-60, 0.0, b));
  EXPECT_TRUE(within_budget(0.5, 0x1p-60, 0.0, b));
}

TEST(Budget, InFloorRegionIsStrictlyBelowTheScaledFloor) {
  const Budget b{.max_ulp = 1.0, .abs_floor = 0x1p-20};
  EXPECT_TRUE(in_floor_region(0x1p-21, 1.0, b));   // 2^-21 < 2^-20
  EXPECT_TRUE(in_floor_region(0.0, 1.0, b));
  EXPECT_FALSE(in_floor_region(0x1p-20, 1.0, b));  // not strictly below
  EXPECT_FALSE(in_floor_region(0x1p-19, 1.0, b));
  EXPECT_TRUE(in_floor_region(0x1p-19, 4.0, b));   // 2^-19 < 2^-20 * 4
  EXPECT_FALSE(in_floor_region(0x1p-21, 0.25, b)); // 2^-21 >= 2^-20 / 4 = 2^-22
  // Without a floor nothing is in the region, not even exact zeros.
  EXPECT_FALSE(in_floor_region(0.0, 1.0, Budget{}));
}

}  // namespace
}  // namespace ulpcheck
