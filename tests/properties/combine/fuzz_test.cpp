// Combine fuzzing: every built-in host combine kernel passes every combine property that
// applies to it, and every planted combine bug is caught by the property named beside it,
// its counterexample shrunk, explained element by element and replayable.
#include "ulpcheck/properties/combine/fuzz.hpp"

#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <cstdio>

#include "tests/properties/combine/planted_combine_kernels.hpp"

namespace ulpcheck {
namespace {

const CombineFuzzProperty& combine_property(std::string_view name) {
  for (const CombineFuzzProperty& p : all_combine_fuzz_properties())
    if (p.name == name) return p;
  throw std::logic_error("no combine property " + std::string(name));
}

std::vector<const CombineKernel*> host_combine_kernels() {
  std::vector<const CombineKernel*> out;
  for (const CombineKernel* k : all_combine_kernels())
    if (k->name().starts_with("host.")) out.push_back(k);
  return out;
}

TEST(CombineFuzz, ThePropertiesAreTheFourOfTheSpecInOrder) {
  std::vector<std::string_view> names;
  for (const CombineFuzzProperty& p : all_combine_fuzz_properties()) names.push_back(p.name);
  EXPECT_EQ(names, (std::vector<std::string_view>{"within_budget", "placements_agree", "permutation_invariant",
                                                  "no_fp16_overflow"}));
}

TEST(CombineFuzz, NoFp16OverflowAppliesOnlyToKernelsThatClaimFp16) {
  const CombineKernel& fused = *find_combine_kernel("host.combine_fold_fused");
  const CombineKernel& naive = *find_combine_kernel("host.combine_scale_output");
  const CombineFuzzProperty& p = combine_property("no_fp16_overflow");
  EXPECT_TRUE(p.applies({&fused, Format::fp16}));
  EXPECT_FALSE(p.applies({&fused, Format::bf16}));
  EXPECT_FALSE(p.applies({&naive, Format::fp16}));
  EXPECT_FALSE(combine_property("within_budget").applies({&naive, Format::fp16}));
  EXPECT_TRUE(combine_property("within_budget").applies({&naive, Format::bf16}));
  EXPECT_FALSE(combine_kernel_takes_format(naive, Format::fp16));
  EXPECT_TRUE(combine_kernel_takes_format(naive, Format::fp32));
}

/// The property's check on one case, outside a run: empty when it holds, else the failure
/// (or "discarded" for a case the kernel does not claim).
std::string combine_check(const CombineFuzzProperty& p, const CombineFuzzTarget& t, const CombineCase& c) {
  try {
    p.check(t, c);
    return "";
  } catch (const rc::detail::CaseResult& r) {
    return r.type == rc::detail::CaseResult::Type::Discard ? "discarded" : r.description;
  }
}

TEST(CombineFuzz, NonFiniteInputsAreJudgedByTheOraclesRulesAndAgreeAcrossOrders) {
  // Token 0: y = +inf under weight 0.5 (exact +inf), and a zero weight on -inf at h = 1
  // (0 * inf: exact NaN there). Token 1: a NaN weight (every element NaN). The other
  // elements finite, so placements_agree still compares them.
  const Format f = Format::bf16;
  const CombineConfig c{.topk = 3, .hidden = 3, .routed_scaling_factor = 2.5};
  CombineInputs in = combine_inputs(c, f, 2, 11);
  in.routed[0 * 3 + 0] = encode(f, HUGE_VAL);
  in.weights[0] = 0.5f;
  in.weights[1] = 0.0f;
  in.routed[1 * 3 + 1] = encode(f, -HUGE_VAL);
  in.weights[3 + 2] = NAN;
  const CombineCase k{c, in};
  const CombineExact exact = combine_exact(c, in, 1);
  ASSERT_EQ(exact.out[0].value.hi, HUGE_VAL);
  ASSERT_TRUE(std::isnan(exact.out[1].value.hi));
  ASSERT_TRUE(exact.finite_inputs[2]);
  for (const CombineKernel* kernel : host_combine_kernels())
    for (std::string_view p : {"within_budget", "placements_agree", "permutation_invariant"})
      EXPECT_EQ(combine_check(combine_property(p), {kernel, f}, k), "") << kernel->name() << " " << p;
}

TEST(CombineFuzz, IdsAndLabelsNameKernelOpDtypeAndProperty) {
  const CombineFuzzTarget t{find_combine_kernel("host.combine_fp16_guard"), Format::fp16};
  EXPECT_EQ(fuzz_id(t, combine_property("no_fp16_overflow")),
            "host.combine_fp16_guard/moe_combine/fp16/no_fp16_overflow");
  EXPECT_EQ(fuzz_label(t, combine_property("within_budget")), "host.combine_fp16_guard moe_combine fp16 within_budget");
}

TEST(CombineFuzz, HostKernelsPassEveryPropertyThatApplies) {
  const std::vector<const CombineKernel*> kernels = host_combine_kernels();
  ASSERT_EQ(kernels.size(), 6u);
  int runs = 0;
  for (const CombineKernel* k : kernels)
    for (Format f : all_formats())
      for (const CombineFuzzProperty& p : all_combine_fuzz_properties()) {
        if (!p.applies({k, f})) continue;
        const FuzzResult r = run_combine_fuzz_property({k, f}, p, FuzzSettings{50, 5});
        EXPECT_TRUE(r.passed) << r.id << "\n" << r.failure << "\n" << r.counterexample << "replay: " << r.replay_token;
        EXPECT_EQ(r.cases, 50) << r.id;
        ++runs;
      }
  // 6 kernels x 3 properties in bf16 and fp32, 3 kernels x 4 properties in fp16.
  EXPECT_EQ(runs, 6 * 3 * 2 + 3 * 4);
}

TEST(CombineFuzzCampaign, HostKernelsPassOneThousandCasesPerProperty) {
  // The long campaign (label slow): another seed, a thousand cases each.
  for (const CombineKernel* k : host_combine_kernels())
    for (Format f : all_formats())
      for (const CombineFuzzProperty& p : all_combine_fuzz_properties()) {
        if (!p.applies({k, f})) continue;
        const FuzzResult r = run_combine_fuzz_property({k, f}, p, FuzzSettings{1000, 20261203});
        EXPECT_TRUE(r.passed) << r.id << "\n" << r.failure << "\n" << r.counterexample << "replay: " << r.replay_token;
      }
}

TEST(CombineFuzz, EveryPlantedBugIsCaughtByItsPropertyShrunkAndExplained) {
  for (const planted::PlantedCombineKernel& p : planted::all_combine()) {
    const CombineFuzzTarget target{p.kernel, p.format};
    ASSERT_TRUE(combine_property(p.caught_by).applies(target)) << p.kernel->name();
    std::optional<CombineCase> shrunk;
    const FuzzResult r =
        run_combine_fuzz_property(target, combine_property(p.caught_by), FuzzSettings{100, 1}, std::nullopt, &shrunk);
    EXPECT_FALSE(r.passed) << p.kernel->name() << " (" << p.bug << ") passed " << p.caught_by;
    if (r.passed) continue;
    std::printf("%-55s caught by %-22s after %2d passing cases, shrunk to %s %s, %lld token(s)\n",
                std::string(p.kernel->name()).c_str(), std::string(p.caught_by).c_str(), r.cases,
                shrunk ? shrunk->config.label().c_str() : "?", std::string(name(p.format)).c_str(),
                shrunk ? static_cast<long long>(shrunk->inputs.tokens) : -1LL);
    std::printf("%s\n", r.failure.c_str());
    // The failure is the shrunk case's, explained element by element.
    EXPECT_NE(r.failure.find(p.kernel->name()), std::string::npos) << r.failure;
    EXPECT_NE(r.failure.find("token 0, hidden "), std::string::npos) << r.failure;
    EXPECT_NE(r.failure.find("  w[0] = "), std::string::npos) << r.failure;
    EXPECT_NE(r.counterexample.find("token 0 weights:"), std::string::npos) << r.counterexample;
    EXPECT_FALSE(r.replay_token.empty());
    // Shrunk: one token, one hidden element, and for the bugs one term shows, at most two
    // terms (an order of rounding needs three or more, and shrinking finds a small case,
    // not always the one with the fewest terms).
    ASSERT_TRUE(shrunk.has_value()) << p.kernel->name();
    EXPECT_EQ(shrunk->inputs.tokens, 1) << p.kernel->name();
    EXPECT_EQ(shrunk->config.hidden, 1) << p.kernel->name();
    if (p.caught_by != "permutation_invariant") {
      EXPECT_LE(shrunk->config.topk, 2) << p.kernel->name();
    }
  }
}

TEST(CombineFuzz, AReplayTokenRunsTheShrunkCaseAgain) {
  const planted::PlantedCombineKernel& p = planted::all_combine().front();
  const CombineFuzzTarget target{p.kernel, p.format};
  const FuzzResult first = run_combine_fuzz_property(target, combine_property(p.caught_by), FuzzSettings{100, 2});
  ASSERT_FALSE(first.passed);
  EXPECT_EQ(replay_token_id(first.replay_token), first.id);
  const FuzzResult again =
      run_combine_fuzz_property(target, combine_property(p.caught_by), FuzzSettings{100, 99}, first.replay_token);
  EXPECT_FALSE(again.passed);
  EXPECT_EQ(again.failure, first.failure);
  EXPECT_EQ(again.counterexample, first.counterexample);
}

TEST(CombineFuzz, AFuzzRunOfTheFamilyRunsThroughTheGenericOverloads) {
  // What runs/fuzz.cpp's std::visit calls once CombineFamily is one of Families.
  const FuzzRunOf<CombineFamily> run{{find_combine_kernel("host.combine_scale_output_fused"), Format::bf16},
                                     &combine_property("permutation_invariant")};
  static_assert(std::is_same_v<FuzzCaseOf<CombineFamily>, CombineCase>);
  EXPECT_EQ(fuzz_label(run.target, *run.property),
            "host.combine_scale_output_fused moe_combine bf16 permutation_invariant");
  const FuzzResult r = run_fuzz_property(run.target, *run.property, FuzzSettings{10, 4}, std::nullopt);
  EXPECT_TRUE(r.passed) << r.failure;
  EXPECT_EQ(r.id, fuzz_id(run.target, *run.property));
  EXPECT_EQ(r.cases, 10);
}

}  // namespace
}  // namespace ulpcheck
