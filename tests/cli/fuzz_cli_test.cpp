// `ulpcheck fuzz` end to end: correct kernels pass, every planted-bug kernel (loaded as a
// plugin) is caught within the default case count, failures print a shrunk case and a
// replay token that reproduces it, the same seed gives the same output, --junit writes XML.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "tests/cli/run_ulpcheck.hpp"
#include "tests/properties/planted_kernels.hpp"

#ifndef ULPCHECK_PLANTED_PLUGIN
#error "ULPCHECK_PLANTED_PLUGIN must name the planted-bug plugin"
#endif

namespace ulpcheck {
namespace {

using testing::contains;
using testing::expect_usage_error;
using testing::ulpcheck;

/// `fuzz` with the planted plugin loaded.
const std::string kFuzzPlanted = std::string("fuzz --plugin '") + ULPCHECK_PLANTED_PLUGIN + "' ";

/// The replay token printed after "replay: ulpcheck fuzz --replay '".
std::string replay_token(const std::string& output) {
  const std::string marker = "--replay '";
  const auto at = output.find(marker);
  if (at == std::string::npos) return {};
  const auto start = at + marker.size();
  return output.substr(start, output.find('\'', start) - start);
}

TEST(Cli_fuzz, CorrectKernelPassesWithExitZero) {
  const auto r = ulpcheck("fuzz --kernel host.double_rounding --dtype bf16 --dtype fp32 --cases 30");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "60 of 60 property runs passed")) << r.output;
  EXPECT_TRUE(contains(r.output, "[ 1/60] host.double_rounding silu bf16 within_budget: 30 cases passed")) << r.output;
}

TEST(Cli_fuzz, DefaultRunPassesEveryCorrectKernel) {
  // Every kernel that can run here (the host ones without a GPU), every op and dtype, 100
  // cases per property, seed 1: the CI job.
  const auto r = ulpcheck("fuzz", testing::Capture::stdout_only);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, " property runs passed (seed 1)")) << r.output;
  EXPECT_FALSE(contains(r.output, "FAILED")) << r.output;
}

TEST(Cli_fuzz, CatchesEveryPlantedKernelWithDefaultCases) {
  for (const planted::PlantedKernel& pk : planted::all()) {
    SCOPED_TRACE(std::string(pk.kernel->name()));
    const auto r = ulpcheck(kFuzzPlanted + "--kernel " + std::string(pk.kernel->name()) + " --op " + std::string(pk.op));
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_TRUE(contains(r.output, std::string(pk.caught_by) + ": FAILED after")) << r.output;
    EXPECT_TRUE(contains(r.output, "minimal case:")) << r.output;
    EXPECT_FALSE(replay_token(r.output).empty()) << r.output;
  }
}

TEST(Cli_fuzz, FailurePrintsTheShrunkCaseAndAReplayThatReproducesIt) {
  const auto first = ulpcheck(kFuzzPlanted + "--kernel planted.gate_up_swapped --dtype bf16 --op silu_and_mul",
                              testing::Capture::stdout_only);
  ASSERT_EQ(first.exit_code, 1) << first.output;
  for (const char* part : {"output outside the claimed budget", "gate:", "up:", "got:", "exact:", "rounded:",
                           "ULP", "budget:", "minimal case: bf16 input [1, 2] (tokens 1, d 1)"})
    EXPECT_TRUE(contains(first.output, part)) << "missing '" << part << "' in:\n" << first.output;
  const std::string token = replay_token(first.output);
  const auto replay = ulpcheck(kFuzzPlanted + "--replay '" + token + "'", testing::Capture::stdout_only);
  EXPECT_EQ(replay.exit_code, 1) << replay.output;
  // The replayed run prints the same explanation and minimal case.
  const auto explanation = first.output.substr(first.output.find("output outside"),
                                               first.output.find("replay:") - first.output.find("output outside"));
  EXPECT_TRUE(contains(replay.output, explanation)) << replay.output;
}

TEST(Cli_fuzz, SameSeedSameOutput) {
  const std::string args = kFuzzPlanted + "--kernel planted.truncating_conversion --kernel host.single_rounding "
                                     "--op silu_and_mul --cases 40 --seed 11";
  const auto a = ulpcheck(args, testing::Capture::stdout_only), b = ulpcheck(args, testing::Capture::stdout_only);
  EXPECT_EQ(a.exit_code, 1);
  EXPECT_EQ(a.output, b.output);
}

TEST(Cli_fuzz, JunitFileNamesEveryRunAndItsFailure) {
  const std::string path = ::testing::TempDir() + "fuzz_junit.xml";
  std::remove(path.c_str());
  const auto r = ulpcheck(kFuzzPlanted + "--kernel planted.nondeterministic --kernel host.single_rounding --op "
                                    "silu_and_mul --dtype fp16 --cases 20 --junit '" + path + "'");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  std::ifstream in(path);
  ASSERT_TRUE(in) << "no JUnit file at " << path;
  std::stringstream xml;
  xml << in.rdbuf();
  // 4 properties each for the planted kernel and host.single_rounding on silu_and_mul fp16.
  EXPECT_TRUE(contains(xml.str(), "<testsuite name=\"ulpcheck.fuzz\" tests=\"8\"")) << xml.str();
  EXPECT_TRUE(contains(xml.str(), "classname=\"planted.nondeterministic.silu_and_mul.fp16\" name=\"reruns_are_identical\""))
      << xml.str();
  const auto planted_rerun = xml.str().find("name=\"reruns_are_identical\"");
  ASSERT_NE(planted_rerun, std::string::npos);
  EXPECT_EQ(xml.str().compare(xml.str().find('>', planted_rerun) + 1, 15, "\n      <failure"), 0) << xml.str();
  EXPECT_TRUE(contains(xml.str(), "classname=\"host.single_rounding.silu_and_mul.fp16\" name=\"within_budget\" "))
      << xml.str();
}

TEST(Cli_fuzz, TimeBudgetStopsStartingRuns) {
  const auto r = ulpcheck("fuzz --kernel host.single_rounding --time-budget 0.000001 --cases 5");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "time budget of")) << r.output;
}

TEST(Cli_fuzz, BadInputExitsTwo) {
  expect_usage_error("fuzz --cases 0", {"--cases"});
  expect_usage_error("fuzz --kernel nosuch", {"--kernel nosuch", "no such kernel"});
  expect_usage_error("fuzz --op nosuch", {"--op nosuch", "no such op"});
  expect_usage_error("fuzz --replay garbage", {"--replay", "malformed"});
  expect_usage_error("fuzz --kernel host.single_rounding --op silu --dtype bf16 --cases 1 --junit /nonexistent/dir/x.xml",
                     {"--junit", "/nonexistent/dir/x.xml"});
}

}  // namespace
}  // namespace ulpcheck
