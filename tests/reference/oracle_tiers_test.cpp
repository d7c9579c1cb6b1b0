// The double tier is only a shortcut: wherever it decides, it must give the bits the MPFR
// tier gives. Checked exhaustively for 16-bit silu and on 10^6 random inputs elsewhere.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "ulpcheck/reference/oracle.hpp"
#include "ulpcheck/reference/registry.hpp"

namespace ulpcheck {
namespace {

struct Batch {
  std::vector<double> x0, x1;
};

Batch all_16bit(Format f) {
  Batch b;
  for (std::uint32_t bits = 0; bits < 65536; ++bits) b.x0.push_back(decode(f, bits));
  return b;
}

Batch random_patterns(Format f, int arity, int n, std::uint64_t seed) {
  const std::uint32_t mask = info(f).storage_bits == 32 ? 0xffffffffu : 0xffffu;
  std::mt19937_64 rng(seed);
  Batch b;
  for (int i = 0; i < n; ++i) {
    b.x0.push_back(decode(f, static_cast<std::uint32_t>(rng()) & mask));
    if (arity == 2) b.x1.push_back(decode(f, static_cast<std::uint32_t>(rng()) & mask));
  }
  return b;
}

/// Both methods over the batch: identical rounded bits, exact values within the double
/// tier's accuracy (2^-48 relative covers its 10-unit bound), and both tiers exercised.
void expect_tiers_agree(const char* op_name, Format f, const Batch& b, const Params& p) {
  const ElementwiseOp& op = *find_op(op_name);
  OracleCounts fast_counts, mpfr_counts;
  const auto fast = evaluate(op, f, b.x0, b.x1, p, OracleMethod::double_then_mpfr, &fast_counts);
  const auto mpfr = evaluate(op, f, b.x0, b.x1, p, OracleMethod::mpfr_only, &mpfr_counts);
  std::int64_t disagreements = 0;
  for (std::size_t i = 0; i < fast.size(); ++i) {
    const bool same_bits = encode(f, fast[i].rounded) == encode(f, mpfr[i].rounded);
    const double a = fast[i].value.hi, m = mpfr[i].value.hi + mpfr[i].value.lo;
    const bool close = (std::isnan(a) && std::isnan(m)) || a == m || std::fabs(a - m) <= 0x1p-48 * std::fabs(m);
    if (!same_bits || !close) {
      if (++disagreements <= 5)
        ADD_FAILURE() << fmt::format("{} {} x0={:a} x1={:a}: double tier {:a} (value {:a}), MPFR {:a} (value {:a})",
                                     op_name, name(f), b.x0[i], b.x1.empty() ? 1.0 : b.x1[i], fast[i].rounded, a,
                                     mpfr[i].rounded, m);
    }
  }
  EXPECT_EQ(disagreements, 0);
  EXPECT_GT(fast_counts.double_tier, 0);
  EXPECT_GT(fast_counts.mpfr_tier, 0) << "no element needed MPFR: the escalation path went untested";
  std::printf("%s %s: %zu elements, %ld special, %ld double tier, %ld escalated to MPFR (%ld retries)\n", op_name,
              std::string(name(f)).c_str(), fast.size(), static_cast<long>(fast_counts.special),
              static_cast<long>(fast_counts.double_tier), static_cast<long>(fast_counts.mpfr_tier),
              static_cast<long>(mpfr_counts.mpfr_retries));
}

Params limit(double L) { return Params{}.set("limit", L); }

TEST(OracleTiers_bf16, SiluAllInputsAgree) { expect_tiers_agree("silu", Format::bf16, all_16bit(Format::bf16), {}); }
TEST(OracleTiers_fp16, SiluAllInputsAgree) { expect_tiers_agree("silu", Format::fp16, all_16bit(Format::fp16), {}); }
TEST(OracleTiers_fp32, SiluMillionRandomInputsAgree) {
  expect_tiers_agree("silu", Format::fp32, random_patterns(Format::fp32, 1, 1'000'000, 11), {});
}

constexpr int kPairs = 1'000'000;

TEST(OracleTiers_bf16, SiluAndMulMillionRandomPairsAgree) {
  expect_tiers_agree("silu_and_mul", Format::bf16, random_patterns(Format::bf16, 2, kPairs, 21), {});
}
TEST(OracleTiers_fp16, SiluAndMulMillionRandomPairsAgree) {
  expect_tiers_agree("silu_and_mul", Format::fp16, random_patterns(Format::fp16, 2, kPairs, 22), {});
}
TEST(OracleTiers_fp32, SiluAndMulMillionRandomPairsAgree) {
  expect_tiers_agree("silu_and_mul", Format::fp32, random_patterns(Format::fp32, 2, kPairs, 23), {});
}
// Limit 7.3 (not a bf16/fp16 value) puts many clamped elements on the limit itself.
TEST(OracleTiers_bf16, SiluAndMulClampMillionRandomPairsAgree) {
  expect_tiers_agree("silu_and_mul_clamp", Format::bf16, random_patterns(Format::bf16, 2, kPairs, 31),
                     limit(static_cast<float>(7.3)));
}
TEST(OracleTiers_fp16, SiluAndMulClampMillionRandomPairsAgree) {
  expect_tiers_agree("silu_and_mul_clamp", Format::fp16, random_patterns(Format::fp16, 2, kPairs, 32),
                     limit(static_cast<float>(7.3)));
}
TEST(OracleTiers_fp32, SiluAndMulClampMillionRandomPairsAgree) {
  expect_tiers_agree("silu_and_mul_clamp", Format::fp32, random_patterns(Format::fp32, 2, kPairs, 33), limit(10.0));
}

}  // namespace
}  // namespace ulpcheck
