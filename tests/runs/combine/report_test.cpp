// The moe_combine part of a report: its plan from the flags (defaults, overrides, errors
// that name the flag), its run on the host kernels (all within their claims, those without
// fp16 listed as not measured), a kernel whose claim is too tight failing with its first
// element explained, and a kernel that cannot run.
#include "ulpcheck/runs/combine/report.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/runs/combine/tight_claim_kernel.hpp"
#include "ulpcheck/runs/explain.hpp"
#include "ulpcheck/runs/request_error.hpp"
#include "ulpcheck/runs/resolve.hpp"

namespace ulpcheck {
namespace {

constexpr std::int64_t kTokens = 16;

std::vector<const CombineKernel*> host_combine_kernels() {
  std::vector<const CombineKernel*> out;
  for (const CombineKernel* k : all_combine_kernels())
    if (k->name().starts_with("host.")) out.push_back(k);
  return out;
}

/// The message of the RequestError plan_combine throws for `o`, or "" when it plans.
std::string plan_error(const CombineReportOptions& o) {
  try {
    (void)plan_combine(o, {Format::bf16}, host_combine_kernels(), 1);
  } catch (const RequestError& e) {
    return e.what();
  }
  return {};
}

CombineReport run_small(std::vector<Format> formats, std::vector<const CombineKernel*> kernels,
                        CombineReportOptions o = {}) {
  o.tokens = kTokens;
  return run_family_report(plan_combine(o, std::move(formats), std::move(kernels), 7), silent_observer());
}

TEST(CombineReportPlan, WithoutConfigFlagsMeasuresTheDefaultConfigs) {
  const CombinePlan p = plan_combine({}, {Format::bf16}, host_combine_kernels(), 3);
  ASSERT_EQ(p.configs.size(), 3u);
  EXPECT_EQ(p.configs, default_combine_configs());
  EXPECT_EQ(p.configs[0].label(), "k=8 hidden=256 scale=2.5");
  EXPECT_EQ(p.configs[1].label(), "k=6 hidden=256 scale=16");
  EXPECT_EQ(p.tokens, kDefaultCombineTokens);
  EXPECT_EQ(p.seed, 3u);
  for (const CombineConfig& c : p.configs) EXPECT_EQ(c.validate(), "");
}

TEST(CombineReportPlan, ConfigFlagsReplaceDeepSeekV3sValuesInOneConfig) {
  CombineReportOptions o;
  o.hidden = 96;
  o.routed_scaling_factor = "0.1";  // not an fp32 value: rounded to the nearest, as kernels receive it
  o.tokens = 5;
  const CombinePlan p = plan_combine(o, {Format::fp16}, host_combine_kernels(), 1);
  ASSERT_EQ(p.configs.size(), 1u);
  EXPECT_EQ(p.configs[0].topk, 8);
  EXPECT_EQ(p.configs[0].hidden, 96);
  EXPECT_EQ(p.configs[0].routed_scaling_factor, static_cast<double>(0.1f));
  EXPECT_EQ(p.tokens, 5);
  EXPECT_EQ(o.given(), (std::vector<std::string>{"--hidden 96", "--tokens 5", "--routed-scaling-factor 0.1"}));
}

TEST(CombineReportPlan, BadValuesAreRequestErrorsNamingTheFlag) {
  CombineReportOptions o;
  o.topk = 40;
  EXPECT_EQ(plan_error(o), "--topk 40: topk is 40; it must be in [1, 32]");
  o = {};
  o.hidden = 0;
  EXPECT_EQ(plan_error(o), "--hidden 0: hidden is 0; it must be in [1, 65536]");
  o = {};
  o.routed_scaling_factor = "-2";
  EXPECT_EQ(plan_error(o).rfind("--routed-scaling-factor -2: routed_scaling_factor is -2", 0), 0u) << plan_error(o);
  o.routed_scaling_factor = "2.5x";
  EXPECT_EQ(plan_error(o).rfind("--routed-scaling-factor 2.5x: not a finite number", 0), 0u) << plan_error(o);
  o.routed_scaling_factor = "1e39";
  EXPECT_EQ(plan_error(o), "--routed-scaling-factor 1e39: beyond fp32's largest value 3.40282347e+38");
  o = {};
  o.tokens = 0;
  EXPECT_EQ(plan_error(o), "--tokens 0: moe_combine takes 1 to 1048576 tokens per batch");
  o.tokens = 1 << 20;
  o.hidden = 4096;
  EXPECT_EQ(plan_error(o).rfind("--tokens 1048576: 1048576 tokens x topk 8 x hidden 4096 is", 0), 0u)
      << plan_error(o);
}

TEST(CombineReportPlan, TheFamilyOwnsMoeCombineAndTheMoeBlock) {
  EXPECT_TRUE(owns_op(CombineFamily{}, "moe_combine"));
  EXPECT_TRUE(owns_op(CombineFamily{}, "moe_block"));
  EXPECT_FALSE(owns_op(CombineFamily{}, "biased_grouped_topk"));
  EXPECT_EQ(op_names_of(CombineFamily{}), (std::vector<std::string>{"moe_combine", "moe_block"}));
}

TEST(CombineReport_host, EveryHostKernelIsWithinItsClaimOnEveryDefaultConfigAndDtype) {
  const std::vector<const CombineKernel*> kernels = host_combine_kernels();
  ASSERT_EQ(kernels.size(), 6u);
  const CombineReport r = run_small({Format::bf16, Format::fp16, Format::fp32}, kernels);
  ASSERT_EQ(r.batches.size(), 9u);  // 3 formats x 3 configs, formats first
  EXPECT_EQ(r.batches[0].format, Format::bf16);
  EXPECT_EQ(r.batches[3].format, Format::fp16);
  EXPECT_EQ(r.batches[1].config, default_combine_configs()[1]);
  std::int64_t in_floor = 0;
  for (const CombineBatchResult& b : r.batches) {
    EXPECT_EQ(b.tokens, kTokens);
    // The naive placements do not take fp16 (they overflow where the output does not).
    EXPECT_EQ(b.cases.size(), b.format == Format::fp16 ? 3u : 6u) << name(b.format) << " " << b.config.label();
    for (const CombineCaseResult& c : b.cases) {
      EXPECT_TRUE(c.stats.passes()) << c.kernel->name() << " " << name(b.format) << " " << b.config.label();
      EXPECT_EQ(c.stats.count, kTokens * b.config.hidden);
      EXPECT_EQ(c.failure, "");
      in_floor += c.stats.in_floor_region;
    }
  }
  EXPECT_GT(in_floor, 0);  // the mixed signs cancel somewhere, so the floor is exercised
  ASSERT_EQ(r.skipped.size(), 9u);  // 3 naive kernels x 3 fp16 configs
  EXPECT_EQ(r.skipped[0].dtype, "fp16");
  EXPECT_EQ(r.skipped[0].reason, "does not take fp16 k=8 hidden=256 scale=2.5");
  EXPECT_FALSE(r.skipped[0].did_not_run);
  EXPECT_EQ(measured_cases(r), 45u);
  EXPECT_EQ(first_failure(r), "");
}

TEST(CombineReport_host, TheSameSeedGivesTheSameFigures) {
  const std::vector<const CombineKernel*> k{find_combine_kernel("host.combine_fold")};
  const CombineReport a = run_small({Format::bf16}, k), b = run_small({Format::bf16}, k);
  ASSERT_EQ(a.batches.size(), b.batches.size());
  for (std::size_t i = 0; i < a.batches.size(); ++i) {
    EXPECT_EQ(a.batches[i].cases[0].stats.max_ulp, b.batches[i].cases[0].stats.max_ulp);
    EXPECT_EQ(a.batches[i].cases[0].stats.correctly_rounded, b.batches[i].cases[0].stats.correctly_rounded);
  }
}

TEST(CombineReport_host, AClaimTooTightFailsWithItsFirstElementExplained) {
  const testing::TightClaimCombineKernel tight;
  CombineReportOptions o;
  o.topk = 8;  // one config: DeepSeek-V3's
  const CombineReport r = run_small({Format::bf16}, {find_combine_kernel("host.combine_fold_storage_sum"), &tight}, o);
  ASSERT_EQ(r.batches.size(), 1u);
  ASSERT_EQ(r.batches[0].cases.size(), 2u);
  EXPECT_TRUE(r.batches[0].cases[0].stats.passes());  // the same arithmetic within its derived claim
  const CombineCaseResult& c = r.batches[0].cases[1];
  EXPECT_FALSE(c.stats.passes());
  EXPECT_GT(c.stats.budget_breaches, 0);
  EXPECT_NE(c.failure.find("w[7] = "), std::string::npos) << c.failure;  // every term shown
  EXPECT_NE(c.failure.find("outside the claim"), std::string::npos) << c.failure;
  const ElementReport& first = c.stats.first_failure();
  EXPECT_EQ(c.failure.rfind(fmt::format("token {}, hidden {} (bf16 k=8 hidden=256 scale=2.5)", first.row, first.col), 0),
            0u)
      << c.failure;

  const std::string why = first_failure(r);
  EXPECT_EQ(why.rfind("planted.combine_tight_claim on moe_combine k=8 hidden=256 scale=2.5, bf16, 16 tokens: ", 0), 0u)
      << why;
  EXPECT_NE(why.find("first failing element: " + c.failure), std::string::npos) << why;
}

TEST(CombineReport_host, AKernelThatCannotRunIsListedUnlessItWasNamed) {
  const testing::UnrunnableCombineKernel unrunnable;
  CombineReportOptions o;
  o.hidden = 8;
  o.tokens = 2;
  CombinePlan p = plan_combine(o, {Format::fp32}, {&unrunnable, find_combine_kernel("host.combine_fold_fused")}, 1);
  const CombineReport r = run_family_report(p, silent_observer());
  ASSERT_EQ(r.skipped.size(), 1u);
  EXPECT_TRUE(r.skipped[0].did_not_run);
  EXPECT_EQ(r.skipped[0].kernel, "planted.combine_unrunnable");
  EXPECT_EQ(r.skipped[0].reason, "planted.combine_unrunnable: no device");
  EXPECT_EQ(measured_cases(r), 1u);

  p.named_kernels = {"planted.combine_unrunnable"};
  EXPECT_THROW(run_family_report(p, silent_observer()), KernelError);
}

}  // namespace
}  // namespace ulpcheck
