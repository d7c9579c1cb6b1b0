// The combine corpus keeps each counterexample once with its own configuration, survives a
// regen (and is dropped only when asked), and `golden check` runs it; `golden check` passes
// the host combine kernels with their recorded figures, skips what a kernel does not claim,
// and fails a kernel with a planted bug, explaining the element.
#include "ulpcheck/golden/combine/corpus.hpp"

#include <gtest/gtest.h>

#include <set>

#include "tests/golden/h5_edit.hpp"
#include "ulpcheck/golden/combine/check.hpp"
#include "ulpcheck/golden/combine/regen.hpp"

namespace ulpcheck::golden {
namespace {

using testing::TempDir;

/// A kernel whose loop over the experts stops one short (an off-by-one in the top-k loop):
/// host.combine_fold_fused run with the last expert's weight zeroed, claiming what that
/// kernel claims.
class CombineDropsLastExpert final : public CombineKernel {
 public:
  std::string_view name() const override { return "planted.combine_drops_last_expert"; }
  std::string_view description() const override { return "sums experts 0 .. topk-2 only"; }
  std::optional<CombineClaim> claim(const CombineConfig& config, Format format) const override {
    return base().claim(config, format);
  }
  void run(const CombineConfig& config, const CombineInputs& inputs, std::vector<std::uint32_t>& out) const override {
    CombineInputs dropped = inputs;
    for (std::int64_t t = 0; t < inputs.tokens; ++t)
      dropped.weights[static_cast<std::size_t>(t * config.topk + config.topk - 1)] = 0.0f;
    base().run(config, dropped, out);
  }

 private:
  static const CombineKernel& base() { return *find_combine_kernel("host.combine_fold_fused"); }
};

CombineBuildOptions host_kernels() {
  CombineBuildOptions o;
  o.kernels = runnable_combine_kernels();
  return o;
}

const CombineConfig kSmall{3, 5, 2.5};

TEST(GoldenCorpus_moe_combine, ACounterexampleIsKeptOnce) {
  TempDir dir;
  const CombineInputs in = golden_combine_inputs(kSmall, Format::bf16, 2, 5);
  const KeptCounterexample first = add_to_combine_corpus(dir.str(), kSmall, in, "k/moe_combine/bf16/p");
  EXPECT_TRUE(first.added);
  EXPECT_EQ(first.group, "/bf16/corpus/0000");
  const KeptCounterexample again = add_to_combine_corpus(dir.str(), kSmall, in, "k/moe_combine/bf16/p");
  EXPECT_FALSE(again.added);
  EXPECT_EQ(again.group, "/bf16/corpus/0000");

  const CombineGoldenFile f = read_combine_golden(golden_path(dir.str(), kCombineOpName));
  EXPECT_TRUE(f.cases.empty());
  ASSERT_EQ(f.corpora.size(), 1u);
  ASSERT_EQ(f.corpora[0].entries.size(), 1u);
  const CombineCounterexample& e = f.corpora[0].entries[0];
  EXPECT_EQ(e.found_by, "k/moe_combine/bf16/p");
  EXPECT_EQ(e.config, kSmall);
  EXPECT_EQ(e.inputs.routed, in.routed);
  EXPECT_EQ(e.inputs.shared, in.shared);
  EXPECT_EQ(e.answers.rounded_bits, compute_combine_answers(kSmall, in).rounded_bits);
  // Keeping it left the golden file and nothing else (no lock file beside it).
  EXPECT_EQ(testing::entries(dir.str()), std::set<std::string>{"moe_combine.h5"});
}

TEST(GoldenCorpus_moe_combine, AnotherConfigurationOrFormatIsAnotherCounterexample) {
  TempDir dir;
  CombineConfig c = kSmall;
  const CombineInputs in = golden_combine_inputs(c, Format::fp16, 1, 3);
  EXPECT_TRUE(add_to_combine_corpus(dir.str(), c, in, "a").added);
  c.routed_scaling_factor = 1.0;
  EXPECT_EQ(add_to_combine_corpus(dir.str(), c, in, "b").group, "/fp16/corpus/0001");
  EXPECT_EQ(add_to_combine_corpus(dir.str(), c, golden_combine_inputs(c, Format::fp32, 1, 3), "c").group,
            "/fp32/corpus/0000");
}

TEST(GoldenCorpus_moe_combine, AnInvalidCounterexampleIsRefusedNamingWhatIsWrong) {
  TempDir dir;
  CombineInputs in = golden_combine_inputs(kSmall, Format::bf16, 2, 5);
  in.shared.pop_back();
  try {
    add_to_combine_corpus(dir.str(), kSmall, in, "a");
    FAIL() << "inputs sized wrong were kept";
  } catch (const GoldenError& e) {
    EXPECT_NE(std::string(e.what()).find("shared has 9 elements"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(testing::entries(dir.str()).empty()) << "nothing was written";
}

TEST(GoldenCorpus_moe_combine, RegenCarriesTheCorpusOverAndDropsItOnlyWhenAsked) {
  TempDir dir;
  add_to_combine_corpus(dir.str(), kSmall, golden_combine_inputs(kSmall, Format::fp32, 2, 5), "a");
  const CombineGoldenFile kept = regen_combine_golden(dir.str(), host_kernels(), false);
  EXPECT_EQ(kept.cases.size(), combine_case_specs().size());
  ASSERT_EQ(kept.corpora.size(), 1u);
  const CombineGoldenFile read = read_combine_golden(golden_path(dir.str(), kCombineOpName));
  ASSERT_EQ(read.corpora.size(), 1u);
  EXPECT_EQ(read.corpora[0].entries[0].found_by, "a");
  EXPECT_TRUE(regen_combine_golden(dir.str(), host_kernels(), true).corpora.empty());
  EXPECT_TRUE(read_combine_golden(golden_path(dir.str(), kCombineOpName)).corpora.empty());
}

TEST(GoldenCorpus_moe_combine, AnUnreadableOldFileStopsRegenUnlessTheCorpusIsDropped) {
  TempDir dir;
  const std::string path = golden_path(dir.str(), kCombineOpName);
  add_to_combine_corpus(dir.str(), kSmall, golden_combine_inputs(kSmall, Format::fp32, 2, 5), "a");
  testing::truncate_file(path, 0.5);
  try {
    regen_combine_golden(dir.str(), host_kernels(), false);
    FAIL() << "regen replaced a file whose corpus it could not read";
  } catch (const GoldenError& e) {
    EXPECT_NE(std::string(e.what()).find("--drop-corpus"), std::string::npos) << e.what();
  }
  EXPECT_NO_THROW(regen_combine_golden(dir.str(), host_kernels(), true));
}

TEST(GoldenCheck_moe_combine, TheHostKernelsPassWithTheirRecordedFigures) {
  const CombineGoldenFile f = build_combine_golden(host_kernels());
  for (const CombineKernel* k : runnable_combine_kernels()) {
    const CombineFileCheck c = check_combine_kernel(f, *k);
    EXPECT_TRUE(c.passes()) << k->name();
    EXPECT_FALSE(c.groups.empty()) << k->name();
    for (const CombineGroupCheck& g : c.groups) {
      ASSERT_TRUE(g.recorded) << g.group;
      EXPECT_EQ(g.stats.max_ulp, g.recorded->max_ulp) << k->name() << " " << g.group;
      EXPECT_EQ(g.stats.budget_breaches, 0) << k->name() << " " << g.group;
      EXPECT_TRUE(g.first_failure.empty());
    }
  }
}

TEST(GoldenCheck_moe_combine, CasesAKernelDoesNotClaimAreSkippedWithTheReason) {
  const CombineFileCheck c = check_combine_kernel(build_combine_golden(host_kernels()),
                                                  *find_combine_kernel("host.combine_fold"));
  ASSERT_EQ(c.skipped.size(), 6u) << "the six fp16 cases";
  EXPECT_NE(c.skipped[0].find("/fp16/deepseek_v3: host.combine_fold does not claim k=8 hidden=256 scale=2.5 in fp16"),
            std::string::npos)
      << c.skipped[0];
  EXPECT_EQ(c.groups.size(), 12u);
}

TEST(GoldenCheck_moe_combine, APlantedKernelFailsEveryCaseAndItsElementIsExplained) {
  const CombineDropsLastExpert planted;
  const CombineFileCheck c = check_combine_kernel(build_combine_golden(host_kernels()), planted);
  EXPECT_FALSE(c.passes());
  ASSERT_EQ(c.groups.size(), combine_case_specs().size());
  for (const CombineGroupCheck& g : c.groups) {
    EXPECT_FALSE(g.passes()) << g.group;
    EXPECT_FALSE(g.recorded) << "the file records built-in kernels only";
    EXPECT_NE(g.first_failure.find("outside the claim"), std::string::npos) << g.first_failure;
  }
}

TEST(GoldenCheck_moe_combine, ACounterexampleInTheCorpusIsCheckedForever) {
  TempDir dir;
  const CombineDropsLastExpert planted;
  add_to_combine_corpus(dir.str(), kSmall, golden_combine_inputs(kSmall, Format::fp16, 1, 11), "planted");
  const CombineGoldenFile f = read_combine_golden(golden_path(dir.str(), kCombineOpName));
  const CombineFileCheck bad = check_combine_kernel(f, planted);
  ASSERT_EQ(bad.groups.size(), 1u);
  EXPECT_EQ(bad.groups[0].group, "/fp16/corpus/0000");
  EXPECT_FALSE(bad.passes());
  const CombineFileCheck good = check_combine_kernel(f, *find_combine_kernel("host.combine_fold_fused"));
  ASSERT_EQ(good.groups.size(), 1u);
  EXPECT_TRUE(good.passes());
}

}  // namespace
}  // namespace ulpcheck::golden
