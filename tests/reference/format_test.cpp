// The output formats as a specification: bf16, fp16 and fp32 rounding from double and from
// MPFR (round to nearest, ties to even), their boundaries, and the bit encoding.
//
// Every boundary is a hex float literal with what it is beside it. Rounding results are
// compared bit for bit, so -0 and +0 are different answers here.
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <mpfr.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "ulpcheck/reference/format.hpp"
#include "ulpcheck/reference/mpfr_rounding.hpp"

namespace ulpcheck {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// ---------------------------------------------------------------------------------------
// Helpers

/// Bit equality of doubles (so -0 != +0), except that any NaN equals any NaN.
::testing::AssertionResult SameDouble(double got, double want) {
  if (std::bit_cast<std::uint64_t>(got) == std::bit_cast<std::uint64_t>(want) ||
      (std::isnan(got) && std::isnan(want)))
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << fmt::format("got {:a}, want {:a}", got, want);
}

/// round_to(f, x) is `want`, bit for bit.
::testing::AssertionResult RoundsTo(Format f, double x, double want) {
  const double got = round_to(f, x);
  if (SameDouble(got, want)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << fmt::format("round_to({}, {:a}) = {:a}, want {:a}", name(f), x, got, want);
}

/// encode(f, x) is `want`.
::testing::AssertionResult EncodesTo(Format f, double x, std::uint32_t want) {
  const std::uint32_t got = encode(f, x);
  if (got == want) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << fmt::format("encode({}, {:a}) = {:#x}, want {:#x}", name(f), x, got, want);
}

/// Exponent field all ones and a non-zero mantissa.
bool is_nan_pattern(Format f, std::uint32_t bits) {
  const FormatInfo& fi = info(f);
  const int mant_bits = fi.precision - 1;
  const int exp_bits = fi.storage_bits - fi.precision;
  const std::uint32_t mant = bits & ((1u << mant_bits) - 1);
  const std::uint32_t exp_field = (bits >> mant_bits) & ((1u << exp_bits) - 1);
  return exp_field == (1u << exp_bits) - 1 && mant != 0;
}

/// The shared checks on signed zeros, NaN and infinities, for any format whose sign bit is
/// `sign` and whose +inf pattern is `inf_bits`.
void expect_special_values(Format f, std::uint32_t sign, std::uint32_t inf_bits) {
  // Signed zeros are kept by rounding and by the encoding.
  EXPECT_TRUE(RoundsTo(f, 0.0, 0.0));
  EXPECT_TRUE(RoundsTo(f, -0.0, -0.0));
  EXPECT_TRUE(std::signbit(round_to(f, -0.0)));
  EXPECT_TRUE(EncodesTo(f, 0.0, 0u));
  EXPECT_TRUE(EncodesTo(f, -0.0, sign));
  // NaN stays NaN and encodes to a NaN pattern (of either sign).
  EXPECT_TRUE(std::isnan(round_to(f, kNaN)));
  EXPECT_TRUE(std::isnan(round_to(f, -kNaN)));
  EXPECT_TRUE(is_nan_pattern(f, encode(f, kNaN))) << fmt::format("{:#x}", encode(f, kNaN));
  EXPECT_TRUE(std::isnan(decode(f, encode(f, kNaN))));
  // Infinities are fixed points of rounding; they encode to exponent all ones, mantissa 0.
  EXPECT_TRUE(RoundsTo(f, kInf, kInf));
  EXPECT_TRUE(RoundsTo(f, -kInf, -kInf));
  EXPECT_TRUE(EncodesTo(f, kInf, inf_bits));
  EXPECT_TRUE(EncodesTo(f, -kInf, sign | inf_bits));
  EXPECT_TRUE(SameDouble(decode(f, inf_bits), kInf));
  EXPECT_TRUE(SameDouble(decode(f, sign | inf_bits), -kInf));
}

// ---------------------------------------------------------------------------------------
// Format parameters, names and the encoding's error path

TEST(Format, InfoGivesTheIeeeParameters) {
  EXPECT_EQ(info(Format::bf16).storage_bits, 16);
  EXPECT_EQ(info(Format::bf16).precision, 8);
  EXPECT_EQ(info(Format::bf16).emin, -126);
  EXPECT_EQ(info(Format::bf16).emax, 127);
  EXPECT_EQ(info(Format::fp16).storage_bits, 16);
  EXPECT_EQ(info(Format::fp16).precision, 11);
  EXPECT_EQ(info(Format::fp16).emin, -14);
  EXPECT_EQ(info(Format::fp16).emax, 15);
  EXPECT_EQ(info(Format::fp32).storage_bits, 32);
  EXPECT_EQ(info(Format::fp32).precision, 24);
  EXPECT_EQ(info(Format::fp32).emin, -126);
  EXPECT_EQ(info(Format::fp32).emax, 127);
}

TEST(Format, ParseFormatInvertsName) {
  ASSERT_EQ(all_formats().size(), 3u);
  EXPECT_EQ(all_formats()[0], Format::bf16);
  EXPECT_EQ(all_formats()[1], Format::fp16);
  EXPECT_EQ(all_formats()[2], Format::fp32);
  for (Format f : all_formats()) {
    EXPECT_EQ(parse_format(name(f)), f) << name(f);
    EXPECT_EQ(info(f).name, name(f));
  }
  EXPECT_EQ(name(Format::bf16), "bf16");
  EXPECT_EQ(name(Format::fp16), "fp16");
  EXPECT_EQ(name(Format::fp32), "fp32");
  EXPECT_EQ(parse_format(""), std::nullopt);
  EXPECT_EQ(parse_format("fp64"), std::nullopt);
  EXPECT_EQ(parse_format("BF16"), std::nullopt);
  EXPECT_EQ(parse_format("bf16 "), std::nullopt);
}

TEST(Format, EncodeThrowsOnValuesNotInTheFormat) {
  EXPECT_THROW(encode(Format::bf16, 0x1.01p+0), std::invalid_argument);   // bf16 tie 1 + 2^-8
  EXPECT_THROW(encode(Format::bf16, 0x1p-134), std::invalid_argument);    // half bf16 min subnormal
  EXPECT_THROW(encode(Format::bf16, 0x1p+128), std::invalid_argument);    // finite, above bf16 max
  EXPECT_THROW(encode(Format::fp16, 0x1.002p+0), std::invalid_argument);  // fp16 tie 1 + 2^-11
  EXPECT_THROW(encode(Format::fp16, 0x1p-25), std::invalid_argument);     // half fp16 min subnormal
  EXPECT_THROW(encode(Format::fp16, 65536.0), std::invalid_argument);     // 2^16 > fp16 max
  EXPECT_THROW(encode(Format::fp32, 0.1), std::invalid_argument);         // 0.1 needs 53 bits
  EXPECT_THROW(encode(Format::fp32, 0x1p-150), std::invalid_argument);    // half fp32 min subnormal
  // Representable values in the same neighbourhoods do encode.
  EXPECT_NO_THROW(encode(Format::bf16, 0x1.02p+0));
  EXPECT_NO_THROW(encode(Format::fp16, 0x1.004p+0));
  EXPECT_NO_THROW(encode(Format::fp32, 0x1.99999ap-4));  // 0.1f
}

// ---------------------------------------------------------------------------------------
// bf16: p = 8, emin = -126, emax = 127; ulp(1) = 2^-7, smallest subnormal 2^-133.

TEST(Format_bf16, TiesRoundToEven) {
  // 1 + 2^-8 is halfway between 1 (mantissa 0, even) and 1 + 2^-7 (odd): down.
  EXPECT_TRUE(RoundsTo(Format::bf16, 0x1.01p+0, 0x1p+0));
  // 1 + 3*2^-8 is halfway between 1 + 2^-7 (odd) and 1 + 2^-6 (even): up.
  EXPECT_TRUE(RoundsTo(Format::bf16, 0x1.03p+0, 0x1.04p+0));
  // Same on the negative side (symmetric).
  EXPECT_TRUE(RoundsTo(Format::bf16, -0x1.01p+0, -0x1p+0));
  EXPECT_TRUE(RoundsTo(Format::bf16, -0x1.03p+0, -0x1.04p+0));
  // Off the tie by one double ulp: nearest, whatever the parity.
  EXPECT_TRUE(RoundsTo(Format::bf16, 0x1.0100000000001p+0, 0x1.02p+0));
  EXPECT_TRUE(RoundsTo(Format::bf16, 0x1.02fffffffffffp+0, 0x1.02p+0));
}

TEST(Format_bf16, SmallestSubnormalAndHalfOfIt) {
  EXPECT_TRUE(RoundsTo(Format::bf16, 0x1p-133, 0x1p-133));               // min subnormal
  EXPECT_TRUE(EncodesTo(Format::bf16, 0x1p-133, 0x0001));
  EXPECT_TRUE(RoundsTo(Format::bf16, 0x1p-134, 0.0));                    // half: tie to even 0
  EXPECT_TRUE(RoundsTo(Format::bf16, -0x1p-134, -0.0));                  // keeps the sign
  EXPECT_TRUE(RoundsTo(Format::bf16, 0x1.0000000000001p-134, 0x1p-133)); // just above half
  EXPECT_TRUE(RoundsTo(Format::bf16, 0x1.8p-133, 0x1p-132));             // 1.5 * min: tie to 2 * min
}

TEST(Format_bf16, LargestSubnormalAndSmallestNormal) {
  EXPECT_TRUE(RoundsTo(Format::bf16, 0x1.fcp-127, 0x1.fcp-127));  // largest subnormal, 127 * 2^-133
  EXPECT_TRUE(EncodesTo(Format::bf16, 0x1.fcp-127, 0x007f));
  EXPECT_TRUE(RoundsTo(Format::bf16, 0x1p-126, 0x1p-126));        // smallest normal
  EXPECT_TRUE(EncodesTo(Format::bf16, 0x1p-126, 0x0080));
  // Between them: 127.5 * 2^-133 is a tie (127 odd) and rounds up into the normal range;
  // 127.75 * 2^-133 is nearer the normal; 127.25 * 2^-133 stays subnormal.
  EXPECT_TRUE(RoundsTo(Format::bf16, 0x1.fep-127, 0x1p-126));
  EXPECT_TRUE(RoundsTo(Format::bf16, 0x1.ffp-127, 0x1p-126));
  EXPECT_TRUE(RoundsTo(Format::bf16, 0x1.fdp-127, 0x1.fcp-127));
}

TEST(Format_bf16, LargestFiniteValue) {
  EXPECT_TRUE(RoundsTo(Format::bf16, 0x1.fep127, 0x1.fep127));  // bf16 max
  EXPECT_TRUE(EncodesTo(Format::bf16, 0x1.fep127, 0x7f7f));
  EXPECT_TRUE(EncodesTo(Format::bf16, -0x1.fep127, 0xff7f));
  EXPECT_TRUE(SameDouble(decode(Format::bf16, 0x7f7f), 0x1.fep127));
}

TEST(Format_bf16, OverflowThreshold) {
  // max + half ulp = 0x1.ffp127 is a tie between max (mantissa 0x7f, odd) and 2^128: the
  // even side is 2^128, which is beyond the range, so it is inf.
  EXPECT_TRUE(RoundsTo(Format::bf16, 0x1.ffp127, kInf));               // bf16 overflow threshold
  EXPECT_TRUE(RoundsTo(Format::bf16, -0x1.ffp127, -kInf));
  EXPECT_TRUE(RoundsTo(Format::bf16, 0x1.fefffffffffffp127, 0x1.fep127));  // just below it: max
  EXPECT_TRUE(RoundsTo(Format::bf16, 0x1p+128, kInf));                 // 2^128 (finite double)
  EXPECT_TRUE(RoundsTo(Format::bf16, 0x1.fffffffffffffp+1023, kInf));  // DBL_MAX
}

TEST(Format_bf16, SignedZerosNanAndInfinities) {
  expect_special_values(Format::bf16, 0x8000, 0x7f80);
}

// ---------------------------------------------------------------------------------------
// fp16: p = 11, emin = -14, emax = 15; ulp(1) = 2^-10, smallest subnormal 2^-24.

TEST(Format_fp16, TiesRoundToEven) {
  // 1 + 2^-11 is halfway between 1 (even) and 1 + 2^-10 (odd): down.
  EXPECT_TRUE(RoundsTo(Format::fp16, 0x1.002p+0, 0x1p+0));
  // 1 + 3*2^-11 is halfway between 1 + 2^-10 (odd) and 1 + 2^-9 (even): up.
  EXPECT_TRUE(RoundsTo(Format::fp16, 0x1.006p+0, 0x1.008p+0));
  EXPECT_TRUE(RoundsTo(Format::fp16, -0x1.002p+0, -0x1p+0));
  EXPECT_TRUE(RoundsTo(Format::fp16, -0x1.006p+0, -0x1.008p+0));
  // 2049 is halfway between 2048 and 2050 (ulp 2 in [2048, 4096)): to 2048 (even).
  EXPECT_TRUE(RoundsTo(Format::fp16, 2049.0, 2048.0));
  EXPECT_TRUE(RoundsTo(Format::fp16, 2051.0, 2052.0));
  EXPECT_TRUE(RoundsTo(Format::fp16, 0x1.0020000000001p+0, 0x1.004p+0));
}

TEST(Format_fp16, SmallestSubnormalAndHalfOfIt) {
  EXPECT_TRUE(RoundsTo(Format::fp16, 0x1p-24, 0x1p-24));                // min subnormal
  EXPECT_TRUE(EncodesTo(Format::fp16, 0x1p-24, 0x0001));
  EXPECT_TRUE(RoundsTo(Format::fp16, 0x1p-25, 0.0));                    // half: tie to even 0
  EXPECT_TRUE(RoundsTo(Format::fp16, -0x1p-25, -0.0));
  EXPECT_TRUE(RoundsTo(Format::fp16, 0x1.0000000000001p-25, 0x1p-24));  // just above half
  EXPECT_TRUE(RoundsTo(Format::fp16, 0x1.8p-24, 0x1p-23));              // 1.5 * min: tie to 2 * min
}

TEST(Format_fp16, LargestSubnormalAndSmallestNormal) {
  EXPECT_TRUE(RoundsTo(Format::fp16, 0x1.ff8p-15, 0x1.ff8p-15));  // largest subnormal, 1023 * 2^-24
  EXPECT_TRUE(EncodesTo(Format::fp16, 0x1.ff8p-15, 0x03ff));
  EXPECT_TRUE(RoundsTo(Format::fp16, 0x1p-14, 0x1p-14));          // smallest normal
  EXPECT_TRUE(EncodesTo(Format::fp16, 0x1p-14, 0x0400));
  // 1023.5 * 2^-24: tie (1023 odd), rounds up into the normal range.
  EXPECT_TRUE(RoundsTo(Format::fp16, 0x1.ffcp-15, 0x1p-14));
  EXPECT_TRUE(RoundsTo(Format::fp16, 0x1.ffep-15, 0x1p-14));      // 1023.75 * 2^-24
  EXPECT_TRUE(RoundsTo(Format::fp16, 0x1.ffap-15, 0x1.ff8p-15));  // 1023.25 * 2^-24
}

TEST(Format_fp16, LargestFiniteValue) {
  EXPECT_TRUE(RoundsTo(Format::fp16, 0x1.ffcp15, 0x1.ffcp15));  // fp16 max = 65504
  EXPECT_EQ(0x1.ffcp15, 65504.0);
  EXPECT_TRUE(EncodesTo(Format::fp16, 0x1.ffcp15, 0x7bff));
  EXPECT_TRUE(EncodesTo(Format::fp16, -0x1.ffcp15, 0xfbff));
  EXPECT_TRUE(SameDouble(decode(Format::fp16, 0x7bff), 65504.0));
}

TEST(Format_fp16, OverflowThreshold) {
  // max + half ulp = 65520: a tie between 65504 (odd) and 65536 (even, out of range): inf.
  EXPECT_TRUE(RoundsTo(Format::fp16, 0x1.ffep15, kInf));                 // fp16 overflow threshold
  EXPECT_TRUE(RoundsTo(Format::fp16, -0x1.ffep15, -kInf));
  EXPECT_TRUE(RoundsTo(Format::fp16, 0x1.ffdffffffffffp15, 0x1.ffcp15));  // just below it: max
  EXPECT_TRUE(RoundsTo(Format::fp16, 0x1p+16, kInf));                    // 65536
  EXPECT_TRUE(RoundsTo(Format::fp16, 0x1p+100, kInf));
}

TEST(Format_fp16, SignedZerosNanAndInfinities) {
  expect_special_values(Format::fp16, 0x8000, 0x7c00);
}

// ---------------------------------------------------------------------------------------
// fp32: p = 24, emin = -126, emax = 127; ulp(1) = 2^-23, smallest subnormal 2^-149.

TEST(Format_fp32, TiesRoundToEven) {
  // 1 + 2^-24 is halfway between 1 (even) and 1 + 2^-23 (odd): down.
  EXPECT_TRUE(RoundsTo(Format::fp32, 0x1.000001p+0, 0x1p+0));
  // 1 + 3*2^-24 is halfway between 1 + 2^-23 (odd) and 1 + 2^-22 (even): up.
  EXPECT_TRUE(RoundsTo(Format::fp32, 0x1.000003p+0, 0x1.000004p+0));
  EXPECT_TRUE(RoundsTo(Format::fp32, -0x1.000001p+0, -0x1p+0));
  EXPECT_TRUE(RoundsTo(Format::fp32, -0x1.000003p+0, -0x1.000004p+0));
  // 2^24 + 1 is halfway between 2^24 and 2^24 + 2: to 2^24 (even).
  EXPECT_TRUE(RoundsTo(Format::fp32, 16777217.0, 16777216.0));
  EXPECT_TRUE(RoundsTo(Format::fp32, 0x1.0000010000001p+0, 0x1.000002p+0));
}

TEST(Format_fp32, SmallestSubnormalAndHalfOfIt) {
  EXPECT_TRUE(RoundsTo(Format::fp32, 0x1p-149, 0x1p-149));                // min subnormal
  EXPECT_TRUE(EncodesTo(Format::fp32, 0x1p-149, 0x00000001));
  EXPECT_TRUE(RoundsTo(Format::fp32, 0x1p-150, 0.0));                     // half: tie to even 0
  EXPECT_TRUE(RoundsTo(Format::fp32, -0x1p-150, -0.0));
  EXPECT_TRUE(RoundsTo(Format::fp32, 0x1.0000000000001p-150, 0x1p-149));  // just above half
  EXPECT_TRUE(RoundsTo(Format::fp32, 0x1.8p-149, 0x1p-148));              // 1.5 * min: tie to 2 * min
  EXPECT_TRUE(RoundsTo(Format::fp32, 0x1p-1074, 0.0));                    // double min subnormal
}

TEST(Format_fp32, LargestSubnormalAndSmallestNormal) {
  EXPECT_TRUE(RoundsTo(Format::fp32, 0x1.fffffcp-127, 0x1.fffffcp-127));  // largest subnormal
  EXPECT_TRUE(EncodesTo(Format::fp32, 0x1.fffffcp-127, 0x007fffff));
  EXPECT_TRUE(RoundsTo(Format::fp32, 0x1p-126, 0x1p-126));                // smallest normal
  EXPECT_TRUE(EncodesTo(Format::fp32, 0x1p-126, 0x00800000));
  // (2^23 - 0.5) * 2^-149: tie (2^23 - 1 odd), rounds up into the normal range.
  EXPECT_TRUE(RoundsTo(Format::fp32, 0x1.fffffep-127, 0x1p-126));
  EXPECT_TRUE(RoundsTo(Format::fp32, 0x1.ffffffp-127, 0x1p-126));         // (2^23 - 0.25) * 2^-149
  EXPECT_TRUE(RoundsTo(Format::fp32, 0x1.fffffdp-127, 0x1.fffffcp-127));  // (2^23 - 0.75) * 2^-149
}

TEST(Format_fp32, LargestFiniteValue) {
  EXPECT_TRUE(RoundsTo(Format::fp32, 0x1.fffffep127, 0x1.fffffep127));  // fp32 max = FLT_MAX
  EXPECT_EQ(0x1.fffffep127, static_cast<double>(std::numeric_limits<float>::max()));
  EXPECT_TRUE(EncodesTo(Format::fp32, 0x1.fffffep127, 0x7f7fffff));
  EXPECT_TRUE(EncodesTo(Format::fp32, -0x1.fffffep127, 0xff7fffffu));
  EXPECT_TRUE(SameDouble(decode(Format::fp32, 0x7f7fffff), 0x1.fffffep127));
}

TEST(Format_fp32, OverflowThreshold) {
  // max + half ulp = 0x1.ffffffp127: tie between max (odd) and 2^128 (even, out of range).
  EXPECT_TRUE(RoundsTo(Format::fp32, 0x1.ffffffp127, kInf));                    // fp32 overflow threshold
  EXPECT_TRUE(RoundsTo(Format::fp32, -0x1.ffffffp127, -kInf));
  EXPECT_TRUE(RoundsTo(Format::fp32, 0x1.fffffefffffffp127, 0x1.fffffep127));  // just below it: max
  EXPECT_TRUE(RoundsTo(Format::fp32, 0x1p+128, kInf));
}

TEST(Format_fp32, SignedZerosNanAndInfinities) {
  expect_special_values(Format::fp32, 0x80000000u, 0x7f800000u);
}

// ---------------------------------------------------------------------------------------
// Exhaustive and random agreement

/// decode then encode gives back every non-NaN pattern; every decoded value is a fixed
/// point of round_to; NaN patterns decode to NaN and encode to some NaN pattern.
void expect_all_16_bit_patterns_round_trip(Format f) {
  int nan_patterns = 0;
  for (std::uint32_t bits = 0; bits < 0x10000; ++bits) {
    const double v = decode(f, bits);
    if (is_nan_pattern(f, bits)) {
      ++nan_patterns;
      ASSERT_TRUE(std::isnan(v)) << fmt::format("decode({}, {:#06x}) = {:a}", name(f), bits, v);
      ASSERT_TRUE(is_nan_pattern(f, encode(f, v))) << fmt::format("{:#06x}", bits);
      continue;
    }
    ASSERT_FALSE(std::isnan(v)) << fmt::format("decode({}, {:#06x}) = {:a}", name(f), bits, v);
    ASSERT_TRUE(RoundsTo(f, v, v)) << fmt::format("pattern {:#06x}", bits);
    std::uint32_t back = 0;
    ASSERT_NO_THROW(back = encode(f, v)) << fmt::format("pattern {:#06x} = {:a}", bits, v);
    ASSERT_EQ(back, bits) << fmt::format("decode({}, {:#06x}) = {:a}, encodes to {:#06x}",
                                         name(f), bits, v, back);
  }
  // Two signs, exponent field all ones, 2^m - 1 non-zero mantissas.
  EXPECT_EQ(nan_patterns, 2 * ((1 << (info(f).precision - 1)) - 1));
}

TEST(Format_bf16, DecodeEncodeRoundTripsAll65536BitPatterns) {
  expect_all_16_bit_patterns_round_trip(Format::bf16);
}

TEST(Format_fp16, DecodeEncodeRoundTripsAll65536BitPatterns) {
  expect_all_16_bit_patterns_round_trip(Format::fp16);
}

/// A finite double from random bits; `near_fp32` keeps the exponent within [-160, 130]
/// so that most samples land in fp32's range rather than over- or underflowing.
double random_finite_double(std::mt19937_64& rng, bool near_fp32) {
  for (;;) {
    std::uint64_t bits = rng();
    if (near_fp32) {
      const std::uint64_t biased = 1023 - 160 + bits % 291;  // exponents -160 .. 130
      bits = (bits & 0x800fffffffffffffull) | (biased << 52);
    }
    const double x = std::bit_cast<double>(bits);
    if (std::isfinite(x)) return x;
  }
}

/// Boundary values of all three formats and of double, both signs, with their double
/// neighbours.
std::vector<double> boundary_cases() {
  const double base[] = {
      0.0,
      0x1p-1074,                // double min subnormal
      0x1p-1022,                // double min normal
      0x1.fffffffffffffp+1023,  // double max
      0x1p-133, 0x1p-134,       // bf16 min subnormal, half of it
      0x1.fcp-127, 0x1.fep-127, // bf16 largest subnormal, tie to min normal
      0x1.fep127, 0x1.ffp127,   // bf16 max, overflow threshold
      0x1.01p+0, 0x1.03p+0,     // bf16 ties at 1
      0x1p-24, 0x1p-25,         // fp16 min subnormal, half of it
      0x1.ff8p-15, 0x1.ffcp-15, // fp16 largest subnormal, tie to min normal
      0x1p-14,                  // fp16 min normal
      0x1.ffcp15, 0x1.ffep15,   // fp16 max, overflow threshold
      0x1.002p+0, 0x1.006p+0,   // fp16 ties at 1
      0x1p-149, 0x1p-150,       // fp32 min subnormal, half of it
      0x1.fffffcp-127,          // fp32 largest subnormal
      0x1.fffffep-127,          // fp32 tie to min normal
      0x1p-126,                 // fp32 (and bf16) min normal
      0x1.fffffep127,           // fp32 max
      0x1.ffffffp127,           // fp32 overflow threshold
      0x1p+128,                 // 2^128
      0x1.000001p+0, 0x1.000003p+0,  // fp32 ties at 1
      1.0, 0.1, 1.0 / 3.0,
  };
  std::vector<double> out;
  for (double b : base) {
    for (double v : {b, std::nextafter(b, kInf), std::nextafter(b, -kInf)}) {
      if (!std::isfinite(v)) continue;
      out.push_back(v);
      out.push_back(-v);
    }
  }
  return out;
}

TEST(Format_fp32, RoundToEqualsStaticCastToFloatOnRandomDoubles) {
  auto check = [](double x) {
    return RoundsTo(Format::fp32, x, static_cast<double>(static_cast<float>(x)));
  };
  for (double x : boundary_cases()) ASSERT_TRUE(check(x));
  std::mt19937_64 rng(20240611);
  // Half from raw random bits (mostly far outside fp32's range), half with the exponent
  // kept near fp32's range.
  for (int i = 0; i < 1'000'000; ++i) {
    const double x = random_finite_double(rng, /*near_fp32=*/i % 2 == 1);
    ASSERT_TRUE(check(x)) << "sample " << i;
  }
}

// ---------------------------------------------------------------------------------------
// Rounding from MPFR

/// An MPFR value that frees itself.
struct Mpfr {
  mpfr_t v;
  explicit Mpfr(mpfr_prec_t prec) { mpfr_init2(v, prec); }
  ~Mpfr() { mpfr_clear(v); }
  Mpfr(const Mpfr&) = delete;
  Mpfr& operator=(const Mpfr&) = delete;
};

/// round_to(f, MPFR copy of x) equals round_to(f, x), bit for bit.
::testing::AssertionResult MpfrAgrees(Format f, double x) {
  Mpfr m(53);
  mpfr_set_d(m.v, x, MPFR_RNDN);  // exact: 53 bits hold any double
  const double from_mpfr = round_to(f, m.v);
  const double from_double = round_to(f, x);
  if (SameDouble(from_mpfr, from_double)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << fmt::format("{}: round_to(mpfr {:a}) = {:a}, round_to(double) = {:a}", name(f), x,
                        from_mpfr, from_double);
}

TEST(MpfrRounding, AgreesWithRoundingFromDoubleOnSpecialValues) {
  for (Format f : all_formats()) {
    for (double x : {0.0, -0.0, kInf, -kInf, kNaN}) EXPECT_TRUE(MpfrAgrees(f, x)) << name(f);
  }
  Mpfr m(53);
  mpfr_set_zero(m.v, -1);
  EXPECT_TRUE(SameDouble(round_to(Format::bf16, m.v), -0.0));
  mpfr_set_nan(m.v);
  EXPECT_TRUE(std::isnan(round_to(Format::fp16, m.v)));
}

TEST(MpfrRounding, AgreesWithRoundingFromDoubleOnBoundariesAndRandomDoubles) {
  for (Format f : all_formats())
    for (double x : boundary_cases()) ASSERT_TRUE(MpfrAgrees(f, x));
  std::mt19937_64 rng(7);
  for (int i = 0; i < 100'000; ++i) {
    const double x = random_finite_double(rng, /*near_fp32=*/i % 2 == 1);
    for (Format f : all_formats()) ASSERT_TRUE(MpfrAgrees(f, x)) << "sample " << i;
  }
}

TEST(MpfrRounding, RoundsOnceNotTwiceThroughDouble) {
  // x = 1 + 2^-8 + 2^-70, 200 bits: above the bf16 tie 1 + 2^-8 by 2^-70 (relative < 2^-60),
  // so the correct bf16 value is the upper neighbour 1 + 2^-7.
  // Rounding to double first loses the 2^-70 (half a double ulp at 1 is 2^-53) and lands
  // exactly on the tie, which ties-to-even then sends down to 1: the wrong way.
  Mpfr x(200);
  mpfr_set_d(x.v, 0x1.01p+0, MPFR_RNDN);  // bf16 tie between 1 and 1 + 2^-7
  mpfr_add_d(x.v, x.v, 0x1p-70, MPFR_RNDN);  // exact at 200 bits
  ASSERT_EQ(mpfr_cmp_d(x.v, 0x1.01p+0), 1);
  const double via_double = mpfr_get_d(x.v, MPFR_RNDN);
  ASSERT_TRUE(SameDouble(via_double, 0x1.01p+0)) << "the double rounding lands on the tie";
  EXPECT_TRUE(SameDouble(round_to(Format::bf16, x.v), 0x1.02p+0)) << "one rounding: up";
  EXPECT_TRUE(SameDouble(round_to(Format::bf16, via_double), 0x1p+0)) << "two roundings: down";

  // Mirror: x = 1 + 3*2^-8 - 2^-70 is below the tie between 1 + 2^-7 (odd) and 1 + 2^-6
  // (even): correct is 1 + 2^-7, while via double it ties up to 1 + 2^-6.
  mpfr_set_d(x.v, 0x1.03p+0, MPFR_RNDN);
  mpfr_sub_d(x.v, x.v, 0x1p-70, MPFR_RNDN);
  EXPECT_TRUE(SameDouble(round_to(Format::bf16, x.v), 0x1.02p+0));
  EXPECT_TRUE(SameDouble(round_to(Format::bf16, mpfr_get_d(x.v, MPFR_RNDN)), 0x1.04p+0));

  // The same trap in fp16: 1 + 2^-11 + 2^-70 rounds up to 1 + 2^-10.
  mpfr_set_d(x.v, 0x1.002p+0, MPFR_RNDN);
  mpfr_add_d(x.v, x.v, 0x1p-70, MPFR_RNDN);
  EXPECT_TRUE(SameDouble(round_to(Format::fp16, x.v), 0x1.004p+0));
  EXPECT_TRUE(SameDouble(round_to(Format::fp16, mpfr_get_d(x.v, MPFR_RNDN)), 0x1p+0));

  // And at the bottom of the range: just above half the bf16 smallest subnormal rounds to
  // it, although the double nearest is exactly the half, which rounds to 0.
  mpfr_set_d(x.v, 0x1p-134, MPFR_RNDN);
  mpfr_add_d(x.v, x.v, 0x1p-200, MPFR_RNDN);
  EXPECT_TRUE(SameDouble(round_to(Format::bf16, x.v), 0x1p-133));
  EXPECT_TRUE(SameDouble(round_to(Format::bf16, mpfr_get_d(x.v, MPFR_RNDN)), 0.0));
}

// ---------------------------------------------------------------------------------------
// Typed values

TEST(TypedValue, NearestFromBitsValueAndEqualityAgreeWithTheFormatFunctions) {
  EXPECT_EQ(bf16::nearest(0x1.01p+0).bits, 0x3f80u);  // bf16 tie at 1: down to 1.0
  EXPECT_EQ(bf16::nearest(0x1.03p+0).bits, 0x3f82u);  // bf16 tie: up to 1 + 2^-6
  EXPECT_EQ(bf16::nearest(0x1.ffp127).bits, 0x7f80u); // bf16 overflow threshold: +inf
  EXPECT_EQ(bf16::nearest(-0.0).bits, 0x8000u);
  EXPECT_EQ(fp16::nearest(65520.0).bits, 0x7c00u);    // fp16 overflow threshold: +inf
  EXPECT_EQ(fp16::nearest(0x1p-24).bits, 0x0001u);    // fp16 min subnormal
  EXPECT_EQ(fp32::nearest(0.1).bits, 0x3dcccccdu);    // 0.1f
  EXPECT_EQ(fp32::nearest(0x1p-150).bits, 0x0u);      // half fp32 min subnormal: +0
  EXPECT_EQ(bf16::format, Format::bf16);
  EXPECT_EQ(fp16::format, Format::fp16);
  EXPECT_EQ(fp32::format, Format::fp32);
  EXPECT_TRUE(SameDouble(bf16::from_bits(0x3f82).value(), 0x1.04p+0));
  EXPECT_TRUE(SameDouble(fp16::from_bits(0x7bff).value(), 65504.0));
  EXPECT_EQ(bf16::nearest(0x1.03p+0), bf16::from_bits(0x3f82));
  EXPECT_NE(bf16::nearest(0x1.01p+0), bf16::from_bits(0x3f81));
}

}  // namespace
}  // namespace ulpcheck
