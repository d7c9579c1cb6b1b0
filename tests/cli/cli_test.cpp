// End-to-end tests of the ulpcheck binary: exit codes (0 pass, 2 bad usage), the messages
// of bad input, and the shape of the report output. The binary is run through popen; its
// path comes from the build (ULPCHECK_BINARY).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>
#include <string_view>

#include "tests/cli/run_ulpcheck.hpp"
#include "ulpcheck/device/registry.hpp"
#include "ulpcheck/reference/registry.hpp"

#ifndef ULPCHECK_EXAMPLE_PLUGIN
#error "ULPCHECK_EXAMPLE_PLUGIN must name the example plugin (examples/plugin/)"
#endif
#ifndef ULPCHECK_PROJECT_VERSION
#error "ULPCHECK_PROJECT_VERSION must be CMake's PROJECT_VERSION"
#endif

namespace {

using ulpcheck::testing::CliRun;
using ulpcheck::testing::Capture;
using ulpcheck::testing::contains;
using ulpcheck::testing::expect_usage_error;
using ulpcheck::testing::ulpcheck;

// --- list

TEST(Cli_list, ExitsZeroAndNamesEveryOpAndKernel) {
  const CliRun r = ulpcheck("list");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  ASSERT_FALSE(ulpcheck::all_ops().empty());
  ASSERT_FALSE(ulpcheck::all_kernels().empty());
  for (const ulpcheck::ElementwiseOp* op : ulpcheck::all_ops())
    EXPECT_TRUE(contains(r.output, op->name)) << "op " << op->name << " missing in:\n" << r.output;
  for (const ulpcheck::Kernel* k : ulpcheck::all_kernels())
    EXPECT_TRUE(contains(r.output, k->name())) << "kernel " << k->name() << " missing in:\n" << r.output;
  // The ones this project ships, by name, so that an empty registry cannot pass.
  for (std::string_view name : {"silu", "silu_and_mul", "silu_and_mul_clamp", "host.single_rounding",
                                "host.double_rounding", "host.composite"})
    EXPECT_TRUE(contains(r.output, name)) << name << " missing in:\n" << r.output;
}

// --- report: good runs

TEST(Cli_report, SiluBf16ExhaustiveMarkdown) {
  const CliRun r = ulpcheck("report --op silu --dtype bf16");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "max ULP error")) << r.output;
}

TEST(Cli_report, SiluAndMulFp32JsonHasTheSampleCount) {
  const CliRun r = ulpcheck("report --op silu_and_mul --dtype fp32 --samples 2000 --format json", Capture::stdout_only);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  nlohmann::json doc;
  ASSERT_NO_THROW(doc = nlohmann::json::parse(r.output)) << r.output;
  ASSERT_TRUE(doc.contains("cases") && doc["cases"].size() == 1) << r.output;
  const nlohmann::json& j = doc["cases"][0];
  ASSERT_TRUE(j.contains("count")) << r.output;
  EXPECT_EQ(j["count"].get<std::int64_t>(), 2000);
  EXPECT_EQ(j["op"], "silu_and_mul");
  EXPECT_EQ(j["dtype"], "fp32");
}

TEST(Cli_report, SameSeedGivesByteIdenticalOutput) {
  const std::string args = "report --op silu_and_mul --dtype bf16 --samples 3000 --seed 12345 --format json";
  const CliRun a = ulpcheck(args, Capture::stdout_only);
  const CliRun b = ulpcheck(args, Capture::stdout_only);
  EXPECT_EQ(a.exit_code, 0) << a.output;
  EXPECT_EQ(b.exit_code, 0) << b.output;
  EXPECT_FALSE(a.output.empty());
  EXPECT_EQ(a.output, b.output);
  const CliRun md1 = ulpcheck("report --op silu_and_mul_clamp --dtype fp16 --limit 7.3 --samples 2000 --seed 9",
                           Capture::stdout_only);
  const CliRun md2 = ulpcheck("report --op silu_and_mul_clamp --dtype fp16 --limit 7.3 --samples 2000 --seed 9",
                           Capture::stdout_only);
  EXPECT_EQ(md1.exit_code, 0) << md1.output;
  EXPECT_EQ(md1.output, md2.output);
}

TEST(Cli_report, ClampWithLimitZero) {
  const CliRun r = ulpcheck("report --op silu_and_mul_clamp --dtype bf16 --limit 0 --samples 1000");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "max ULP error")) << r.output;
}

// --- report: bad usage exits 2 and says which flag is wrong and why

TEST(Cli_report, UnknownOp) {
  expect_usage_error("report --op relu_squared --dtype bf16",
                     {"--op", "relu_squared", "expected one of", "silu_and_mul", "gelu_pytorch_tanh (= gelu_tanh)"});
}

TEST(Cli_report, HuggingFaceNameOfTanhGeluIsAccepted) {
  const CliRun r = ulpcheck("report --op gelu_pytorch_tanh --dtype bf16", Capture::stdout_only);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "gelu_tanh")) << r.output;
}

TEST(Cli_report, UnknownDtype) { expect_usage_error("report --op silu --dtype fp64", {"--dtype", "fp64", "no such dtype"}); }

TEST(Cli_report, UnknownKernel) {
  expect_usage_error("report --op silu --dtype bf16 --kernel cuda.nonexistent",
                     {"--kernel", "cuda.nonexistent", "no such kernel", "expected one of"});
}

TEST(Cli_report, NegativeLimit) {
  expect_usage_error("report --op silu_and_mul_clamp --dtype bf16 --limit -1 --samples 1000", {"--limit", "< 0"});
}

TEST(Cli_report, NegativeLimitWithEquals) {
  expect_usage_error("report --op silu_and_mul_clamp --dtype bf16 --limit=-1 --samples 1000", {"--limit", "< 0"});
}

TEST(Cli_report, NanLimit) {
  expect_usage_error("report --op silu_and_mul_clamp --dtype bf16 --limit nan --samples 1000", {"--limit", "NaN"});
}

TEST(Cli_report, NonNumericLimit) {
  expect_usage_error("report --op silu_and_mul_clamp --dtype bf16 --limit abc --samples 1000",
                     {"--limit", "abc", "not a number"});
}

TEST(Cli_report, FiniteLimitBeyondFp32IsNotSilentlyUnclamped) {
  expect_usage_error("report --op silu_and_mul_clamp --dtype bf16 --limit 1e39 --samples 1000",
                     {"--limit 1e39", "beyond fp32", "inf"});
}

TEST(Cli_report, PositiveLimitBelowFp32IsNotSilentlyZero) {
  expect_usage_error("report --op silu_and_mul_clamp --dtype bf16 --limit 1e-50 --samples 1000",
                     {"--limit 1e-50", "smallest subnormal"});
}

TEST(Cli_report, LimitOutsideDoubleRange) {
  expect_usage_error("report --op silu_and_mul_clamp --dtype bf16 --limit 1e400 --samples 1000",
                     {"--limit 1e400", "outside the range"});
}

TEST(Cli_report, NegativeSeed) { expect_usage_error("report --op silu_and_mul --seed -1", {"--seed", "0 to 2^64-1"}); }

TEST(Cli_report, ParseErrorsCarryTheCommandPrefix) {
  expect_usage_error("report --op silu --dtype bf16 --format xml", {"ulpcheck: error:", "--format"});
}

TEST(Cli_report, KernelRefusesALimitItsDtypeCannotHold) {
  expect_usage_error("report --op silu_and_mul_clamp --dtype fp16 --kernel host.composite --limit 1e6 --samples 1000",
                     {"--kernel host.composite", "beyond fp16"});
}

TEST(Cli_report, LimitForAnOpWithoutOne) {
  expect_usage_error("report --op silu_and_mul --dtype bf16 --limit 7 --samples 1000",
                     {"--limit", "silu_and_mul", "takes no limit"});
}

TEST(Cli_report, SamplesForAnExhaustiveCase) {
  expect_usage_error("report --op silu --dtype bf16 --samples 1000", {"--samples", "65536", "drop --samples"});
}

TEST(Cli_report, SamplesNotAMultipleOf1000) {
  expect_usage_error("report --op silu_and_mul --dtype bf16 --samples 1500", {"--samples", "1500", "multiple of 1000"});
}

TEST(Cli_report, UnknownOutputFormat) { expect_usage_error("report --op silu --dtype bf16 --format xml", {"--format", "xml"}); }

TEST(Cli_report, NoSubcommand) { expect_usage_error("", {"subcommand"}); }

// --- the command itself

TEST(Cli, VersionIsTheProjectVersionCMakeDeclares) {
  const CliRun r = ulpcheck("--version", Capture::stdout_only);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, "ulpcheck " ULPCHECK_PROJECT_VERSION "\n");
}

TEST(Cli, UnknownCommandIsNamedWithTheCommandsThereAre) {
  expect_usage_error("frobnicate", {"unknown command 'ulpcheck frobnicate'", "list, report, fuzz, exhaustive, merge, golden"});
  expect_usage_error("frobnicate --op silu", {"unknown command 'ulpcheck frobnicate'"});
  expect_usage_error("golden frobnicate", {"unknown command 'ulpcheck golden frobnicate'", "regen, check, verify, show"});
}

// --- --plugin: kernels from a shared library (examples/plugin/silu_and_mul_plugin.c)

const std::string kPlugin = std::string("--plugin '") + ULPCHECK_EXAMPLE_PLUGIN + "'";

TEST(Cli_plugin, ListShowsThePluginsKernels) {
  const CliRun r = ulpcheck("list " + kPlugin);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "example.silu_and_mul")) << r.output;
  EXPECT_TRUE(contains(r.output, "example.always_fails")) << r.output;
  EXPECT_TRUE(contains(r.output, "0.51 ULP, floor 2^-121")) << r.output;
}

TEST(Cli_plugin, ReportOnAPluginKernelPasses) {
  const CliRun r = ulpcheck("report " + kPlugin +
                            " --op silu_and_mul --dtype bf16 --kernel example.silu_and_mul --samples 10000");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "example.silu_and_mul")) << r.output;
  EXPECT_TRUE(contains(r.output, "max ULP error")) << r.output;
}

TEST(Cli_plugin, KernelThatFailsExitsTwoWithThePluginsMessage) {
  expect_usage_error("report " + kPlugin + " --op silu_and_mul --dtype bf16 --kernel example.always_fails --samples 1000",
                     {"kernel did not run", "example.always_fails: run failed (code 3)",
                      "example.always_fails: refuses every input (this kernel shows how a plugin reports an error)"});
}

TEST(Cli_plugin, MissingPluginExitsTwoNamingThePath) {
  expect_usage_error("report --plugin /nonexistent.so --op silu_and_mul --dtype bf16 --samples 1000",
                     {"--plugin /nonexistent.so", "no such file"});
  expect_usage_error("list --plugin /nonexistent.so", {"--plugin /nonexistent.so", "no such file"});
}

TEST(Cli_plugin, LoadingTheSamePluginTwiceIsAnError) {
  expect_usage_error("list " + kPlugin + " " + kPlugin, {"--plugin", "example.silu_and_mul", "already registered"});
}

TEST(Cli_plugin, UnknownPluginKernelListsThePluginsKernelsToo) {
  expect_usage_error("report " + kPlugin + " --op silu_and_mul --dtype bf16 --kernel example.nope --samples 1000",
                     {"--kernel example.nope", "no such kernel", "example.silu_and_mul"});
}

}  // namespace
