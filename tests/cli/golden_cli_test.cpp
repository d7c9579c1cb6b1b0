// `ulpcheck golden` end to end: regen writes files that verify; a killed regen leaves the
// old file intact; verify reports edited, truncated and wrong-schema files with exit 2;
// check prints figures beside the recorded ones and exits 1 on a breach; counterexamples
// that `fuzz` finds land in the corpus once and are checked from then on.
#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>

#include "tests/cli/run_ulpcheck.hpp"
#include "tests/golden/h5_edit.hpp"

#ifndef ULPCHECK_PLANTED_PLUGIN
#error "ULPCHECK_PLANTED_PLUGIN must name the planted-bug plugin"
#endif

namespace ulpcheck {
namespace {

using testing::contains;
using testing::expect_usage_error;
using testing::TempDir;
using testing::ulpcheck;

const std::string kPlugin = std::string("--plugin '") + ULPCHECK_PLANTED_PLUGIN + "' ";

/// A directory with fresh golden files of every op (small samples, so tests stay fast).
class GoldenCli : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto r = ulpcheck("golden regen --samples 200 --dir " + dir.str());
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  std::string file(const char* op) const { return dir.file(std::string(op) + ".h5"); }
  TempDir dir;
};

TEST_F(GoldenCli, RegenWritesEveryOpAndShowsProgress) {
  const auto r = ulpcheck("golden regen --samples 200 --op silu_and_mul_clamp --dir " + dir.str());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "regen: silu_and_mul_clamp /fp16/limit=7.3: 2700 elements, 4 kernels")) << r.output;
  EXPECT_TRUE(contains(r.output, file("silu_and_mul_clamp") + ": 15 cases")) << r.output;
  for (const char* op : {"silu", "silu_and_mul", "silu_and_mul_clamp"}) EXPECT_TRUE(std::filesystem::exists(file(op)));
}

TEST_F(GoldenCli, AFreshFileVerifies) {
  const auto r = ulpcheck("golden verify --dir " + dir.str());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, file("silu_and_mul") + ": verified")) << r.output;
}

TEST_F(GoldenCli, AKilledRegenLeavesTheOldFileIntact) {
  const std::string before = testing::read_bytes(file("silu"));
  ::setenv("ULPCHECK_TEST_DIE_BEFORE_RENAME", "1", 1);
  const auto r = ulpcheck("golden regen --samples 999 --op silu --dir " + dir.str());
  ::unsetenv("ULPCHECK_TEST_DIE_BEFORE_RENAME");
  EXPECT_EQ(r.exit_code, 128 + SIGKILL) << "the shell's status of a process killed by SIGKILL: " << r.output;
  EXPECT_EQ(testing::read_bytes(file("silu")), before);
  EXPECT_EQ(ulpcheck("golden verify --op silu --dir " + dir.str()).exit_code, 0);
  // The next regen replaces the stale temporary.
  EXPECT_EQ(ulpcheck("golden regen --samples 999 --op silu --dir " + dir.str()).exit_code, 0);
  EXPECT_FALSE(std::filesystem::exists(file("silu") + ".tmp"));
}

TEST_F(GoldenCli, VerifyReportsAHandEditedValueWithExitTwo) {
  testing::edit_element(file("silu_and_mul"), "/fp32/all/exact_hi", 1000, 3.5);
  const auto r = ulpcheck("golden verify --dir " + dir.str());
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_TRUE(contains(r.output, "/fp32/all/exact_hi differs at 1 of")) << r.output;
  EXPECT_TRUE(contains(r.output, file("silu_and_mul") + ": 1 problem(s)")) << r.output;
  EXPECT_TRUE(contains(r.output, file("silu") + ": verified")) << "the other files are still verified";
}

TEST_F(GoldenCli, VerifyReportsATruncatedFileWithExitTwo) {
  testing::truncate_file(file("silu"), 0.3);
  const auto r = ulpcheck("golden verify --dir " + dir.str());
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_TRUE(contains(r.output, file("silu") + ": 1 problem(s)")) << r.output;
}

TEST_F(GoldenCli, VerifyReportsAWrongSchemaWithExitTwo) {
  testing::edit_attribute(file("silu"), "/", "schema_version", 7);
  const auto r = ulpcheck("golden verify --op silu --dir " + dir.str());
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_TRUE(contains(r.output, "schema_version 7, expected 1")) << r.output;
}

TEST_F(GoldenCli, CheckAndShowRefuseADamagedFileWithExitTwo) {
  testing::flip_chunk_bytes(file("silu_and_mul"), "/fp16/all/x1_bits", 16);
  EXPECT_EQ(ulpcheck("golden check --kernel host.single_rounding --op silu_and_mul --dir " + dir.str()).exit_code, 2);
  EXPECT_EQ(ulpcheck("golden show --op silu_and_mul --dir " + dir.str()).exit_code, 2);
}

TEST_F(GoldenCli, CheckPrintsTheFiguresBesideTheRecordedOnes) {
  const auto same = ulpcheck("golden check --kernel host.double_rounding --op silu_and_mul --dir " + dir.str());
  EXPECT_EQ(same.exit_code, 0) << same.output;
  EXPECT_TRUE(contains(same.output, "3 of 3 groups passed")) << same.output;
  EXPECT_FALSE(contains(same.output, "(was ")) << same.output;
  testing::edit_attribute(file("silu_and_mul"), "/bf16/all/kernels/host.double_rounding", "max_ulp", 0.125);
  const auto changed = ulpcheck("golden check --kernel host.double_rounding --op silu_and_mul --dir " + dir.str());
  EXPECT_EQ(changed.exit_code, 0) << "a changed figure within budget is shown, not failed";
  EXPECT_TRUE(contains(changed.output, "(was 0.125)")) << changed.output;
}

TEST_F(GoldenCli, FuzzCounterexamplesAreKeptOnceAndCheckedFromThenOn) {
  const std::string fuzz = "fuzz " + kPlugin +
                           "--kernel planted.clamp_after_activation --op silu_and_mul_clamp --dtype bf16 "
                           "--golden-dir " + dir.str();
  const auto first = ulpcheck(fuzz);
  EXPECT_EQ(first.exit_code, 1) << first.output;
  EXPECT_TRUE(contains(first.output, "kept in the golden corpus: " + file("silu_and_mul_clamp") + " /bf16/corpus (+"))
      << first.output;
  const auto again = ulpcheck(fuzz);
  EXPECT_TRUE(contains(again.output, "/bf16/corpus (+0 elements)")) << again.output;

  const auto bad = ulpcheck("golden check " + kPlugin + "--kernel planted.clamp_after_activation --op silu_and_mul_clamp "
                            "--dir " + dir.str());
  EXPECT_EQ(bad.exit_code, 1) << bad.output;
  EXPECT_TRUE(contains(bad.output, "/bf16/corpus (limit=")) << bad.output;
  EXPECT_TRUE(contains(bad.output, "first failure of")) << bad.output;
  const auto good = ulpcheck("golden check --kernel host.single_rounding --op silu_and_mul_clamp --dir " + dir.str());
  EXPECT_EQ(good.exit_code, 0) << good.output;
  EXPECT_TRUE(contains(good.output, "/bf16/corpus (limit=")) << good.output;
  EXPECT_EQ(ulpcheck("golden verify --op silu_and_mul_clamp --dir " + dir.str()).exit_code, 0);
}

TEST_F(GoldenCli, ShowPrintsProvenanceCasesAndFigures) {
  const auto r = ulpcheck("golden show --op silu_and_mul_clamp --dir " + dir.str());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  for (const char* part : {"schema 1", "oracle:", "device: none (host kernels only)", "/fp16/limit=7.3:",
                           "host.composite", "correctly rounded"})
    EXPECT_TRUE(contains(r.output, part)) << "missing " << part << " in:\n" << r.output;
}

TEST(GoldenCli_bad_input, ExitsTwoNamingWhatIsWrong) {
  TempDir empty;
  expect_usage_error("golden check --dir /nonexistent-golden-dir", {"--dir /nonexistent-golden-dir", "no such directory"});
  expect_usage_error("golden verify --dir " + empty.str(), {"holds no golden file", "golden regen"});
  expect_usage_error("golden show --op silu --dir " + empty.str(), {"silu.h5", "no such file", "golden regen --op silu"});
  expect_usage_error("golden check --kernel host.nope --dir " + empty.str(), {"--dir"});
  expect_usage_error("golden regen --op nope --dir " + empty.str(), {"--op nope", "no such op"});
  expect_usage_error("golden regen --samples -1 --dir " + empty.str(), {"--samples"});
  expect_usage_error("golden", {"subcommand"});
  expect_usage_error("fuzz --golden-dir /nonexistent-golden-dir", {"--golden-dir /nonexistent-golden-dir"});
}

}  // namespace
}  // namespace ulpcheck
