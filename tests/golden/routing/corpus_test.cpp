// The routing corpus keeps each fuzz counterexample once with its own configuration,
// survives a regen, and `golden check` runs it; `golden check` passes the host routing
// kernels with their recorded figures and fails every planted routing bug.
#include "ulpcheck/golden/routing/corpus.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <set>

#include "tests/golden/h5_edit.hpp"
#include "tests/properties/routing/planted_routing_kernels.hpp"
#include "ulpcheck/golden/routing/check.hpp"
#include "ulpcheck/golden/routing/regen.hpp"
#include "ulpcheck/properties/routing/fuzz.hpp"

namespace ulpcheck::golden {
namespace {

using testing::TempDir;

const RoutingKernel& planted_kernel(std::string_view name) {
  for (const planted::PlantedRoutingKernel& p : planted::all_routing())
    if (p.kernel->name() == name) return *p.kernel;
  throw std::logic_error("no planted routing kernel " + std::string(name));
}

const RoutingFuzzProperty& property(std::string_view name) {
  for (const RoutingFuzzProperty& p : all_routing_fuzz_properties())
    if (p.name == name) return p;
  throw std::logic_error("no routing property " + std::string(name));
}

/// The shrunk counterexample of a planted bug, as `ulpcheck fuzz` finds it.
FuzzResult counterexample_of(std::string_view kernel) {
  const FuzzResult r = run_routing_fuzz_property({&planted_kernel(kernel), Format::fp32, Format::fp32},
                                                 property("matches_oracle"), FuzzSettings{100, 1});
  EXPECT_FALSE(r.passed);
  EXPECT_TRUE(minimal_as<RoutingCase>(r) != nullptr);
  return r;
}

TEST(GoldenCorpus_biased_grouped_topk, AFuzzCounterexampleIsKeptOnce) {
  TempDir dir;
  const FuzzResult r = counterexample_of("planted.routing_group_score_is_max");
  ASSERT_TRUE(minimal_as<RoutingCase>(r));
  const KeptCounterexample first = add_to_routing_corpus(dir.str(), *minimal_as<RoutingCase>(r), r.id);
  EXPECT_TRUE(first.added);
  EXPECT_EQ(first.group, "/fp32+fp32/corpus/0000");
  const KeptCounterexample again = add_to_routing_corpus(dir.str(), *minimal_as<RoutingCase>(r), r.id);
  EXPECT_FALSE(again.added);
  EXPECT_EQ(again.group, "/fp32+fp32/corpus/0000");

  const RoutingGoldenFile f = read_routing_golden(golden_path(dir.str(), kRoutingOpName));
  EXPECT_TRUE(f.cases.empty());
  ASSERT_EQ(f.corpora.size(), 1u);
  ASSERT_EQ(f.corpora[0].entries.size(), 1u);
  const RoutingCounterexample& e = f.corpora[0].entries[0];
  EXPECT_EQ(e.found_by, r.id);
  EXPECT_EQ(e.routing.config, minimal_as<RoutingCase>(r)->config);
  EXPECT_EQ(e.routing.inputs.logits, minimal_as<RoutingCase>(r)->inputs.logits);
  EXPECT_EQ(e.answers.ids, compute_routing_answers(e.routing.config, e.routing.inputs).ids);
  // Keeping it left the golden file and nothing else (no lock file beside it).
  EXPECT_EQ(testing::entries(dir.str()), std::set<std::string>{"biased_grouped_topk.h5"});
}

TEST(GoldenCorpus_biased_grouped_topk, AnotherConfigurationOrFormatPairIsAnotherCounterexample) {
  TempDir dir;
  RoutingCase c{RoutingConfig{8, 2, 1, 2, Scoring::sigmoid, true, 1.0},
                routing_batch(RoutingConfig{8, 2, 1, 2, Scoring::sigmoid, true, 1.0}, Format::bf16, Format::bf16, 2,
                              Distribution::normal(0, 2), Distribution::normal(0, 1), 3)};
  EXPECT_TRUE(add_to_routing_corpus(dir.str(), c, "a").added);
  c.config.renormalize = false;
  EXPECT_EQ(add_to_routing_corpus(dir.str(), c, "b").group, "/bf16+bf16/corpus/0001");
  c.inputs = with_bias_in(c.inputs, Format::fp32);
  EXPECT_EQ(add_to_routing_corpus(dir.str(), c, "c").group, "/bf16+fp32/corpus/0000");
}

TEST(GoldenCorpus_biased_grouped_topk, RegenCarriesTheCorpusOver) {
  TempDir dir;
  const FuzzResult r = counterexample_of("planted.routing_bias_ignored_in_selection");
  ASSERT_TRUE(minimal_as<RoutingCase>(r));
  add_to_routing_corpus(dir.str(), *minimal_as<RoutingCase>(r), r.id);
  const std::string path = golden_path(dir.str(), kRoutingOpName);
  RoutingBuildOptions o;
  o.tokens = 4;
  o.kernels = runnable_routing_kernels();
  write_routing_golden(path, build_routing_golden(o, read_routing_golden(path).corpora));
  const RoutingGoldenFile f = read_routing_golden(path);
  EXPECT_EQ(f.cases.size(), routing_case_specs().size());
  ASSERT_EQ(f.corpora.size(), 1u);
  ASSERT_EQ(f.corpora[0].entries.size(), 1u);
  EXPECT_EQ(f.corpora[0].entries[0].routing.inputs.logits, minimal_as<RoutingCase>(r)->inputs.logits);
}

TEST(GoldenCheck_biased_grouped_topk, APlantedKernelFailsOnTheCounterexampleThatCaughtIt) {
  TempDir dir;
  const FuzzResult r = counterexample_of("planted.routing_one_group_too_few");
  ASSERT_TRUE(minimal_as<RoutingCase>(r));
  add_to_routing_corpus(dir.str(), *minimal_as<RoutingCase>(r), r.id);
  const RoutingGoldenFile f = read_routing_golden(golden_path(dir.str(), kRoutingOpName));
  const RoutingFileCheck bad = check_routing_kernel(f, planted_kernel("planted.routing_one_group_too_few"));
  ASSERT_EQ(bad.groups.size(), 1u);
  EXPECT_EQ(bad.groups[0].group, "/fp32+fp32/corpus/0000");
  EXPECT_FALSE(bad.passes());
  EXPECT_FALSE(bad.groups[0].stats.failures.empty());
  for (const RoutingKernel* k : runnable_routing_kernels())
    EXPECT_TRUE(check_routing_kernel(f, *k).passes()) << k->name();
}

class GoldenCheckRouting : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    RoutingBuildOptions o;
    o.tokens = 48;
    o.kernels = runnable_routing_kernels();
    file = new RoutingGoldenFile(build_routing_golden(o));
  }
  static void TearDownTestSuite() {
    delete file;
    file = nullptr;
  }
  static RoutingGoldenFile* file;
};
RoutingGoldenFile* GoldenCheckRouting::file = nullptr;

TEST_F(GoldenCheckRouting, HostKernelsPassAndReproduceTheirRecordedFigures) {
  for (const RoutingKernel* k : runnable_routing_kernels()) {
    if (!k->name().starts_with("host.")) continue;
    const RoutingFileCheck c = check_routing_kernel(*file, *k);
    EXPECT_TRUE(c.passes()) << k->name();
    ASSERT_EQ(c.groups.size(), file->cases.size()) << k->name();
    for (const RoutingGroupCheck& g : c.groups) {
      SCOPED_TRACE(std::string(k->name()) + " " + g.group);
      ASSERT_TRUE(g.recorded.has_value());
      EXPECT_EQ(g.stats.matches, g.recorded->matches);
      EXPECT_EQ(g.stats.near_ties, g.recorded->near_ties);
      EXPECT_EQ(g.stats.max_weight_ulp, g.recorded->max_weight_ulp);
      EXPECT_EQ(g.stats.weight_ulp_percentile(0.99), g.recorded->p99_weight_ulp);
    }
  }
}

TEST_F(GoldenCheckRouting, EveryPlantedRoutingBugFailsTheCheck) {
  for (const planted::PlantedRoutingKernel& p : planted::all_routing()) {
    // A kernel that is right on every run but not always the same bits is a fuzz finding
    // (reruns_are_identical), not a golden one; so is one whose other code path above 128
    // tokens stays within the claim, only with other bits (tokens_are_independent).
    if (p.caught_by == "reruns_are_identical" || p.kernel->name() == "planted.routing_tanh_sigmoid_above_128_tokens")
      continue;
    const RoutingFileCheck c = check_routing_kernel(*file, *p.kernel);
    EXPECT_FALSE(c.passes()) << p.kernel->name() << " (" << p.bug << ") passed the golden check";
    int failing = 0;
    for (const RoutingGroupCheck& g : c.groups) failing += !g.stats.passes();
    std::printf("%-45s fails %d of %zu groups\n", std::string(p.kernel->name()).c_str(), failing, c.groups.size());
  }
}

}  // namespace
}  // namespace ulpcheck::golden
