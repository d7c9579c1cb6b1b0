// The fuzz engine (properties/fuzz.cpp) against kernels known to be right and kernels with
// planted bugs: it must pass the first and catch every one of the second within the
// default case count, shrink what it finds, and replay it from the printed token.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdio>

#include "tests/properties/planted_kernels.hpp"
#include "ulpcheck/device/registry.hpp"
#include "ulpcheck/properties/fuzz.hpp"
#include "ulpcheck/reference/registry.hpp"

namespace ulpcheck {
namespace {

const FuzzSettings kDefaults{};  // the command's defaults: 100 cases, seed 1

const FuzzProperty& property(std::string_view name) {
  for (const FuzzProperty& p : all_fuzz_properties())
    if (p.name == name) return p;
  throw std::invalid_argument(std::string(name));
}

TEST(Fuzz, CorrectHostKernelsPassEveryProperty) {
  // The command's default run (100 cases, seed 1) over the same targets is Cli_fuzz's
  // DefaultRunPassesEveryCorrectKernel; here other cases: a second seed, a quarter as many.
  const FuzzSettings other_cases{.cases = 25, .seed = 2};
  int runs = 0;
  for (const Kernel* k : all_kernels()) {
    if (!k->name().starts_with("host.")) continue;
    for (const ElementwiseOp* op : all_ops())
      for (Format f : all_formats())
        for (const FuzzProperty& p : all_fuzz_properties()) {
          if (!k->supports(*op, f) || !p.applies({k, op, f})) continue;
          const FuzzResult r = run_fuzz_property({k, op, f}, p, other_cases);
          EXPECT_TRUE(r.passed) << r.id << "\n" << r.failure << r.counterexample;
          ++runs;
        }
  }
  EXPECT_EQ(runs, 360);
}

TEST(Fuzz, CatchesEveryPlantedBugWithTheDefaultCaseCount) {
  ASSERT_GE(planted::all().size(), 8u);
  for (const planted::PlantedKernel& pk : planted::all()) {
    const ElementwiseOp& op = *find_op(pk.op);
    const FuzzProperty& p = property(pk.caught_by);
    std::string caught_in;
    for (Format f : all_formats()) {
      if (!pk.kernel->supports(op, f)) continue;
      const FuzzResult r = run_fuzz_property({pk.kernel, &op, f}, p, kDefaults);
      if (!r.passed) caught_in += fmt::format(" {} (after {} passing cases)", name(f), r.cases);
    }
    EXPECT_FALSE(caught_in.empty()) << pk.kernel->name() << " (" << pk.bug << ") was not caught by " << pk.caught_by;
    std::printf("%-42s %-28s caught in%s\n", std::string(pk.kernel->name()).c_str(), std::string(pk.caught_by).c_str(),
                caught_in.c_str());
  }
}

/// The planted gate/up swap on bf16: a failure to look at.
FuzzResult swapped_failure(std::uint64_t seed) {
  const planted::PlantedKernel* pk = nullptr;
  for (const auto& k : planted::all())
    if (k.kernel->name() == "planted.gate_up_swapped") pk = &k;
  return run_fuzz_property({pk->kernel, find_op("silu_and_mul"), Format::bf16}, property("within_budget"),
                           {100, seed});
}

TEST(Fuzz, SameSeedSameFailureAndToken) {
  const FuzzResult a = swapped_failure(7), b = swapped_failure(7);
  ASSERT_FALSE(a.passed);
  EXPECT_EQ(a.failure, b.failure);
  EXPECT_EQ(a.counterexample, b.counterexample);
  EXPECT_EQ(a.replay_token, b.replay_token);
  EXPECT_EQ(a.cases, b.cases);
}

TEST(Fuzz, ShrinksToOneTokenWithFewNonzeroInputs) {
  const FuzzResult r = swapped_failure(1);
  ASSERT_FALSE(r.passed);
  EXPECT_NE(r.counterexample.find("(tokens 1,"), std::string::npos) << r.counterexample;
  EXPECT_NE(r.counterexample.find("every other input +0"), std::string::npos) << r.counterexample;
  std::printf("%s\n%s", r.failure.c_str(), r.counterexample.c_str());
}

TEST(Fuzz, ReplayTokenRunsExactlyTheMinimalCase) {
  const FuzzResult first = swapped_failure(3);
  ASSERT_FALSE(first.passed);
  EXPECT_EQ(replay_token_id(first.replay_token), first.id);
  const planted::PlantedKernel* pk = nullptr;
  for (const auto& k : planted::all())
    if (k.kernel->name() == "planted.gate_up_swapped") pk = &k;
  const FuzzResult replayed = run_fuzz_property({pk->kernel, find_op("silu_and_mul"), Format::bf16},
                                                property("within_budget"), {100, 999}, first.replay_token);
  ASSERT_FALSE(replayed.passed);
  EXPECT_EQ(replayed.failure, first.failure);
  EXPECT_EQ(replayed.counterexample, first.counterexample);
}

/// The token count of a shown case ("... (tokens N, d M) ...").
long long shown_tokens(const std::string& counterexample) {
  const auto at = counterexample.find("(tokens ");
  return at == std::string::npos ? -1 : std::stoll(counterexample.substr(at + 8));
}

TEST(Fuzz, ABatchDependentKernelIsCaughtAndShrinksToTheSmallestBatchThatShowsIt) {
  // Rounds toward zero only above 128 tokens: every case of 128 tokens or fewer passes.
  const Kernel* k = nullptr;
  for (const auto& pk : planted::all())
    if (pk.kernel->name() == "planted.truncates_above_128_tokens") k = pk.kernel;
  ASSERT_NE(k, nullptr);
  const FuzzTarget target{k, find_op("silu_and_mul"), Format::bf16};
  // The accuracy property sees it only in a case above 128 tokens, and shrinks to 129.
  const FuzzResult budget = run_fuzz_property(target, property("within_budget"), kDefaults);
  ASSERT_FALSE(budget.passed);
  EXPECT_EQ(shown_tokens(budget.counterexample), 129) << budget.counterexample;
  // The batch property sees it in any case: the case's rows repeated to 129 rows differ
  // from the same rows alone, so it shrinks to one row.
  const FuzzResult rows = run_fuzz_property(target, property("rows_are_independent"), kDefaults);
  ASSERT_FALSE(rows.passed);
  EXPECT_EQ(shown_tokens(rows.counterexample), 1) << rows.counterexample;
  EXPECT_NE(rows.failure.find("in a batch of 129 rows"), std::string::npos) << rows.failure;
  std::printf("within_budget after %d passing cases:\n%s%s\nrows_are_independent after %d passing cases:\n%s%s",
              budget.cases, budget.failure.c_str(), budget.counterexample.c_str(), rows.cases, rows.failure.c_str(),
              rows.counterexample.c_str());
}

/// The first failure of a planted kernel under the property that catches it, in bf16.
FuzzResult planted_failure(std::string_view kernel, std::string_view property_name) {
  for (const planted::PlantedKernel& pk : planted::all())
    if (pk.kernel->name() == kernel)
      return run_fuzz_property({pk.kernel, find_op(pk.op), Format::bf16}, property(property_name), kDefaults);
  throw std::invalid_argument(std::string(kernel));
}

TEST(Fuzz, AnInfLimitFailureStatesTheLimitTheKernelRanWith) {
  // The property runs the kernel with limit inf whatever limit the generated case holds
  // (shrinking takes that one to 0); the message must say inf.
  const FuzzResult r = planted_failure("planted.clamp_path_rounds_twice", "inf_limit_equals_unclamped");
  ASSERT_FALSE(r.passed);
  ASSERT_EQ(r.counterexample.find("limit inf"), std::string::npos) << "generated with limit inf: shows nothing";
  EXPECT_NE(r.failure.find(", limit inf, element ["), std::string::npos) << r.failure;
}

TEST(FuzzCampaign, CorrectHostKernelsPassTwoThousandCasesPerProperty) {
  // The long campaign (label slow): 20x the default cases, another seed.
  for (const Kernel* k : all_kernels()) {
    if (!k->name().starts_with("host.")) continue;
    for (const ElementwiseOp* op : all_ops())
      for (Format f : all_formats())
        for (const FuzzProperty& p : all_fuzz_properties())
          if (k->supports(*op, f) && p.applies({k, op, f})) {
            const FuzzResult r = run_fuzz_property({k, op, f}, p, {2000, 20261122});
            EXPECT_TRUE(r.passed) << r.id << "\n" << r.failure << r.counterexample << "replay: " << r.replay_token;
          }
  }
}

TEST(Fuzz, MalformedReplayTokenIsRejected) {
  EXPECT_THROW(replay_token_id("not a token"), std::invalid_argument);
}

}  // namespace
}  // namespace ulpcheck
