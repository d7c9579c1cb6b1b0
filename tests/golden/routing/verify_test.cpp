// `golden verify` of the routing file recomputes what it records and names every
// difference: an edited id, weight, margin, logit or figure, an edited configuration, a
// missing case, an edited counterexample. A file just written by regen has none. Labels,
// provenance and members nothing recomputes are held by each group's digest.
#include "ulpcheck/golden/routing/verify.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "tests/golden/h5_edit.hpp"
#include "tests/golden/verify_problems.hpp"
#include "ulpcheck/golden/routing/corpus.hpp"
#include "ulpcheck/golden/routing/regen.hpp"
#include "ulpcheck/properties/routing/inputs.hpp"

namespace ulpcheck::golden {
namespace {

using testing::TempDir;

constexpr const char* kCase = "/fp32+fp32/deepseek_v3.bias=deepseek_v3";

class VerifyRoutingGolden : public ::testing::Test {
 protected:
  void SetUp() override {
    path = golden_path(dir.str(), kRoutingOpName);
    RoutingBuildOptions o;
    o.tokens = 16;
    o.kernels = runnable_routing_kernels();
    write_routing_golden(path, build_routing_golden(o));
  }
  VerifyResult verify() { return verify_routing_golden(path, read_routing_golden(path), runnable_routing_kernels()); }
  /// Exactly one problem, which contains every part, the file and the regen command.
  void expect_one_problem(std::initializer_list<std::string> parts) {
    const VerifyResult r = verify();
    ASSERT_EQ(r.problems.size(), 1u) << ::testing::PrintToString(r.problems);
    for (const std::string& p : parts) EXPECT_NE(r.problems[0].find(p), std::string::npos) << r.problems[0];
    EXPECT_NE(r.problems[0].find(path), std::string::npos) << r.problems[0];
    EXPECT_NE(r.problems[0].find("ulpcheck golden regen --op biased_grouped_topk"), std::string::npos)
        << r.problems[0];
  }
  std::vector<std::string> problems() { return testing::verify_problems([&] { return verify(); }); }
  void expect_named(const std::string& object, std::initializer_list<std::string> parts) {
    testing::expect_first_problem_names(problems(), path, object, parts);
  }
  TempDir dir;
  std::string path;
};

TEST_F(VerifyRoutingGolden, AFreshFileHasNoProblems) {
  const VerifyResult r = verify();
  EXPECT_TRUE(r.problems.empty()) << ::testing::PrintToString(r.problems);
  EXPECT_TRUE(r.notes.empty());
}

TEST_F(VerifyRoutingGolden, AnEditedIdIsNamedWithItsIndex) {
  // Token 2's third expert (row-major index 2 * 8 + 2) replaced by one no token picks first.
  const std::int32_t id = read_routing_golden(path).cases[0].answers.ids[18];
  testing::edit_element<std::int32_t>(path, std::string(kCase) + "/ids", 18, id == 255 ? 254 : 255);
  expect_one_problem({std::string(kCase) + "/ids differs at 1 of 128 elements, first at index 18"});
}

TEST_F(VerifyRoutingGolden, AnEditedWeightIsNamed) {
  testing::edit_element(path, std::string(kCase) + "/weights_hi", 5, 0.5);
  expect_one_problem({std::string(kCase) + "/weights_hi differs", "first at index 5", "recorded 0x1p-1"});
}

TEST_F(VerifyRoutingGolden, AnEditedLowPartOfAWeightIsNamed) {
  testing::edit_element(path, "/bf16+bf16/one_group_kept/weights_lo", 0, 1e-30);
  expect_one_problem({"/bf16+bf16/one_group_kept/weights_lo differs at 1 of"});
}

TEST_F(VerifyRoutingGolden, AnEditedMarginIsNamed) {
  testing::edit_element(path, "/bf16+fp32/deepseek_v3.bias=around_7/expert_margin", 7, 0x1p-30);
  expect_one_problem({"/bf16+fp32/deepseek_v3.bias=around_7/expert_margin differs", "first at index 7"});
}

TEST_F(VerifyRoutingGolden, AnEditedLogitIsNamed) {
  testing::edit_element<std::uint32_t>(path, std::string(kCase) + "/logits_bits", 300, 0x3f800000);
  expect_one_problem({std::string(kCase) + "/logits_bits differs at 1 of 4096 elements, first at index 300"});
}

TEST_F(VerifyRoutingGolden, AnEditedConfigurationIsNamed) {
  testing::edit_attribute(path, kCase, "routed_scaling_factor", 2.0);
  expect_one_problem({std::string(kCase) + " has configuration 'E=256 groups=8 keep=4 top=8 sigmoid renorm scale=2'",
                      "its name says 'E=256 groups=8 keep=4 top=8 sigmoid renorm scale=2.5'"});
}

TEST_F(VerifyRoutingGolden, AnEditedDistributionIsNamed) {
  testing::edit_attribute(path, "/fp32+fp16/deepseek_v3.bias=around_0", "bias_mean", 7.0);
  expect_one_problem({"/fp32+fp16/deepseek_v3.bias=around_0 has logits N(0, 2^2) and bias N(7, 0.5^2)"});
}

TEST_F(VerifyRoutingGolden, AnEditedSeedIsCaughtByTheInputs) {
  testing::edit_attribute(path, "/fp32+fp32/odd.E15_groups5", "seed", 2);
  const VerifyResult r = verify();
  ASSERT_EQ(r.problems.size(), 2u) << ::testing::PrintToString(r.problems);
  EXPECT_NE(r.problems[0].find("/fp32+fp32/odd.E15_groups5/logits_bits differs"), std::string::npos) << r.problems[0];
  EXPECT_NE(r.problems[1].find("/fp32+fp32/odd.E15_groups5/bias_bits differs"), std::string::npos) << r.problems[1];
}

TEST_F(VerifyRoutingGolden, AnEditedFigureIsNamed) {
  testing::edit_attribute(path, std::string(kCase) + "/kernels/host.routing_fp32", "max_weight_ulp", 0.25);
  expect_one_problem({std::string(kCase) + "/kernels/host.routing_fp32 attribute max_weight_ulp is 0.25"});
}

TEST_F(VerifyRoutingGolden, AnEditedClaimIsNamed) {
  testing::edit_attribute(path, "/bf16+bf16/smallest.E2/kernels/host.routing_no_eps", "budget_max_ulp", 1.0);
  expect_one_problem({"/bf16+bf16/smallest.E2/kernels/host.routing_no_eps attribute budget_max_ulp is 1"});
}

TEST_F(VerifyRoutingGolden, AMissingCaseIsNamed) {
  testing::delete_object(path, "/bf16+bf16/bits.logits_and_bias");
  expect_one_problem({"/bf16+bf16/bits.logits_and_bias is missing"});
}

TEST_F(VerifyRoutingGolden, AnEditedCounterexampleAnswerIsNamed) {
  const RoutingConfig c{8, 2, 1, 2, Scoring::sigmoid, true, 1.0};
  const RoutingInputs in =
      routing_batch(c, Format::fp32, Format::fp32, 3, Distribution::normal(0, 2), Distribution::normal(0, 1), 9);
  ASSERT_TRUE(add_to_routing_corpus(dir.str(), RoutingCase{c, in}, "test").added);
  EXPECT_TRUE(verify().problems.empty());
  testing::edit_element(path, "/fp32+fp32/corpus/0000/group_margin", 1, 0.125);
  expect_one_problem({"/fp32+fp32/corpus/0000/group_margin differs at 1 of 3 elements, first at index 1"});
}

TEST_F(VerifyRoutingGolden, AnEditedConfigLabelIsNamed) {
  testing::set_string_attribute(path, kCase, "config", "E=256 groups=8 keep=4 top=6 sigmoid renorm scale=2.5");
  expect_named(kCase, {"config", "top=6"});
}

TEST_F(VerifyRoutingGolden, AnEditedDistributionLabelIsNamed) {
  testing::set_string_attribute(path, kCase, "logits_distribution", "N(0, 1^2)");
  expect_named(kCase, {"logits_distribution", "N(0, 1^2)"});
  testing::set_string_attribute(path, kCase, "logits_distribution", "N(0, 2^2)");
  testing::set_string_attribute(path, kCase, "bias_distribution", "N(0, 1^2)");
  expect_named(kCase, {"bias_distribution"});
}

TEST_F(VerifyRoutingGolden, AnEditedDtypeOfAFormatPairIsNamed) {
  testing::set_string_attribute(path, "/bf16+fp32", "logits_dtype", "fp32");
  expect_named("/bf16+fp32", {"logits_dtype"});
}

TEST_F(VerifyRoutingGolden, EditedProvenanceIsNamed) {
  testing::set_string_attribute(path, "/", "device", "NVIDIA B200");
  expect_named("/", {"digest"});
}

TEST_F(VerifyRoutingGolden, AForgedKernelGroupIsNamed) {
  testing::copy_object(path, std::string(kCase) + "/kernels/host.routing_fp32", std::string(kCase) + "/kernels/cuda.forged");
  expect_named(std::string(kCase) + "/kernels", {"digest"});
}

TEST_F(VerifyRoutingGolden, AnAddedDatasetIsRefusedByName) {
  testing::add_dataset(path, kCase, "scores", {0.5});
  expect_named(kCase, {"'scores'"});
}

TEST_F(VerifyRoutingGolden, ADeletedCounterexampleIsNamed) {
  const RoutingConfig c{8, 2, 1, 2, Scoring::sigmoid, true, 1.0};
  const RoutingInputs in =
      routing_batch(c, Format::fp32, Format::fp32, 3, Distribution::normal(0, 2), Distribution::normal(0, 1), 9);
  ASSERT_TRUE(add_to_routing_corpus(dir.str(), RoutingCase{c, in}, "test").added);
  testing::delete_object(path, "/fp32+fp32/corpus/0000");
  expect_named("/fp32+fp32/corpus", {"digest"});
}

TEST_F(VerifyRoutingGolden, ADistributionOneUlpAwayIsShownAtFullPrecision) {
  // N(2.5, 0.5^2) either way when rounded: the message must show the two sides differ.
  testing::edit_attribute(path, kCase, "bias_sd", std::nextafter(0.5, 1.0));
  expect_one_problem({"0.50000000000000011", "its name says"});
}

TEST_F(VerifyRoutingGolden, FiguresOfAKernelThatCannotRunHereAreANoteNotAPass) {
  const VerifyResult r = verify_routing_golden(path, read_routing_golden(path), {});
  EXPECT_TRUE(r.problems.empty());
  ASSERT_FALSE(r.notes.empty());
  EXPECT_NE(r.notes[0].find("not re-measured"), std::string::npos) << r.notes[0];
}

}  // namespace
}  // namespace ulpcheck::golden
