// `golden verify` of the MoE combine file recomputes what it records and names every
// difference: an edited output, exact value, scale, input or figure, an edited configuration,
// a missing case or kernel, an edited counterexample. A file just written by regen has none.
// Labels, provenance and members nothing recomputes are held by each group's digest.
#include "ulpcheck/golden/combine/verify.hpp"

#include <gtest/gtest.h>

#include "tests/golden/h5_edit.hpp"
#include "tests/golden/verify_problems.hpp"
#include "ulpcheck/golden/combine/corpus.hpp"
#include "ulpcheck/golden/combine/regen.hpp"

namespace ulpcheck::golden {
namespace {

using testing::TempDir;

/// 2 tokens of 8 experts, hidden 256: outputs [2, 256], routed rows [16, 256].
constexpr const char* kCase = "/bf16/deepseek_v3";
constexpr const char* kKernel = "/bf16/deepseek_v3/kernels/host.combine_fold_fused";

class VerifyCombineGolden : public ::testing::Test {
 protected:
  void SetUp() override {
    path = golden_path(dir.str(), kCombineOpName);
    CombineBuildOptions o;
    o.kernels = runnable_combine_kernels();
    regen_combine_golden(dir.str(), o, false);
  }
  VerifyResult verify() { return verify_combine_golden(path, read_combine_golden(path), runnable_combine_kernels()); }
  /// Exactly one problem, which contains every part, the file and the regen command.
  void expect_one_problem(std::initializer_list<std::string> parts) {
    const VerifyResult r = verify();
    ASSERT_EQ(r.problems.size(), 1u) << ::testing::PrintToString(r.problems);
    for (const std::string& p : parts) EXPECT_NE(r.problems[0].find(p), std::string::npos) << r.problems[0];
    EXPECT_NE(r.problems[0].find(path), std::string::npos) << r.problems[0];
    EXPECT_NE(r.problems[0].find("ulpcheck golden regen --op moe_combine"), std::string::npos) << r.problems[0];
  }
  std::vector<std::string> problems() { return testing::verify_problems([&] { return verify(); }); }
  void expect_named(const std::string& object, std::initializer_list<std::string> parts) {
    testing::expect_first_problem_names(problems(), path, object, parts);
  }
  /// A small counterexample kept in the fp32 corpus: /fp32/corpus/0000.
  void keep_counterexample() {
    const CombineConfig c{3, 5, 2.5};
    ASSERT_TRUE(add_to_combine_corpus(dir.str(), c, golden_combine_inputs(c, Format::fp32, 2, 9), "test").added);
  }
  TempDir dir;
  std::string path;
};

TEST_F(VerifyCombineGolden, AFreshFileHasNoProblems) {
  const VerifyResult r = verify();
  EXPECT_TRUE(r.problems.empty()) << ::testing::PrintToString(r.problems);
  EXPECT_TRUE(r.notes.empty());
}

TEST_F(VerifyCombineGolden, AnEditedRoundedOutputIsNamedWithItsIndex) {
  // Token 1, hidden 3: row-major index 256 + 3.
  const std::uint32_t bits = read_combine_golden(path).cases[0].answers.rounded_bits[259];
  testing::edit_element<std::uint32_t>(path, std::string(kCase) + "/rounded_bits", 259, bits ^ 1u);
  expect_one_problem({std::string(kCase) + "/rounded_bits differs at 1 of 512 elements, first at index 259"});
}

TEST_F(VerifyCombineGolden, AnEditedExactValueIsNamed) {
  testing::edit_element(path, std::string(kCase) + "/exact_hi", 5, 0.5);
  expect_one_problem({std::string(kCase) + "/exact_hi differs", "first at index 5", "recorded 0x1p-1"});
}

TEST_F(VerifyCombineGolden, AnEditedLowPartIsNamed) {
  testing::edit_element(path, "/fp16/topk=32/exact_lo", 0, 1e-30);
  expect_one_problem({"/fp16/topk=32/exact_lo differs at 1 of 128 elements, first at index 0"});
}

TEST_F(VerifyCombineGolden, AnEditedScaleIsNamed) {
  testing::edit_element(path, "/fp32/odd_hidden=77/scale", 76, 1.0);
  expect_one_problem({"/fp32/odd_hidden=77/scale differs at 1 of 231 elements, first at index 76"});
}

TEST_F(VerifyCombineGolden, AnEditedRoutedOutputIsNamed) {
  testing::edit_element<std::uint32_t>(path, std::string(kCase) + "/routed_bits", 300, 0x3f80);
  expect_one_problem({std::string(kCase) + "/routed_bits differs at 1 of 4096 elements, first at index 300"});
}

TEST_F(VerifyCombineGolden, AnEditedWeightIsNamed) {
  testing::edit_element<std::uint32_t>(path, "/fp16/scale=0.1/weights_bits", 9, 0x3f000000);  // 0.5f
  expect_one_problem({"/fp16/scale=0.1/weights_bits differs at 1 of 32 elements, first at index 9: recorded 0x3f000000"});
}

TEST_F(VerifyCombineGolden, AnEditedSharedOutputIsNamed) {
  testing::edit_element<std::uint32_t>(path, "/bf16/topk=1/shared_bits", 500, 0);
  expect_one_problem({"/bf16/topk=1/shared_bits differs at 1 of 512 elements, first at index 500"});
}

TEST_F(VerifyCombineGolden, AnEditedConfigurationIsNamed) {
  testing::edit_attribute(path, kCase, "routed_scaling_factor", 2.0);
  expect_one_problem({std::string(kCase) + " has configuration 'k=8 hidden=256 scale=2'",
                      "its name says 'k=8 hidden=256 scale=2.5'"});
}

TEST_F(VerifyCombineGolden, AnEditedSeedIsCaughtByTheInputs) {
  testing::edit_attribute(path, "/fp32/scale=1", "seed", 2);
  const VerifyResult r = verify();
  ASSERT_EQ(r.problems.size(), 3u) << ::testing::PrintToString(r.problems);
  EXPECT_NE(r.problems[0].find("/fp32/scale=1/routed_bits differs"), std::string::npos) << r.problems[0];
  EXPECT_NE(r.problems[1].find("/fp32/scale=1/weights_bits differs"), std::string::npos) << r.problems[1];
  EXPECT_NE(r.problems[2].find("/fp32/scale=1/shared_bits differs"), std::string::npos) << r.problems[2];
}

TEST_F(VerifyCombineGolden, AnEditedFigureIsNamed) {
  testing::edit_attribute(path, kKernel, "max_ulp", 0.25);
  expect_one_problem({std::string(kKernel) + " attribute max_ulp is 0.25"});
}

TEST_F(VerifyCombineGolden, AnEditedClaimIsNamed) {
  testing::edit_attribute(path, "/fp16/topk=1/kernels/host.combine_fp16_guard", "budget_relative", 1.0);
  expect_one_problem({"/fp16/topk=1/kernels/host.combine_fp16_guard attribute budget_relative is 1"});
}

TEST_F(VerifyCombineGolden, AnEditedWorstIndexIsNamed) {
  testing::edit_element<std::int64_t>(path, std::string(kKernel) + "/worst_index", 0, 511);
  const std::vector<std::string> found = problems();
  ASSERT_EQ(found.size(), 1u) << ::testing::PrintToString(found);
  EXPECT_NE(found[0].find(std::string(kKernel) + "/worst_index differs"), std::string::npos) << found[0];
}

TEST_F(VerifyCombineGolden, AMissingCaseIsNamed) {
  testing::delete_object(path, "/fp16/odd_hidden=77");
  expect_one_problem({"/fp16/odd_hidden=77 is missing"});
}

TEST_F(VerifyCombineGolden, AMissingKernelIsNamed) {
  testing::delete_object(path, kKernel);
  expect_one_problem({std::string(kCase) + "/kernels has no figures of host.combine_fold_fused"});
}

TEST_F(VerifyCombineGolden, AKernelRecordedWhereItClaimsNothingIsNamed) {
  // The naive placements do not claim fp16: a copy of their figures there is forged.
  testing::copy_object(path, "/bf16/topk=1/kernels/host.combine_fold", "/fp16/topk=1/kernels/host.combine_fold");
  const std::vector<std::string> found = problems();
  ASSERT_FALSE(found.empty());
  EXPECT_NE(found[0].find("/fp16/topk=1/kernels/host.combine_fold records figures for a case the kernel does not "
                          "claim"),
            std::string::npos)
      << found[0];
}

TEST_F(VerifyCombineGolden, AnEditedCounterexampleAnswerIsNamed) {
  keep_counterexample();
  EXPECT_TRUE(verify().problems.empty());
  testing::edit_element(path, "/fp32/corpus/0000/exact_hi", 7, 0.125);
  expect_one_problem({"/fp32/corpus/0000/exact_hi differs at 1 of 10 elements, first at index 7"});
}

TEST_F(VerifyCombineGolden, AnEditedCounterexampleConfigLabelIsNamed) {
  keep_counterexample();
  testing::set_string_attribute(path, "/fp32/corpus/0000", "config", "k=3 hidden=5 scale=1");
  expect_named("/fp32/corpus/0000", {"attribute config is 'k=3 hidden=5 scale=1'", "say 'k=3 hidden=5 scale=2.5'"});
}

TEST_F(VerifyCombineGolden, AnEditedConfigLabelIsNamed) {
  testing::set_string_attribute(path, kCase, "config", "k=6 hidden=256 scale=2.5");
  expect_named(kCase, {"config", "k=6"});
}

TEST_F(VerifyCombineGolden, AnEditedInputLabelIsNamed) {
  testing::set_string_attribute(path, kCase, "input", "normal(0, 1)");
  expect_named(kCase, {"attribute input is 'normal(0, 1)'", "the inputs are drawn as"});
}

TEST_F(VerifyCombineGolden, AnEditedDtypeIsNamed) {
  testing::set_string_attribute(path, "/fp16", "dtype", "bf16");
  expect_named("/fp16", {"dtype"});
}

TEST_F(VerifyCombineGolden, EditedProvenanceIsNamed) {
  testing::set_string_attribute(path, "/", "device", "NVIDIA B200");
  expect_named("/", {"digest"});
}

TEST_F(VerifyCombineGolden, AForgedKernelGroupIsNamed) {
  testing::copy_object(path, kKernel, std::string(kCase) + "/kernels/cuda.forged");
  expect_named(std::string(kCase) + "/kernels", {"digest"});
}

TEST_F(VerifyCombineGolden, AnAddedDatasetIsRefusedByName) {
  testing::add_dataset(path, kCase, "bias", {0.5});
  expect_named(kCase, {"'bias'"});
}

TEST_F(VerifyCombineGolden, AnAddedAttributeIsRefusedByName) {
  testing::add_attribute(path, kKernel, "note", 1.0);
  expect_named(kKernel, {"'note'"});
}

TEST_F(VerifyCombineGolden, ADeletedCounterexampleIsNamed) {
  keep_counterexample();
  testing::delete_object(path, "/fp32/corpus/0000");
  expect_named("/fp32/corpus", {"digest"});
}

TEST_F(VerifyCombineGolden, FiguresOfAKernelThatCannotRunHereAreANoteNotAPass) {
  const VerifyResult r = verify_combine_golden(path, read_combine_golden(path), {});
  EXPECT_TRUE(r.problems.empty()) << ::testing::PrintToString(r.problems);
  ASSERT_FALSE(r.notes.empty());
  EXPECT_NE(r.notes[0].find("not re-measured"), std::string::npos) << r.notes[0];
}

}  // namespace
}  // namespace ulpcheck::golden
