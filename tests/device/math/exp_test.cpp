// exp_fp32, the fp32-only exponential that host and GPU kernels share: its special values,
// its range limits, and its accuracy against double exp, in fp32 ULPs of the exact value.
//
// The error of a result y for input x is |y - e| / 2^(max(floor(log2 |e|), -126) - 23) with
// e = std::exp(double(x)): the real-valued definition at the (double) exact value, not a
// bit distance. double exp is within about 1 double ulp of exp(x), i.e. 2^-29 fp32 ulp,
// far below the resolution this test needs. A result that overflows is counted exact when
// e itself rounds to inf in fp32 (e >= FLT_MAX + half an ulp), and infinitely wrong otherwise.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <random>
#include <thread>
#include <vector>

#include "ulpcheck/device/math/exp.cuh"

namespace ulpcheck::math {
namespace {

constexpr float kInfF = std::numeric_limits<float>::infinity();

/// Bit equality of floats (so -0 != +0), any NaN equal to any NaN.
::testing::AssertionResult ExpIs(float x, float want) {
  const float got = exp_fp32(x);
  if (std::bit_cast<std::uint32_t>(got) == std::bit_cast<std::uint32_t>(want) ||
      (std::isnan(got) && std::isnan(want)))
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << fmt::format("exp_fp32({:a}) = {:a}, want {:a}", x, got, want);
}

/// |got - exact| in fp32 ULPs of `exact` (see the file comment).
double fp32_ulp_error(float got, double exact) {
  if (std::isinf(got)) {
    const bool exact_overflows = std::isinf(static_cast<float>(exact));
    return (exact_overflows && std::signbit(got) == std::signbit(exact)) ? 0.0 : HUGE_VAL;
  }
  const int binade = exact == 0.0 ? -126 : std::max(std::ilogb(exact), -126);
  return std::fabs(static_cast<double>(got) - exact) / std::ldexp(1.0, binade - 23);
}

/// The worst case seen over a set of inputs.
struct MaxError {
  double ulp = 0.0;
  float at = 0.0f;
  void add(float x) {
    const double e = fp32_ulp_error(exp_fp32(x), std::exp(static_cast<double>(x)));
    if (e > ulp || std::isnan(e)) {
      ulp = std::isnan(e) ? HUGE_VAL : e;
      at = x;
    }
  }
  void merge(const MaxError& o) {
    if (o.ulp > ulp) *this = o;
  }
  std::string describe() const {
    const float got = exp_fp32(at);
    const double exact = std::exp(static_cast<double>(at));
    return fmt::format("max {:.6f} ulp at x = {:a}: exp_fp32 = {:a}, double exp = {:a}", ulp, at,
                       got, exact);
  }
};

// ---------------------------------------------------------------------------------------
// Special values and range limits

TEST(ExpFp32, SpecialValues) {
  EXPECT_TRUE(std::isnan(exp_fp32(std::numeric_limits<float>::quiet_NaN())));
  EXPECT_TRUE(std::isnan(exp_fp32(-std::numeric_limits<float>::quiet_NaN())));
  EXPECT_TRUE(ExpIs(kInfF, kInfF));    // exp(+inf) = +inf
  EXPECT_TRUE(ExpIs(-kInfF, 0.0f));    // exp(-inf) = +0
  EXPECT_TRUE(ExpIs(0.0f, 1.0f));      // exp(0) = 1
  EXPECT_TRUE(ExpIs(-0.0f, 1.0f));     // exp(-0) = 1
}

TEST(ExpFp32, OverflowLimitIsTheLastFiniteInput) {
  // 0x1.62e42ep+6 = 88.7228...: exp of it is FLT_MAX * (1 - 7.3e-6), finite.
  const float limit = 0x1.62e42ep+6f;
  const float result = exp_fp32(limit);
  EXPECT_TRUE(std::isfinite(result)) << fmt::format("exp_fp32({:a}) = {:a}", limit, result);
  EXPECT_LE(fp32_ulp_error(result, std::exp(static_cast<double>(limit))), 1.0)
      << fmt::format("exp_fp32({:a}) = {:a}", limit, result);
  // The next float up, 0x1.62e430p+6: exp of it is FLT_MAX * (1 + 3.0e-7), which is above
  // FLT_MAX + half an ulp (FLT_MAX * (1 + 3.0e-8)), so inf is the correctly rounded result.
  const float above = std::nextafter(limit, kInfF);
  ASSERT_EQ(above, 0x1.62e430p+6f);
  EXPECT_TRUE(ExpIs(above, kInfF));
  EXPECT_TRUE(ExpIs(100.0f, kInfF));
  EXPECT_TRUE(ExpIs(0x1.fffffep127f, kInfF));  // FLT_MAX
}

TEST(ExpFp32, UnderflowLimitGivesTheSmallestSubnormal) {
  // -0x1.9fe368p+6 = -103.972...: exp of it is 2^-150 * (1 + 6.7e-7), just above half the
  // smallest subnormal, so it rounds up to 0x1p-149.
  const float limit = -0x1.9fe368p+6f;
  EXPECT_TRUE(ExpIs(limit, 0x1p-149f));  // smallest subnormal
  // The next float down, -0x1.9fe36ap+6: exp of it is 2^-150 * (1 - 7.0e-6), below the
  // half, so it rounds to +0.
  const float below = std::nextafter(limit, -kInfF);
  ASSERT_EQ(below, -0x1.9fe36ap+6f);
  EXPECT_TRUE(ExpIs(below, 0.0f));
  EXPECT_TRUE(ExpIs(-200.0f, 0.0f));
  EXPECT_TRUE(ExpIs(-0x1.fffffep127f, 0.0f));  // -FLT_MAX
  // In the subnormal range results are still within an ulp (2^-149).
  MaxError worst;
  for (float x = limit; x < -0x1.5p+6f; x = std::nextafter(x, kInfF)) worst.add(x);  // to -84
  EXPECT_LE(worst.ulp, 1.0) << worst.describe();
}

// ---------------------------------------------------------------------------------------
// Accuracy

TEST(ExpFp32, WithinOneUlpOnSample) {
  MaxError worst;
  // 10^6 floats uniform in [-104, 89]: the whole finite, non-zero output range.
  std::mt19937_64 rng(0x5eed'e1f0);
  std::uniform_real_distribution<double> uniform(-104.0, 89.0);
  for (int i = 0; i < 1'000'000; ++i) worst.add(static_cast<float>(uniform(rng)));
  // Every multiple of 2^-12 in [-1, 1], where the reduction does (almost) nothing.
  for (int i = -4096; i <= 4096; ++i) worst.add(std::ldexp(static_cast<float>(i), -12));
  // The range limits and their neighbours.
  for (float x : {0x1.62e42ep+6f, 0x1.62e42cp+6f, -0x1.9fe368p+6f, -0x1.9fe366p+6f,
                  0x1p-149f, -0x1p-149f, 0x1.fffffep-1f})
    worst.add(x);
  std::printf("exp_fp32 max ulp (sample): %.6f at x = %a\n", worst.ulp, worst.at);
  EXPECT_LE(worst.ulp, 1.0) << worst.describe();
}

TEST(ExpFp32Exhaustive, AllFloatsWithinOneUlp) {
  // All 2^32 bit patterns but NaNs, split over the hardware threads.
  const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  std::vector<MaxError> worst(threads);
  std::vector<std::thread> pool;
  const std::uint64_t total = std::uint64_t{1} << 32;
  for (unsigned t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      const std::uint64_t begin = total * t / threads, end = total * (t + 1) / threads;
      MaxError local;
      for (std::uint64_t b = begin; b < end; ++b) {
        const float x = std::bit_cast<float>(static_cast<std::uint32_t>(b));
        if (std::isnan(x)) continue;
        local.add(x);
      }
      worst[t] = local;
    });
  }
  for (std::thread& th : pool) th.join();
  MaxError all;
  for (const MaxError& w : worst) all.merge(w);
  std::printf("exp_fp32 max ulp (exhaustive): %.6f at x = %a\n", all.ulp, all.at);
  EXPECT_LE(all.ulp, 1.0) << all.describe();
}

}  // namespace
}  // namespace ulpcheck::math
