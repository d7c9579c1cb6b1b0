// The MoE block's device parts (device/gemm_kernel.hpp, device/moe_pipeline.hpp) on the
// host: the fp32-accumulation GEMM within its claim against exact dot products where the
// products cancel, the claim failing a GEMM that accumulates in storage, the grouped GEMM
// sending each row to its expert, and the host pipeline's kernels.
#include "ulpcheck/device/moe_pipeline.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "ulpcheck/device/cuda/runtime.hpp"
#include "ulpcheck/reference/exact_sum.hpp"
#include "ulpcheck/reference/ulp.hpp"

namespace ulpcheck {
namespace {

std::vector<std::uint32_t> normal_bits(Format f, std::size_t n, double sd, std::mt19937_64& rng) {
  std::normal_distribution<double> normal(0.0, sd);
  std::vector<std::uint32_t> out(n);
  for (auto& b : out) b = encode(f, round_to(f, normal(rng)));
  return out;
}

/// Outputs of c = a b outside `claim`, against exact dot products.
std::int64_t gemm_breaches(Format f, GemmShape s, const std::vector<std::uint32_t>& a,
                           const std::vector<std::uint32_t>& b, const std::vector<std::uint32_t>& c,
                           const GemmClaim& claim) {
  std::int64_t breaches = 0;
  std::vector<double> row(static_cast<std::size_t>(s.k)), column(static_cast<std::size_t>(s.k));
  for (std::int64_t r = 0; r < s.m; ++r)
    for (std::int64_t j = 0; j < s.n; ++j) {
      for (std::int64_t i = 0; i < s.k; ++i) {
        row[static_cast<std::size_t>(i)] = decode(f, a[static_cast<std::size_t>(r * s.k + i)]);
        column[static_cast<std::size_t>(i)] = decode(f, b[static_cast<std::size_t>(i * s.n + j)]);
      }
      const ExactDot exact = exact_dot(f, row, column);
      const double y = decode(f, c[static_cast<std::size_t>(r * s.n + j)]);
      const double bound = std::max(claim.max_ulp * ulp_of(f, exact.value.value), claim.floor(exact.scale));
      breaches += abs_difference(y, exact.value.value) <= bound ? 0 : 1;
    }
  return breaches;
}

TEST(HostGemm, WithinItsClaimForEveryFormat) {
  std::mt19937_64 rng(3);
  for (Format f : all_formats())
    for (std::int64_t k : {1, 7, 64, 128, 1000}) {
      const GemmShape s{5, k, 9};
      const auto a = normal_bits(f, static_cast<std::size_t>(s.m * k), 3.0, rng);
      const auto b = normal_bits(f, static_cast<std::size_t>(k * s.n), 0.125, rng);
      std::vector<std::uint32_t> c(static_cast<std::size_t>(s.m * s.n), poison_bits(f));
      host_gemm_kernel().run(f, s, a, b, c);
      EXPECT_EQ(gemm_breaches(f, s, a, b, c, host_gemm_kernel().claim(f, k)), 0) << name(f) << " k=" << k;
    }
}

TEST(HostGemm, ClaimFailsAGemmThatAccumulatesInStorage_bf16) {
  std::mt19937_64 rng(4);
  const Format f = Format::bf16;
  const GemmShape s{8, 256, 8};
  const auto a = normal_bits(f, static_cast<std::size_t>(s.m * s.k), 3.0, rng);
  const auto b = normal_bits(f, static_cast<std::size_t>(s.k * s.n), 0.0625, rng);
  std::vector<std::uint32_t> c(static_cast<std::size_t>(s.m * s.n));
  for (std::int64_t r = 0; r < s.m; ++r)
    for (std::int64_t j = 0; j < s.n; ++j) {
      double acc = 0.0;
      for (std::int64_t i = 0; i < s.k; ++i)
        acc = round_to(f, acc + decode(f, a[static_cast<std::size_t>(r * s.k + i)]) *
                                    decode(f, b[static_cast<std::size_t>(i * s.n + j)]));
      c[static_cast<std::size_t>(r * s.n + j)] = encode(f, acc);
    }
  EXPECT_GT(gemm_breaches(f, s, a, b, c, host_gemm_kernel().claim(f, s.k)), 0);
}

TEST(HostGemm, RefusesMissizedOperands) {
  std::vector<std::uint32_t> a(6), b(6), c(3);
  EXPECT_THROW(host_gemm_kernel().run(Format::bf16, GemmShape{2, 3, 2}, a, b, c), KernelError);
}

TEST(GroupedGemm, EachRowGoesThroughItsExpertsWeights) {
  std::mt19937_64 rng(5);
  const Format f = Format::bf16;
  const std::int64_t k = 16, n = 8, experts = 3;
  const std::vector<std::int32_t> expert_of_row{2, 0, 2, 1, 0};
  const auto rows = normal_bits(f, expert_of_row.size() * k, 1.0, rng);
  const auto weights = normal_bits(f, static_cast<std::size_t>(experts * k * n), 0.25, rng);
  const std::vector<std::uint32_t> out = run_grouped_gemm(host_gemm_kernel(), f, k, n, expert_of_row, rows, weights);
  for (std::size_t r = 0; r < expert_of_row.size(); ++r) {
    const std::vector<std::uint32_t> a(rows.begin() + static_cast<std::ptrdiff_t>(r * k),
                                       rows.begin() + static_cast<std::ptrdiff_t>((r + 1) * k));
    const std::int64_t e = expert_of_row[r];
    const std::vector<std::uint32_t> b(weights.begin() + e * k * n, weights.begin() + (e + 1) * k * n);
    std::vector<std::uint32_t> c(static_cast<std::size_t>(n));
    host_gemm_kernel().run(f, GemmShape{1, k, n}, a, b, c);
    for (std::int64_t j = 0; j < n; ++j)
      EXPECT_EQ(out[r * n + static_cast<std::size_t>(j)], c[static_cast<std::size_t>(j)]);
  }
  EXPECT_THROW(run_grouped_gemm(host_gemm_kernel(), f, k, n, {0, 3, 0, 0, 0}, rows, weights), KernelError);
}

TEST(HostMoePipeline, HoldsTheHostKernelsOfEveryStage) {
  const MoePipeline p = host_moe_pipeline();
  EXPECT_EQ(p.name, "host");
  EXPECT_EQ(p.routing->name(), "host.routing_fp32");
  EXPECT_EQ(p.gemm->name(), "host.gemm_fp32_accumulate");
  EXPECT_EQ(p.activation->name(), "host.single_rounding");
  EXPECT_EQ(p.combines.size(), 6u);
}

TEST(HostMoePipeline, ActivationClampsAtTheLimit_bf16) {
  // gate 10 clamps to 7, up -9 to -7: silu(7) * -7 = -6.99361... in bf16 -7.0 (spacing 2^-5).
  const Format f = Format::bf16;
  const std::vector<std::uint32_t> in{encode(f, 10.0), encode(f, -9.0)};
  const std::vector<std::uint32_t> out = run_moe_activation(*host_moe_pipeline().activation, f, 7.0, 1, 1, in);
  const double silu7 = 7.0 / (1.0 + std::exp(-7.0));
  EXPECT_EQ(decode(f, out[0]), round_to(f, silu7 * -7.0));
}

TEST(CudaMoePipeline, SaysWhyItIsAbsent) {
  const MoePipelineChoice c = cuda_moe_pipeline();
  if (cuda::device_available()) GTEST_SKIP() << "a device is present: " << cuda::device_description();
  EXPECT_FALSE(c.pipeline.has_value());
  EXPECT_TRUE(c.unavailable.starts_with(cuda::device_description())) << c.unavailable;
}

}  // namespace
}  // namespace ulpcheck
