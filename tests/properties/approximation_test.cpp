// compare_rounded and compare_outputs (properties/approximation.hpp): the figures of an op
// against the op it approximates, on hand-made answers whose figures can be checked by
// hand, then on the oracle's answers for gelu and gelu_tanh.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "ulpcheck/device/registry.hpp"
#include "ulpcheck/properties/approximation.hpp"
#include "ulpcheck/reference/registry.hpp"

namespace ulpcheck {
namespace {

constexpr double kQuietNaN = std::numeric_limits<double>::quiet_NaN();

const ElementwiseOp& op_named(const char* name) { return *find_op(name); }

/// bf16 inputs 1, 2, -1, -8 and NaN as one row: [1, 5].
InputSet five_bf16_inputs() {
  BitTensor t = BitTensor::zeros(Format::bf16, 1, 5);
  t.bits = {0x3f80, 0x4000, 0xbf80, 0xc100, 0x7fc0};
  return {t, "five bf16 inputs"};
}

/// Answers whose rounded values are bf16 values and whose exact values are chosen to make
/// the ULP figures round numbers (ulp of bf16 at 2^k is 2^(k-7)).
OracleAnswers answers(std::vector<double> rounded, std::vector<double> exact) {
  OracleAnswers a;
  for (std::size_t i = 0; i < rounded.size(); ++i) a.exact.push_back({rounded[i], DoubleDouble::of(exact[i])});
  return a;
}

TEST(Approximation_bf16, RoundedResultsDifferWhereTheirValuesOrSignsDiffer) {
  // x = 1: both round to 0.5, exact 0.5: no difference, 0 ULP.
  // x = 2: 1 against 1 + 2^-7, exact 1 + 2^-10: differ, |1 + 2^-7 - (1 + 2^-10)| / 2^-7 = 0.875.
  // x = -1: -0.25 against -0.25 - 2^-8, exact -0.25 (ulp 2^-9): differ by 2 ULP.
  // x = -8: -2^-24 against -2^-25, exact -2^-24 (ulp 2^-31): 64 ULP, below gelu's bf16
  //         floor 2^-21, so in the floor region.
  // x = NaN: both NaN: no difference and no ULP figure.
  const OracleAnswers exact = answers({0.5, 1.0, -0.25, -0x1p-24, kQuietNaN}, {0.5, 1.0 + 0x1p-10, -0.25, -0x1p-24, kQuietNaN});
  const OracleAnswers approx = answers({0.5, 1.0 + 0x1p-7, -0.25 - 0x1p-8, -0x1p-25, kQuietNaN}, {0, 0, 0, 0, kQuietNaN});
  const DifferenceStats s = compare_rounded(op_named("gelu"), Format::bf16, {}, five_bf16_inputs(), exact, approx);
  EXPECT_EQ(s.count, 5);
  EXPECT_EQ(s.differ, 3);
  EXPECT_DOUBLE_EQ(s.fraction_differ(), 0.6);
  EXPECT_EQ(s.compared, 4);
  EXPECT_EQ(s.in_floor_region, 1);
  EXPECT_EQ(s.above_floor, 3);
  EXPECT_EQ(s.differ_above_floor, 2);
  EXPECT_EQ(s.max_ulp, 64.0);
  EXPECT_EQ(s.max_ulp_above_floor, 2.0);
  ASSERT_TRUE(s.worst && s.worst_above_floor);
  EXPECT_EQ(s.worst->x0_bits, 0xc100u);
  EXPECT_EQ(s.worst->approx_result, -0x1p-25);
  EXPECT_EQ(s.worst_above_floor->x0_bits, 0xbf80u);
  EXPECT_EQ(s.worst_above_floor->col, 2);
  // Binades: negative inputs first, largest magnitude first, then positive ones upwards;
  // NaN has none.
  ASSERT_EQ(s.binades.size(), 4u);
  const int expected[][2] = {{-1, 3}, {-1, 0}, {1, 0}, {1, 1}};
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(s.binades[i].sign, expected[i][0]) << i;
    EXPECT_EQ(s.binades[i].binade, expected[i][1]) << i;
  }
  EXPECT_EQ(s.binades[0].in_floor_region, 1);
  EXPECT_EQ(s.binades[0].max_ulp, 64.0);
  EXPECT_EQ(s.binades[0].max_ulp_above_floor, 0.0);
  EXPECT_EQ(s.binades[3].differ, 1);
  EXPECT_EQ(s.binades[3].max_ulp, 0.875);
  EXPECT_EQ(s.binades[2].differ, 0);
}

TEST(Approximation_bf16, KernelOutputsDifferByBitsWithNaNsAlike) {
  // Outputs 0.5 / 0.5, 1 / 1 + 2^-7, -0.25 / -0.25, NaN / another NaN, +0 / -0: the second
  // and the last differ; the second by 2^-7 = 1 ULP of its exact value 1 + 2^-10; the last
  // has no ULP figure (its exact value, for a NaN input, is NaN).
  const OracleAnswers exact = answers({0.5, 1.0, -0.25, -0x1p-24, kQuietNaN}, {0.5, 1.0 + 0x1p-10, -0.25, -0x1p-24, kQuietNaN});
  BitTensor a = BitTensor::zeros(Format::bf16, 1, 5), b = a;
  a.bits = {0x3f00, 0x3f80, 0xbe80, 0x7fc0, 0x0000};
  b.bits = {0x3f00, 0x3f81, 0xbe80, 0xffc1, 0x8000};
  const DifferenceStats s = compare_outputs(op_named("gelu"), Format::bf16, {}, five_bf16_inputs(), exact, a, b);
  EXPECT_EQ(s.count, 5);
  EXPECT_EQ(s.differ, 2);
  EXPECT_EQ(s.compared, 3);
  EXPECT_EQ(s.max_ulp, 1.0);
  ASSERT_TRUE(s.worst);
  EXPECT_EQ(s.worst->x0_bits, 0x4000u);
  EXPECT_EQ(s.worst->result, 1.0);
  EXPECT_EQ(s.worst->approx_result, 1.0 + 0x1p-7);
}

TEST(Approximation_bf16, AKernelAgainstItselfNeverDiffers) {
  const InputSet in = all_values(Format::bf16);
  const OracleAnswers exact = evaluate_inputs(op_named("gelu"), Format::bf16, {}, in);
  const Kernel& k = *find_kernel("host.single_rounding");
  const BitTensor out = run_kernel(op_named("gelu"), k, Format::bf16, {}, in);
  const DifferenceStats s = compare_outputs(op_named("gelu"), Format::bf16, {}, in, exact, out, out);
  EXPECT_EQ(s.count, 65536);
  EXPECT_EQ(s.differ, 0);
  EXPECT_EQ(s.max_ulp, 0.0);
  EXPECT_FALSE(s.worst);
}

TEST(GeluVsGeluTanh_bf16, RoundedResultsOfAllInputsDifferOnAFewTenthsOfAPercent) {
  // The oracle's answers for both ops on all 65536 bf16 inputs. Where they round alike the
  // ULP difference is the rounding error of exact gelu, at most 0.5; 1 + tanh z cancels in
  // the negative tail, where the two differ by a large relative amount.
  const InputSet in = all_values(Format::bf16);
  const OracleAnswers g = evaluate_inputs(op_named("gelu"), Format::bf16, {}, in);
  const OracleAnswers t = evaluate_inputs(op_named("gelu_tanh"), Format::bf16, {}, in);
  const DifferenceStats s = compare_rounded(op_named("gelu"), Format::bf16, {}, in, g, t);
  std::printf("bf16: %lld of %lld differ (%.4f%%), %lld of %lld outside the floor region (%.4f%%); max %.4g ULP, "
              "%.4g outside the floor region\n",
              static_cast<long long>(s.differ), static_cast<long long>(s.count), 100 * s.fraction_differ(),
              static_cast<long long>(s.differ_above_floor), static_cast<long long>(s.above_floor),
              100 * s.fraction_differ_above_floor(), s.max_ulp, s.max_ulp_above_floor);
  EXPECT_EQ(s.count, 65536);
  EXPECT_GT(s.differ, 0);
  EXPECT_LT(s.fraction_differ(), 0.01);
  // Every element that rounds alike is within half an ULP of exact gelu.
  std::int64_t within_half = 0;
  for (std::uint32_t bits = 0; bits < 65536; ++bits)
    if (g.exact[bits].rounded == t.exact[bits].rounded && std::isfinite(g.exact[bits].rounded)) ++within_half;
  EXPECT_GT(within_half, 60000);
}

}  // namespace
}  // namespace ulpcheck
