// round_to_storage<F>, the float-arithmetic rounding of an fp32 value to a storage format
// that host and GPU kernels share, against the reference rounding from double
// (ulpcheck::round_to in reference/format.hpp): same value bit for bit, signs of zero
// included, NaN to NaN. fp32 is the identity.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "ulpcheck/device/math/storage.cuh"
#include "ulpcheck/reference/format.hpp"

namespace ulpcheck::math {
namespace {

float from_bits(std::uint32_t b) { return std::bit_cast<float>(b); }
std::uint32_t to_bits(float x) { return std::bit_cast<std::uint32_t>(x); }

/// round_to_storage<F>(x) is the float of round_to(F, double(x)), bit for bit.
template <Format F>
::testing::AssertionResult MatchesReference(float x) {
  const float got = round_to_storage<F>(x);
  const float want = static_cast<float>(ulpcheck::round_to(F, static_cast<double>(x)));
  if (to_bits(got) == to_bits(want) || (std::isnan(got) && std::isnan(want)))
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << fmt::format("round_to_storage<{}>({:a}) [bits {:#010x}] = {:a}, reference {:a}",
                        ulpcheck::name(F), x, to_bits(x), got, want);
}

/// 10^6 random bit patterns (NaNs and infinities included) with a fixed seed.
std::vector<float> random_floats() {
  std::mt19937_64 rng(0x5707a6e);
  std::vector<float> out;
  out.reserve(1'000'000);
  for (int i = 0; i < 1'000'000; ++i) out.push_back(from_bits(static_cast<std::uint32_t>(rng())));
  return out;
}

/// Every float whose upper 16 bits are anything and whose lower 16 bits are one of
/// 0 (a bf16 value), 0x7fff (just below a bf16 tie), 0x8000 (the tie), 0x8001 (just above)
/// and 0xffff (just below the next bf16 value).
std::vector<float> bf16_tie_neighbourhoods() {
  std::vector<float> out;
  for (std::uint32_t hi = 0; hi < 0x10000; ++hi)
    for (std::uint32_t lo : {0x0000u, 0x7fffu, 0x8000u, 0x8001u, 0xffffu})
      out.push_back(from_bits(hi << 16 | lo));
  return out;
}

/// fp16 ties sit elsewhere in a float's bits (13 dropped mantissa bits in the normal
/// range, more below 2^-14): every midpoint between adjacent finite fp16 values, which is
/// a float (12 significant bits, >= 2^-25), with its float neighbours, both signs.
std::vector<float> fp16_tie_neighbourhoods() {
  std::vector<float> out;
  for (std::uint32_t bits = 0; bits < 0x7bff; ++bits) {  // up to the one below fp16 max
    const double v = ulpcheck::decode(Format::fp16, bits);
    const double next = ulpcheck::decode(Format::fp16, bits + 1);
    const auto mid = static_cast<float>((v + next) / 2);  // exact
    for (float x : {mid, std::nextafter(mid, 0.0f), std::nextafter(mid, HUGE_VALF)}) {
      out.push_back(x);
      out.push_back(-x);
    }
  }
  // The overflow threshold 65520 (max + half ulp) and its neighbours.
  for (float x : {0x1.ffep15f, std::nextafter(0x1.ffep15f, 0.0f), std::nextafter(0x1.ffep15f, HUGE_VALF)}) {
    out.push_back(x);
    out.push_back(-x);
  }
  return out;
}

/// Named boundaries of both formats, as floats.
std::vector<float> boundaries() {
  std::vector<float> out;
  for (float b : {0.0f, 0x1p-149f,             // fp32 min subnormal
                  0x1p-134f, 0x1p-133f,        // half bf16 min subnormal, bf16 min subnormal
                  0x1.fcp-127f, 0x1.fep-127f,  // bf16 largest subnormal, tie to min normal
                  0x1p-126f,                   // bf16 min normal
                  0x1.fep127f, 0x1.ffp127f,    // bf16 max, bf16 overflow threshold
                  0x1.fffffep127f,             // FLT_MAX
                  0x1p-25f, 0x1p-24f,          // half fp16 min subnormal, fp16 min subnormal
                  0x1.ff8p-15f, 0x1.ffcp-15f,  // fp16 largest subnormal, tie to min normal
                  0x1p-14f,                    // fp16 min normal
                  0x1.ffcp15f, 0x1.ffep15f,    // fp16 max, fp16 overflow threshold
                  HUGE_VALF, NAN}) {
    for (float x : {b, std::nextafter(b, 0.0f), std::nextafter(b, HUGE_VALF)}) {
      out.push_back(x);
      out.push_back(-x);
    }
  }
  return out;
}

template <Format F>
void expect_matches_reference_on(const std::vector<float>& xs, const char* what) {
  for (float x : xs) ASSERT_TRUE(MatchesReference<F>(x)) << what;
}

TEST(RoundToStorage_bf16, MatchesReferenceRounding) {
  expect_matches_reference_on<Format::bf16>(boundaries(), "boundaries");
  expect_matches_reference_on<Format::bf16>(bf16_tie_neighbourhoods(), "bf16 tie neighbourhoods");
  expect_matches_reference_on<Format::bf16>(fp16_tie_neighbourhoods(), "fp16 tie neighbourhoods");
  expect_matches_reference_on<Format::bf16>(random_floats(), "random bit patterns");
}

TEST(RoundToStorage_fp16, MatchesReferenceRounding) {
  expect_matches_reference_on<Format::fp16>(boundaries(), "boundaries");
  expect_matches_reference_on<Format::fp16>(bf16_tie_neighbourhoods(), "bf16 tie neighbourhoods");
  expect_matches_reference_on<Format::fp16>(fp16_tie_neighbourhoods(), "fp16 tie neighbourhoods");
  expect_matches_reference_on<Format::fp16>(random_floats(), "random bit patterns");
}

TEST(RoundToStorage_bf16, HandWorkedCases) {
  EXPECT_EQ(round_to_storage<Format::bf16>(0x1.01p+0f), 1.0f);          // tie: down to even
  EXPECT_EQ(round_to_storage<Format::bf16>(0x1.03p+0f), 0x1.04p+0f);    // tie: up to even
  EXPECT_EQ(round_to_storage<Format::bf16>(0x1.ffp127f), HUGE_VALF);    // overflow threshold
  EXPECT_EQ(round_to_storage<Format::bf16>(0x1.fefffep127f), 0x1.fep127f);
  EXPECT_EQ(to_bits(round_to_storage<Format::bf16>(-0x1p-134f)), to_bits(-0.0f));  // half min sub
  EXPECT_EQ(round_to_storage<Format::bf16>(0x1.0002p-134f), 0x1p-133f);  // + 2^-149
}

TEST(RoundToStorage_fp16, HandWorkedCases) {
  EXPECT_EQ(round_to_storage<Format::fp16>(0x1.002p+0f), 1.0f);          // tie: down to even
  EXPECT_EQ(round_to_storage<Format::fp16>(0x1.006p+0f), 0x1.008p+0f);   // tie: up to even
  EXPECT_EQ(round_to_storage<Format::fp16>(65520.0f), HUGE_VALF);        // overflow threshold
  EXPECT_EQ(round_to_storage<Format::fp16>(0x1.ffdffep15f), 65504.0f);   // just below it
  EXPECT_EQ(round_to_storage<Format::fp16>(1e10f), HUGE_VALF);
  EXPECT_EQ(to_bits(round_to_storage<Format::fp16>(-0x1p-25f)), to_bits(-0.0f));  // half min sub
  EXPECT_EQ(round_to_storage<Format::fp16>(0x1.000002p-25f), 0x1p-24f);
  EXPECT_EQ(round_to_storage<Format::fp16>(0x1.ffcp-15f), 0x1p-14f);     // tie into normals
}

TEST(RoundToStorage_fp32, IsTheIdentity) {
  std::vector<float> xs = random_floats();
  const std::vector<float> b = boundaries();
  xs.insert(xs.end(), b.begin(), b.end());
  for (float x : xs) {
    const float got = round_to_storage<Format::fp32>(x);
    ASSERT_EQ(to_bits(got), to_bits(x)) << fmt::format("round_to_storage<fp32>({:a}) = {:a}", x, got);
  }
}

}  // namespace
}  // namespace ulpcheck::math
