// measure() over whole input sets: correct kernels pass, and kernels with planted bugs of
// kinds real authors write are caught (budget breach or semantic violation).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "ulpcheck/device/host/elementwise_kernel.hpp"
#include "ulpcheck/device/math/silu.cuh"
#include "ulpcheck/device/registry.hpp"
#include "ulpcheck/properties/measure.hpp"
#include "ulpcheck/reference/registry.hpp"

namespace ulpcheck {
namespace {

using math::round_to_storage;
using math::silu_fp32;

const ElementwiseOp& op(const char* name) { return *find_op(name); }

// Planted bugs. Each is one line away from the single-rounding kernel.
template <Format F>
float clamp_after_activation(float g, float u, float L) {  // min(silu(g), L) instead of silu(min(g, L))
  return round_to_storage<F>(fminf(silu_fp32(g), L) * math::clamp_up(u, L));
}
template <Format F>
float fminf_hides_nan(float g, float u, float L) {  // fminf(NaN, L) = L
  return round_to_storage<F>(silu_fp32(fminf(g, L)) * fmaxf(fminf(u, L), -L));
}
template <Format F>
float gate_and_up_swapped(float g, float u, float L) {
  return round_to_storage<F>(silu_fp32(math::clamp_gate(u, L)) * math::clamp_up(g, L));
}
template <Format F>
float truncating_conversion(float g, float u, float L) {  // fp32 -> bf16 by dropping the low 16 bits
  const float y = silu_fp32(math::clamp_gate(g, L)) * math::clamp_up(u, L);
  std::uint32_t bits;
  std::memcpy(&bits, &y, sizeof bits);
  return math::float_from_bits(bits & 0xffff0000u);
}

template <float (*Fn)(float, float, float)>
constexpr std::array<ElementFn, 3> same_for_all() { return {Fn, Fn, Fn}; }

constexpr Budget kTight{.max_ulp = 0.501, .abs_floor = 0x1p-121};
constexpr std::array<Budget, 3> kTightAll{kTight, kTight, kTight};

const HostOpImpl kClampAfter[] = {{&op("silu_and_mul_clamp"), same_for_all<clamp_after_activation<Format::bf16>>(), kTightAll}};
const HostOpImpl kFminf[] = {{&op("silu_and_mul_clamp"), same_for_all<fminf_hides_nan<Format::bf16>>(), kTightAll}};
const HostOpImpl kSwapped[] = {{&op("silu_and_mul"), same_for_all<gate_and_up_swapped<Format::bf16>>(), kTightAll}};
const HostOpImpl kTrunc[] = {{&op("silu_and_mul"), same_for_all<truncating_conversion<Format::bf16>>(), kTightAll}};

Measurement measure_bf16(const Kernel& k, const char* o, double limit) {
  Params p = op(o).default_params();
  if (p.has("limit")) p.set("limit", limit);
  return measure(op(o), k, Format::bf16, p, random_bits(Format::bf16, 2, 100'000, 3));
}

TEST(Measure_bf16, CorrectKernelPasses) {
  const Measurement m = measure_bf16(*find_kernel("host.single_rounding"), "silu_and_mul_clamp", 10.0);
  EXPECT_TRUE(m.stats.passes());
  EXPECT_EQ(m.stats.count, 100'000);
  EXPECT_LE(m.stats.max_ulp_above_floor, 0.501);
}

TEST(Measure_bf16, SingleRoundingIsCorrectlyRoundedAlmostEverywhereOutsideTheFloor) {
  // What stays wrong are exact ties: for |g| < 2^-22 fp32 computes 1 + e^-g as exactly 2,
  // so silu(g) * u becomes g * u / 2, which can sit exactly on a bf16 midpoint while the
  // true value lies just inside it; those are off by 0.5 ulp plus the fp32 error (2^-16
  // of a bf16 ulp), never more.
  const Measurement m = measure_bf16(*find_kernel("host.single_rounding"), "silu_and_mul", 0);
  EXPECT_GT(m.stats.correctly_rounded_above_floor, m.stats.above_floor * 99 / 100);
  EXPECT_LE(m.stats.max_ulp_above_floor, 0.5 + 0x1p-14);
}

TEST(Measure_bf16, PercentilesAreOrderedAndBoundedByTheMaximum) {
  const Measurement m = measure_bf16(*find_kernel("host.double_rounding"), "silu_and_mul", 0);
  ASSERT_EQ(static_cast<std::int64_t>(m.stats.ulp_errors.size()), m.stats.numeric);
  const double p50 = m.stats.percentile(0.5), p99 = m.stats.percentile(0.99), p999 = m.stats.percentile(0.999);
  EXPECT_LE(p50, p99);
  EXPECT_LE(p99, p999);
  EXPECT_LE(p999, m.stats.max_ulp);
  EXPECT_EQ(m.stats.percentile(1.0), static_cast<float>(m.stats.max_ulp));
  EXPECT_LT(p50, 0.5);  // most double-rounded outputs are still within half an ulp
}

TEST(Measure_bf16, CatchesClampAfterActivation) {
  const HostElementwiseKernel k("planted.clamp_after_activation", "", kClampAfter);
  const Measurement m = measure_bf16(k, "silu_and_mul_clamp", 10.0);
  EXPECT_GT(m.stats.budget_breaches, 0);
}

TEST(Measure_bf16, CatchesFminfTurningNanIntoTheLimit) {
  const HostElementwiseKernel k("planted.fminf_hides_nan", "", kFminf);
  const Measurement m = measure_bf16(k, "silu_and_mul_clamp", 10.0);
  EXPECT_GT(m.stats.semantic_violations, 0);
  ASSERT_FALSE(m.stats.semantic.empty());
  EXPECT_EQ(m.stats.semantic[0].check.semantics, Semantics::nan_lost);
}

TEST(Measure_bf16, CatchesGateAndUpSwapped) {
  const HostElementwiseKernel k("planted.swapped", "", kSwapped);
  EXPECT_GT(measure_bf16(k, "silu_and_mul", 0).stats.budget_breaches, 1000);
}

TEST(Measure_bf16, CatchesRoundingTowardZero) {
  const HostElementwiseKernel k("planted.truncating", "", kTrunc);
  EXPECT_GT(measure_bf16(k, "silu_and_mul", 0).stats.budget_breaches, 1000);
}

TEST(Measure, RefusesAKernelThatDoesNotImplementTheOp) {
  const HostElementwiseKernel k("planted.swapped", "", kSwapped);
  EXPECT_THROW(measure(op("silu"), k, Format::bf16, {}, all_values(Format::bf16)), std::invalid_argument);
}

TEST(Inputs, SameSeedSameBitsOtherSeedOtherBits) {
  EXPECT_EQ(random_bits(Format::fp32, 2, 5000, 9).tensor.bits, random_bits(Format::fp32, 2, 5000, 9).tensor.bits);
  EXPECT_NE(random_bits(Format::fp32, 2, 5000, 9).tensor.bits, random_bits(Format::fp32, 2, 5000, 10).tensor.bits);
  EXPECT_THROW(random_bits(Format::bf16, 2, 1500, 1), std::invalid_argument);
}

TEST(Inputs, AllValuesCoversEveryPatternOnce) {
  const InputSet s = all_values(Format::fp16);
  std::vector<bool> seen(65536);
  for (auto b : s.tensor.bits) seen[b] = true;
  EXPECT_EQ(std::count(seen.begin(), seen.end(), true), 65536);
  EXPECT_THROW(all_values(Format::fp32), std::invalid_argument);
}

}  // namespace
}  // namespace ulpcheck
