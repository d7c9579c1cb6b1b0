// The MoE combine file's part of `ulpcheck golden`, called directly until the family is in
// `Families` (the generic commands reach it through std::visit only then): regen writes a
// file that verifies and keeps its corpus, verify names an edit, show prints the cases and
// kernels, and a check prints the figures beside the recorded ones and explains a failure.
#include <gtest/gtest.h>

#include "cli/golden_file.hpp"
#include "tests/golden/h5_edit.hpp"
#include "ulpcheck/golden/combine/check.hpp"
#include "ulpcheck/golden/combine/corpus.hpp"
#include "ulpcheck/golden/combine/regen.hpp"

namespace ulpcheck::cli {
namespace {

using testing::TempDir;

bool mentions(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

class CombineGoldenCli : public ::testing::Test {
 protected:
  void SetUp() override {
    o.dir = dir.str();
    ::testing::internal::CaptureStdout();
    regen_file(o, golden::FileOf<CombineFamily>{}, Provenance{}, nullptr);
    regen_output = ::testing::internal::GetCapturedStdout();
  }
  TempDir dir;
  GoldenOptions o;
  std::string regen_output;
};

TEST_F(CombineGoldenCli, RegenWritesAFileThatVerifies) {
  EXPECT_TRUE(mentions(regen_output, "moe_combine.h5: 18 cases")) << regen_output;
  const golden::VerifyResult r = verify_file(o, golden::FileOf<CombineFamily>{});
  EXPECT_TRUE(r.problems.empty()) << ::testing::PrintToString(r.problems);
  EXPECT_EQ(golden::file_op(golden::FileOf<CombineFamily>{}), "moe_combine");
}

TEST_F(CombineGoldenCli, RegenKeepsTheCorpusUnlessDropped) {
  const CombineConfig c{2, 3, 2.5};
  golden::add_to_combine_corpus(o.dir, c, golden::golden_combine_inputs(c, Format::bf16, 1, 4), "found");
  ::testing::internal::CaptureStdout();
  regen_file(o, golden::FileOf<CombineFamily>{}, Provenance{}, nullptr);
  EXPECT_TRUE(mentions(::testing::internal::GetCapturedStdout(), "1 corpus counterexamples"));
  o.drop_corpus = true;
  ::testing::internal::CaptureStdout();
  regen_file(o, golden::FileOf<CombineFamily>{}, Provenance{}, nullptr);
  EXPECT_TRUE(mentions(::testing::internal::GetCapturedStdout(), "0 corpus counterexamples"));
}

TEST_F(CombineGoldenCli, VerifyNamesAnEditAndAnUnreadableFileIsOneProblem) {
  const std::string path = golden::golden_path(o.dir, kCombineOpName);
  testing::edit_element(path, "/fp32/topk=32/exact_hi", 3, 0.5);
  golden::VerifyResult r = verify_file(o, golden::FileOf<CombineFamily>{});
  ASSERT_EQ(r.problems.size(), 1u) << ::testing::PrintToString(r.problems);
  EXPECT_TRUE(mentions(r.problems[0], "/fp32/topk=32/exact_hi differs")) << r.problems[0];
  testing::truncate_file(path, 0.3);
  r = verify_file(o, golden::FileOf<CombineFamily>{});
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_TRUE(mentions(r.problems[0], path)) << r.problems[0];
}

TEST_F(CombineGoldenCli, ShowPrintsEveryCaseAndItsKernels) {
  ::testing::internal::CaptureStdout();
  show_file(o, golden::FileOf<CombineFamily>{});
  const std::string shown = ::testing::internal::GetCapturedStdout();
  EXPECT_TRUE(mentions(shown, "/bf16/deepseek_v3: 2 tokens of k=8 hidden=256 scale=2.5")) << shown;
  EXPECT_TRUE(mentions(shown, "/fp32/scale=0.1")) << shown;
  EXPECT_TRUE(mentions(shown, "host.combine_fp16_guard")) << shown;
  EXPECT_FALSE(mentions(shown, "FAIL")) << shown;
}

/// host.combine_fold_fused on inputs with the shared output left out: every element off.
class CombineForgetsShared final : public CombineKernel {
 public:
  std::string_view name() const override { return "planted.combine_forgets_shared"; }
  std::string_view description() const override { return "omits the shared expert's output"; }
  std::optional<CombineClaim> claim(const CombineConfig& c, Format f) const override { return base().claim(c, f); }
  void run(const CombineConfig& c, const CombineInputs& in, std::vector<std::uint32_t>& out) const override {
    CombineInputs none = in;
    std::fill(none.shared.begin(), none.shared.end(), 0u);
    base().run(c, none, out);
  }

 private:
  static const CombineKernel& base() { return *find_combine_kernel("host.combine_fold_fused"); }
};

TEST_F(CombineGoldenCli, ACheckPrintsFiguresBesideTheRecordedOnesAndExplainsAFailure) {
  const golden::CombineGoldenFile f = golden::read_combine_golden(golden::golden_path(o.dir, kCombineOpName));
  const golden::KernelCheck good{"host.combine_fold", "moe_combine.h5", {}};
  ::testing::internal::CaptureStdout();
  print_check(good, golden::check_combine_kernel(f, *find_combine_kernel("host.combine_fold")));
  const std::string passed = ::testing::internal::GetCapturedStdout();
  EXPECT_TRUE(mentions(passed, "/bf16/deepseek_v3")) << passed;
  EXPECT_TRUE(mentions(passed, "skipped /fp16/deepseek_v3")) << passed;
  EXPECT_FALSE(mentions(passed, "FAIL")) << passed;
  EXPECT_FALSE(mentions(passed, "(was")) << "figures equal to the recorded ones are shown once";

  const CombineForgetsShared planted;
  ::testing::internal::CaptureStdout();
  print_check({std::string(planted.name()), "moe_combine.h5", {}}, golden::check_combine_kernel(f, planted));
  const std::string failed = ::testing::internal::GetCapturedStdout();
  EXPECT_TRUE(mentions(failed, "FAIL")) << failed;
  EXPECT_TRUE(mentions(failed, "first failing element: token")) << failed;
  EXPECT_TRUE(mentions(failed, "outside the claim")) << failed;
}

}  // namespace
}  // namespace ulpcheck::cli
