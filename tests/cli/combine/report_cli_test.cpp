// The combine family through the ulpcheck binary: listed, reported (moe_combine and
// moe_block), fuzzed and checked against its golden file, and its flags refused with exit 2
// where they do not apply.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>

#include "tests/cli/run_ulpcheck.hpp"

namespace {

using ulpcheck::testing::CliRun;
using ulpcheck::testing::Capture;
using ulpcheck::testing::contains;
using ulpcheck::testing::expect_usage_error;
using ulpcheck::testing::ulpcheck;

TEST(Cli_combine, ListNamesTheOpsAndEveryPlacementWithItsClaims) {
  const CliRun r = ulpcheck("list");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* name : {"moe_combine", "moe_block", "host.combine_fold_fused", "host.combine_fold",
                           "host.combine_fold_storage_sum", "host.combine_scale_output",
                           "host.combine_scale_output_fused", "host.combine_fp16_guard"})
    EXPECT_TRUE(contains(r.output, name)) << name << " missing in:\n" << r.output;
  EXPECT_TRUE(contains(r.output, "k=8 hidden=7168 scale=2.5")) << r.output;
}

TEST(Cli_combine, AReportOfOneConfigMeasuresEveryPlacementThatClaimsIt) {
  const CliRun r = ulpcheck(
      "report --op moe_combine --dtype bf16 --dtype fp16 --topk 4 --hidden 31 --routed-scaling-factor 16 "
      "--tokens 8 --format json",
      Capture::stdout_only);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const nlohmann::json doc = nlohmann::json::parse(r.output);
  const nlohmann::json& combine = doc.at("combine");
  ASSERT_EQ(combine.at("batches").size(), 2u);
  for (const nlohmann::json& b : combine["batches"]) {
    EXPECT_EQ(b["config"]["topk"], 4);
    EXPECT_EQ(b["config"]["hidden"], 31);
    EXPECT_EQ(b["config"]["routed_scaling_factor"], 16.0);
    EXPECT_EQ(b["tokens"], 8);
    // bf16: all six; fp16: the three that do not round the scaled sum to fp16 first.
    EXPECT_EQ(b["cases"].size(), b["dtype"] == "bf16" ? 6u : 3u) << b.dump();
    for (const nlohmann::json& c : b["cases"]) {
      EXPECT_TRUE(c["pass"].get<bool>()) << c.dump();
      EXPECT_EQ(c["count"], 8 * 31);
    }
  }
  EXPECT_EQ(doc["summary"]["cases"], 9);
  bool fp16_fold_skipped = false;
  for (const nlohmann::json& s : doc["skipped"])
    fp16_fold_skipped = fp16_fold_skipped || (s["kernel"] == "host.combine_fold" && s["dtype"] == "fp16");
  EXPECT_TRUE(fp16_fold_skipped) << doc["skipped"].dump();
}

TEST(Cli_combine, TheMarkdownSaysWhereEachKernelPutsTheFactor) {
  const CliRun r = ulpcheck("report --op moe_combine --tokens 4", Capture::stdout_only);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "## moe_combine")) << r.output;
  EXPECT_TRUE(contains(r.output, "Where each kernel puts the factor")) << r.output;
  EXPECT_TRUE(contains(r.output, "| host.combine_fp16_guard | k=6 hidden=256 scale=16 |")) << r.output;
}

TEST(Cli_combine, TheMoeBlockReportAttributesTheErrorToEachStage) {
  const CliRun r = ulpcheck("report --op moe_block --format json", Capture::stdout_only);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const nlohmann::json doc = nlohmann::json::parse(r.output);
  const nlohmann::json& blocks = doc.at("combine").at("moe_blocks");
  ASSERT_EQ(blocks.size(), 1u);
  EXPECT_TRUE(blocks[0]["measured"].get<bool>());
  EXPECT_TRUE(blocks[0]["own_within_claims"].get<bool>());
  std::string stages;
  for (const nlohmann::json& s : blocks[0]["stages"]) stages += s["stage"].get<std::string>() + ",";
  EXPECT_EQ(stages, "router weights,gate_up,activation,down,shared gate_up,shared activation,shared down,");
  EXPECT_EQ(blocks[0]["combines"].size(), 6u);
  EXPECT_TRUE(doc["combine"]["batches"].empty());
}

TEST(Cli_combine, FlagsOfTheCombineAreRefusedWhereTheyDoNotApply) {
  expect_usage_error("report --op moe_combine --hidden 0", {"--hidden"});
  expect_usage_error("report --op silu --hidden 64", {"--hidden 64", "moe_combine"});
  expect_usage_error("report --op silu --routed-scaling-factor 2", {"--routed-scaling-factor", "moe_combine"});
  expect_usage_error("report --op moe_combine --routed-scaling-factor 1e39", {"--routed-scaling-factor 1e39"});
  expect_usage_error("report --op moe_combine --topk 33", {"--topk"});
  expect_usage_error("report --op moe_combine --samples 10", {"--samples 10", "--tokens"});
  expect_usage_error("report --op silu --kernel host.combine_fold", {"--kernel host.combine_fold", "moe_combine"});
}

TEST(Cli_combine, FuzzRunsTheCombinePropertiesOfAKernel) {
  const CliRun r = ulpcheck("fuzz --op moe_combine --kernel host.combine_fp16_guard --cases 5 --no-corpus");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* property : {"within_budget", "placements_agree", "permutation_invariant", "no_fp16_overflow"})
    EXPECT_TRUE(contains(r.output, std::string("host.combine_fp16_guard moe_combine fp16 ") + property)) << r.output;
}

TEST(Cli_combine, TheCommittedGoldenFileVerifiesAndEveryHostPlacementPassesIt) {
  const std::string dir = std::string(ULPCHECK_SOURCE_DIR) + "/golden/data";
  const CliRun verify = ulpcheck("golden verify --op moe_combine --dir '" + dir + "'");
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
  EXPECT_TRUE(contains(verify.output, "moe_combine.h5: verified")) << verify.output;
  const CliRun check = ulpcheck("golden check --op moe_combine --kernel host.combine_scale_output --dir '" + dir + "'");
  EXPECT_EQ(check.exit_code, 0) << check.output;
  EXPECT_TRUE(contains(check.output, "groups passed")) << check.output;
}

}  // namespace
