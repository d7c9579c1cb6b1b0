// The CUDA MoE pipeline (device/moe_pipeline.hpp: cuda.routing_fp32, cuBLAS, cuda.single_rounding,
// cuda.combine_*) over the MoE block, each stage against its claim on exact inputs, and
// cuBLAS's GEMM alone against exact dot products. Skips, saying why, without a device or
// without cuBLAS (opened at run time: libcublas.so.13 or $ULPCHECK_CUBLAS).
#include "ulpcheck/device/moe_pipeline.hpp"

#include <gtest/gtest.h>

#include <iostream>
#include <random>

#include "ulpcheck/device/cuda/cublas_gemm.hpp"
#include "ulpcheck/device/cuda/runtime.hpp"
#include "ulpcheck/reference/ulp.hpp"
#include "ulpcheck/runs/moe_block/moe_block_report.hpp"

namespace ulpcheck {
namespace {

/// The CUDA pipeline, or a skip with the reason.
#define ULPCHECK_CUDA_MOE_PIPELINE_OR_SKIP(var)                                            \
  if (!cuda::device_available()) GTEST_SKIP() << "no GPU: " << cuda::device_description(); \
  const MoePipelineChoice var = cuda_moe_pipeline();                                       \
  if (!var.pipeline) GTEST_SKIP() << "CUDA MoE pipeline not measured: " << var.unavailable

class CudaMoeBlock : public testing::TestWithParam<Format> {};

TEST_P(CudaMoeBlock, EveryStageIsWithinItsClaimOnExactInputs) {
  ULPCHECK_CUDA_MOE_PIPELINE_OR_SKIP(choice);
  MoeBlockConfig c;
  c.format = GetParam();
  c.tokens = 64;
  const MoeBlockInputs in = generate_moe_block_inputs(c);
  const MoeBlockExact chain = moe_block_exact(c, in);
  const MoeStageExact stages = moe_stage_exact(c, in, chain);
  const MoeBlockReport rep = attribute_moe_block(c, in, chain, stages, *choice.pipeline);
  std::cout << moe_block_markdown(rep) << "\n";
  ASSERT_TRUE(rep.measured);
  EXPECT_EQ(rep.stages.size(), 7u);
  for (const MoeStageFigures& s : rep.stages)
    EXPECT_EQ(s.own_breaches, 0) << s.stage << " " << s.kernel << ": " << s.claim;
  for (const MoeStageFigures& s : rep.combines) EXPECT_EQ(s.own_breaches, 0) << s.kernel << ": " << s.claim;
}

INSTANTIATE_TEST_SUITE_P(Formats, CudaMoeBlock, testing::Values(Format::bf16, Format::fp16, Format::fp32),
                         [](const testing::TestParamInfo<Format>& p) { return std::string(name(p.param)); });

TEST(CublasGemm, WithinItsClaimAgainstExactDots) {
  ULPCHECK_CUDA_MOE_PIPELINE_OR_SKIP(choice);
  const GemmKernel& gemm = *choice.pipeline->gemm;
  std::mt19937_64 rng(11);
  for (Format f : all_formats())
    for (std::int64_t k : {1, 64, 128, 1000}) {
      const GemmShape s{33, k, 40};
      std::normal_distribution<double> normal(0.0, 1.0);
      std::vector<std::uint32_t> a(static_cast<std::size_t>(s.m * k)), b(static_cast<std::size_t>(k * s.n));
      for (auto& v : a) v = encode(f, round_to(f, 3.0 * normal(rng)));
      for (auto& v : b) v = encode(f, round_to(f, 0.125 * normal(rng)));
      std::vector<std::uint32_t> c(static_cast<std::size_t>(s.m * s.n), poison_bits(f));
      gemm.run(f, s, a, b, c);
      const GemmClaim claim = gemm.claim(f, k);
      std::int64_t breaches = 0;
      double max_ulp = 0.0;
      std::vector<double> row(static_cast<std::size_t>(k)), column(static_cast<std::size_t>(k));
      for (std::int64_t r = 0; r < s.m; ++r)
        for (std::int64_t j = 0; j < s.n; ++j) {
          for (std::int64_t i = 0; i < k; ++i) {
            row[static_cast<std::size_t>(i)] = decode(f, a[static_cast<std::size_t>(r * k + i)]);
            column[static_cast<std::size_t>(i)] = decode(f, b[static_cast<std::size_t>(i * s.n + j)]);
          }
          const ExactDot exact = exact_dot(f, row, column);
          const double y = decode(f, c[static_cast<std::size_t>(r * s.n + j)]);
          ASSERT_TRUE(std::isfinite(y)) << name(f) << " k=" << k << " element " << r << "," << j;
          max_ulp = std::max(max_ulp, ulp_error(f, y, exact.value.value));
          const double bound = std::max(claim.max_ulp * ulp_of(f, exact.value.value), claim.floor(exact.scale));
          breaches += abs_difference(y, exact.value.value) <= bound ? 0 : 1;
        }
      std::cout << "cuda.gemm_cublas " << name(f) << " k=" << k << ": max " << max_ulp << " ulp\n";
      EXPECT_EQ(breaches, 0) << name(f) << " k=" << k;
    }
}

}  // namespace
}  // namespace ulpcheck
