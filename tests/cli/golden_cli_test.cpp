// `ulpcheck golden` end to end: regen writes files that verify; a killed regen leaves the
// old file intact; verify reports edited, truncated and wrong-schema files with exit 2;
// check prints figures beside the recorded ones and exits 1 on a breach; counterexamples
// that `fuzz` finds land in the corpus once and are checked from then on. The same for the
// routing file.
#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>

#include "tests/cli/run_ulpcheck.hpp"
#include "tests/golden/h5_edit.hpp"
#include "tests/properties/routing/planted_routing_kernels.hpp"
#include "ulpcheck/golden/routing/corpus.hpp"
#include "ulpcheck/properties/routing/fuzz.hpp"

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

/// A directory with fresh golden files of every op and of routing (small samples and 16
/// tokens per routing case, so tests stay fast).
class GoldenCli : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto r = ulpcheck("golden regen --samples 200 --tokens 16 --dir " + dir.str());
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  std::string file(const char* op) const { return dir.file(std::string(op) + ".h5"); }
  /// The temporaries beside op's file ("<op>.h5.tmp.XXXXXX").
  std::set<std::string> temporaries(const char* op) const {
    std::set<std::string> out;
    for (const std::string& name : testing::entries(dir.str()))
      if (name.starts_with(std::string(op) + ".h5.tmp.")) out.insert(name);
    return out;
  }
  TempDir dir;
};

TEST_F(GoldenCli, RegenWritesEveryOpAndShowsProgress) {
  const auto r = ulpcheck("golden regen --samples 200 --op silu_and_mul_clamp --dir " + dir.str());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "regen: silu_and_mul_clamp /fp16/limit=7.3: 2700 elements, 4 kernels")) << r.output;
  EXPECT_TRUE(contains(r.output, file("silu_and_mul_clamp") + ": 15 cases")) << r.output;
  for (const char* op : {"silu", "silu_and_mul", "silu_and_mul_clamp", "biased_grouped_topk"})
    EXPECT_TRUE(std::filesystem::exists(file(op)));
}

TEST(GoldenCliShards, ShardsTogetherWriteWhatOneRunWrites) {
  // Files are written one by one, each from its own seed: three shards of five files (one,
  // two and two) give the bytes of one run.
  const std::string ops = "--op silu --op gelu --op gelu_tanh --op silu_and_mul --op gelu_and_mul --samples 100 ";
  TempDir whole, shards;
  ASSERT_EQ(ulpcheck("golden regen " + ops + "--dir " + whole.str()).exit_code, 0);
  for (const char* k : {"3/3", "1/3", "2/3"}) {
    const auto r = ulpcheck("golden regen " + ops + "--shard " + k + " --dir " + shards.str());
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  const std::set<std::string> names = testing::entries(whole.str());
  EXPECT_EQ(names.size(), 5u);
  EXPECT_EQ(names, testing::entries(shards.str()));
  for (const std::string& name : names)
    EXPECT_EQ(testing::read_bytes(whole.file(name)), testing::read_bytes(shards.file(name))) << name;
  expect_usage_error("golden regen --shard 4/3 --dir " + shards.str(), {"--shard 4/3"});
}

TEST(GoldenCliCommitted, CheckCatchesALayoutBugAndNamesItsCall) {
  // The committed file, read only: its inputs go to the kernel in several calls, the last
  // one a row wider than 8192 (ulpcheck/properties/batches.hpp).
  const auto r = ulpcheck("golden check --dir '" + std::string(ULPCHECK_GOLDEN_DATA) + "' --op silu_and_mul " +
                          kPlugin + "--kernel planted.wide_row_wraps_at_8192");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "0 of 3 groups passed")) << r.output;
  EXPECT_TRUE(contains(r.output, "input [1, 20014] (call 4 of 4: [1, 2000] + [1, 640] + [7, 1998] + [1, 20014]), "
                                 "element [0, 8"))
      << r.output;
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
  // The killed regen's temporary stays behind, under a name of its own that nothing reads;
  // the next regen renames its own temporary into place and leaves no other.
  const std::set<std::string> stale = temporaries("silu");
  EXPECT_EQ(stale.size(), 1u);
  EXPECT_EQ(ulpcheck("golden verify --op silu --dir " + dir.str()).exit_code, 0);
  EXPECT_EQ(ulpcheck("golden regen --samples 999 --op silu --dir " + dir.str()).exit_code, 0);
  EXPECT_EQ(temporaries("silu"), stale);
  EXPECT_NE(testing::read_bytes(file("silu")), before);
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

TEST_F(GoldenCli, AFileThatCrashesHdf5IsAProblemWithExitTwo) {
  // Strings pointing past their heap: HDF5 1.10.8 follows them unchecked; verify, check and
  // show ended with SIGSEGV (exit 139) before the readers ran HDF5 in a child first.
  ASSERT_GT(testing::point_strings_past_their_heap(file("silu_and_mul")), 0);
  const auto r = ulpcheck("golden verify --dir " + dir.str());
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_TRUE(contains(r.output, file("silu_and_mul") + ": / makes the HDF5 library crash as it is read")) << r.output;
  EXPECT_TRUE(contains(r.output, file("silu") + ": verified")) << "the other files are still verified";
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

TEST_F(GoldenCli, FilesNameTheirWriterAsVersionDoes) {
  // The `tool` attribute and `ulpcheck --version` come from the one project version.
  const auto version = ulpcheck("--version", testing::Capture::stdout_only);
  ASSERT_EQ(version.exit_code, 0) << version.output;
  ASSERT_TRUE(version.output.starts_with("ulpcheck ")) << version.output;
  const std::string writer = version.output.substr(0, version.output.find('\n'));
  for (const char* op : {"silu_and_mul_clamp", "biased_grouped_topk"}) {
    const auto show = ulpcheck(std::string("golden show --op ") + op + " --dir " + dir.str());
    EXPECT_TRUE(contains(show.output, "written by " + writer + ";")) << show.output;
  }
}

TEST_F(GoldenCli, ShowPrintsProvenanceCasesAndFigures) {
  const auto r = ulpcheck("golden show --op silu_and_mul_clamp --dir " + dir.str());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  for (const char* part : {"schema 1", "oracle:", "device: none (host kernels only)", "/fp16/limit=7.3:",
                           "host.composite", "correctly rounded"})
    EXPECT_TRUE(contains(r.output, part)) << "missing " << part << " in:\n" << r.output;
}

// --- the routing file

TEST_F(GoldenCli, RoutingRegenShowsProgressAndTheFileVerifies) {
  const auto r = ulpcheck("golden regen --tokens 16 --op biased_grouped_topk --dir " + dir.str());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "regen: biased_grouped_topk /bf16+fp32/deepseek_v3.bias=around_7: 16 tokens of "
                                 "E=256 groups=8 keep=4 top=8 sigmoid renorm scale=2.5, 4 kernels"))
      << r.output;
  EXPECT_TRUE(contains(r.output, file("biased_grouped_topk") + ": 33 cases, 528 tokens, 0 corpus counterexamples"))
      << r.output;
  const auto v = ulpcheck("golden verify --op biased_grouped_topk --dir " + dir.str());
  EXPECT_EQ(v.exit_code, 0) << v.output;
  EXPECT_TRUE(contains(v.output, file("biased_grouped_topk") + ": verified")) << v.output;
}

TEST_F(GoldenCli, AKilledRoutingRegenLeavesTheOldFileIntact) {
  const std::string before = testing::read_bytes(file("biased_grouped_topk"));
  ::setenv("ULPCHECK_TEST_DIE_BEFORE_RENAME", "1", 1);
  const auto r = ulpcheck("golden regen --tokens 17 --op biased_grouped_topk --dir " + dir.str());
  ::unsetenv("ULPCHECK_TEST_DIE_BEFORE_RENAME");
  EXPECT_EQ(r.exit_code, 128 + SIGKILL) << r.output;
  EXPECT_EQ(testing::read_bytes(file("biased_grouped_topk")), before);
}

TEST_F(GoldenCli, VerifyReportsAnEditedRoutingIdWithExitTwo) {
  testing::edit_element<std::int32_t>(file("biased_grouped_topk"), "/fp32+fp32/one_group_kept/ids", 9, 31);
  const auto r = ulpcheck("golden verify --dir " + dir.str());
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_TRUE(contains(r.output, "/fp32+fp32/one_group_kept/ids differs at 1 of 64 elements, first at index 9"))
      << r.output;
  EXPECT_TRUE(contains(r.output, file("biased_grouped_topk") + ": 1 problem(s)")) << r.output;
  EXPECT_TRUE(contains(r.output, file("silu") + ": verified")) << "the other files are still verified";
}

TEST_F(GoldenCli, VerifyReportsAnEditedRoutingConfigurationWithExitTwo) {
  testing::edit_attribute(file("biased_grouped_topk"), "/bf16+bf16/every_group_kept", "topk", 6);
  const auto r = ulpcheck("golden verify --op biased_grouped_topk --dir " + dir.str());
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_TRUE(contains(r.output, "/bf16+bf16/every_group_kept/ids has shape [16, 8], expected [16, 6]")) << r.output;
}

TEST_F(GoldenCli, VerifyReportsATruncatedRoutingFileWithExitTwo) {
  testing::truncate_file(file("biased_grouped_topk"), 0.6);
  const auto r = ulpcheck("golden verify --op biased_grouped_topk --dir " + dir.str());
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_TRUE(contains(r.output, file("biased_grouped_topk") + ": 1 problem(s)")) << r.output;
}

TEST_F(GoldenCli, CheckRunsRoutingKernelsBesideTheRecordedFigures) {
  const std::string check = "golden check --kernel host.routing_fp32 --op biased_grouped_topk --dir " + dir.str();
  const auto same = ulpcheck(check);
  EXPECT_EQ(same.exit_code, 0) << same.output;
  EXPECT_TRUE(contains(same.output, "host.routing_fp32 on " + file("biased_grouped_topk"))) << same.output;
  EXPECT_TRUE(contains(same.output, "33 of 33 groups passed")) << same.output;
  EXPECT_FALSE(contains(same.output, "(was ")) << same.output;
  testing::edit_attribute(file("biased_grouped_topk"), "/fp32+fp32/odd.E15_groups5/kernels/host.routing_fp32",
                          "max_weight_ulp", 0.125);
  const auto changed = ulpcheck(check);
  EXPECT_EQ(changed.exit_code, 0) << "a changed figure within budget is shown, not failed";
  EXPECT_TRUE(contains(changed.output, "(was 0.125)")) << changed.output;
}

TEST_F(GoldenCli, CheckExitsOneWhenARoutingKernelDisagreesWithTheRecordedExperts) {
  // The oracle's answer for token 0 of a case made wrong: its best expert replaced by one
  // it did not pick. The kernel now differs from the recorded answer, with no near-tie.
  const std::string path = file("biased_grouped_topk");
  const golden::RoutingGoldenFile f = golden::read_routing_golden(path);
  const golden::RoutingGoldenCase& c = f.cases[0];
  ASSERT_EQ(c.name, "deepseek_v3.bias=deepseek_v3");
  std::int32_t unpicked = 0;
  while (std::find(c.answers.ids.begin(), c.answers.ids.begin() + 8, unpicked) != c.answers.ids.begin() + 8) ++unpicked;
  testing::edit_element<std::int32_t>(path, "/fp32+fp32/deepseek_v3.bias=deepseek_v3/ids", 0, unpicked);
  const auto r = ulpcheck("golden check --kernel host.routing_fp32 --op biased_grouped_topk --dir " + dir.str());
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "32 of 33 groups passed")) << r.output;
  EXPECT_TRUE(contains(r.output, "first failing token: token 0 of 16")) << r.output;
  EXPECT_TRUE(contains(r.output, "a routing error")) << r.output;
}

TEST_F(GoldenCli, ShowSummarisesTheRoutingFile) {
  const auto r = ulpcheck("golden show --op biased_grouped_topk --dir " + dir.str());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  for (const char* part : {"schema 1", "oracle: route_exact", "device: none (host kernels only)",
                           "/fp32+fp16/deepseek_v3.bias=around_7: 16 tokens of E=256", "bias N(7, 0.25^2), seed 1",
                           "/bf16+bf16/bits.logits_and_bias", "host.routing_input_dtype", "near-ties"})
    EXPECT_TRUE(contains(r.output, part)) << "missing " << part << " in:\n" << r.output;
}

TEST_F(GoldenCli, RoutingCounterexamplesAreCheckedVerifiedAndCarriedOver) {
  // A counterexample as `ulpcheck fuzz` keeps it: the shrunk case of a planted bug.
  const RoutingKernel* planted = nullptr;
  for (const planted::PlantedRoutingKernel& p : planted::all_routing())
    if (p.kernel->name() == "planted.routing_group_score_is_max") planted = p.kernel;
  ASSERT_NE(planted, nullptr);
  const RoutingFuzzProperty* matches = nullptr;
  for (const RoutingFuzzProperty& p : all_routing_fuzz_properties())
    if (p.name == "matches_oracle") matches = &p;
  const FuzzResult found = run_routing_fuzz_property({planted, Format::bf16, Format::fp32}, *matches, FuzzSettings{});
  ASSERT_TRUE(minimal_as<RoutingCase>(found) != nullptr) << found.failure;
  EXPECT_TRUE(golden::add_to_routing_corpus(dir.str(), *minimal_as<RoutingCase>(found), found.id).added);

  const auto check = ulpcheck("golden check --kernel host.routing_fp32 --op biased_grouped_topk --dir " + dir.str());
  EXPECT_EQ(check.exit_code, 0) << check.output;
  EXPECT_TRUE(contains(check.output, "/bf16+fp32/corpus/0000")) << check.output;
  EXPECT_TRUE(contains(check.output, "34 of 34 groups passed")) << check.output;
  EXPECT_EQ(ulpcheck("golden verify --op biased_grouped_topk --dir " + dir.str()).exit_code, 0);
  EXPECT_EQ(ulpcheck("golden regen --tokens 8 --op biased_grouped_topk --dir " + dir.str()).exit_code, 0);
  const auto show = ulpcheck("golden show --op biased_grouped_topk --dir " + dir.str());
  EXPECT_TRUE(contains(show.output, "/bf16+fp32/corpus: 1 fuzz counterexamples")) << show.output;
  EXPECT_TRUE(contains(show.output, "found by planted.routing_group_score_is_max/biased_grouped_topk/bf16+fp32/"
                                    "matches_oracle"))
      << show.output;
}

TEST(GoldenCli_bad_input, ExitsTwoNamingWhatIsWrong) {
  TempDir empty;
  expect_usage_error("golden check --dir /nonexistent-golden-dir", {"--dir /nonexistent-golden-dir", "no such directory"});
  expect_usage_error("golden verify --dir " + empty.str(), {"holds no golden file", "golden regen"});
  expect_usage_error("golden show --op silu --dir " + empty.str(), {"silu.h5", "no such file", "golden regen --op silu"});
  expect_usage_error("golden check --kernel host.nope --dir " + empty.str(), {"--dir"});
  expect_usage_error("golden regen --op nope --dir " + empty.str(), {"--op nope", "no such op", "biased_grouped_topk"});
  expect_usage_error("golden regen --tokens 0 --dir " + empty.str(), {"--tokens"});
  expect_usage_error("golden regen --seed -1 --dir " + empty.str(), {"--seed", "0 to 2^64-1"});
  expect_usage_error("golden show --op biased_grouped_topk --dir " + empty.str(),
                     {"biased_grouped_topk.h5", "no such file", "golden regen --op biased_grouped_topk"});
  expect_usage_error("golden regen --samples -1 --dir " + empty.str(), {"--samples"});
  expect_usage_error("golden", {"subcommand"});
  expect_usage_error("fuzz --golden-dir /nonexistent-golden-dir", {"--golden-dir /nonexistent-golden-dir"});
  // A directory that cannot be searched (here a symbolic-link loop; for a user without
  // root, one without permissions) ended in a std::filesystem error: exit 3.
  const std::filesystem::path loop = empty.file("loop");
  std::filesystem::create_directory_symlink(loop, loop);
  for (const char* command : {"golden verify", "golden check", "golden regen --op silu"})
    expect_usage_error(std::string(command) + " --dir " + loop.string(), {loop.string(), "symbolic links"});
}

}  // namespace
}  // namespace ulpcheck
