// `--isolate` end to end: a fuzz run over plugin kernels that crash and hang, beside a
// built-in kernel, reports each dead kernel with its signal or timeout, keeps every other
// result, and exits 2; without --isolate the same kernel takes ulpcheck down. The faults
// are planted in tests/device/plugins/faulty_plugin.c.
#include <gtest/gtest.h>

#include <string>

#include "tests/cli/run_ulpcheck.hpp"

#ifndef ULPCHECK_FAULTY_PLUGIN
#error "ULPCHECK_FAULTY_PLUGIN must name the faulty test plugin"
#endif
#ifndef ULPCHECK_FAULTY_DATA_ENTRY_PLUGIN
#error "ULPCHECK_FAULTY_DATA_ENTRY_PLUGIN must name the faulty plugin whose entry point is data"
#endif

namespace ulpcheck {
namespace {

using testing::contains;
using testing::expect_usage_error;
using testing::ulpcheck;
using testing::ulpcheck_after;

const std::string kPlugin = std::string("--plugin '") + ULPCHECK_FAULTY_PLUGIN + "' ";

#define EXPECT_IN(output, part) EXPECT_TRUE(contains(output, part)) << "missing '" << (part) << "' in:\n" << (output)

TEST(IsolateCli, FuzzReportsEachDeadKernelAndKeepsTheOtherResults) {
  // reruns_are_identical holds for the kernels' outputs (all zero, or none), so their only
  // failures are their processes' deaths.
  const auto r = ulpcheck("fuzz " + kPlugin +
                          "--isolate --isolate-timeout 1 --op silu_and_mul --dtype fp32 --cases 30 "
                          "--property reruns_are_identical --property within_budget "
                          "--kernel faulty.segv_on_long_inputs --kernel faulty.hang --kernel host.single_rounding");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  // The built-in kernel's runs, after the dead ones, stand.
  EXPECT_IN(r.output, "host.single_rounding silu_and_mul fp32 within_budget: 30 cases passed");
  EXPECT_IN(r.output, "host.single_rounding silu_and_mul fp32 reruns_are_identical: 30 cases passed");
  EXPECT_IN(r.output, "faulty.segv_on_long_inputs silu_and_mul fp32 reruns_are_identical: FAILED (the kernel's process "
                      "died)");
  EXPECT_IN(r.output, "faulty.segv_on_long_inputs: crashed with SIGSEGV (signal 11: Segmentation fault) during its "
                      "run of silu_and_mul in fp32 on [5 x");  // shrunk to the fewest rows that crash
  EXPECT_IN(r.output, "minimal case: fp32 input [5, ");
  EXPECT_IN(r.output, "faulty.hang silu_and_mul fp32 within_budget: FAILED (the kernel's process died) after 0 passing");
  EXPECT_IN(r.output, "faulty.hang: did not return within 1 s from its run of silu_and_mul");
  EXPECT_IN(r.output, std::string("replay: ulpcheck fuzz --plugin '") + ULPCHECK_FAULTY_PLUGIN +
                          "' --isolate --isolate-timeout 1 --replay '");
  EXPECT_IN(r.output, "property runs ended with the kernel's process dead: exit 2");
}

TEST(IsolateCli, WithoutIsolationTheCrashEndsUlpcheck) {
  const auto r = ulpcheck_after("ulimit -c 0", "fuzz " + kPlugin +
                                                   "--op silu_and_mul --dtype fp32 --cases 5 --kernel faulty.segv");
  EXPECT_EQ(r.exit_code, -1) << r.output;  // killed by the signal: no exit code, no summary
  EXPECT_FALSE(contains(r.output, "property runs passed")) << r.output;
}

TEST(IsolateCli, ReportRunsAnIsolatedKernelAndNamesTheOneThatCrashed) {
  // faulty.copies_up is wrong but runs: its outputs come back from its process and fail.
  const auto wrong = ulpcheck("report " + kPlugin + "--isolate --op silu_and_mul --dtype fp32 --kernel faulty.copies_up");
  EXPECT_EQ(wrong.exit_code, 1) << wrong.output;
  EXPECT_IN(wrong.output, "faulty.copies_up");
  const auto crashed = ulpcheck("report " + kPlugin + "--isolate --op silu_and_mul --dtype fp32 --kernel faulty.abort");
  EXPECT_EQ(crashed.exit_code, 2) << crashed.output;
  EXPECT_IN(crashed.output, "kernel did not run: faulty.abort: crashed with SIGABRT");
}

TEST(IsolateCli, APluginWhoseEntryPointFaultsIsABadPlugin) {
  expect_usage_error(std::string("list --isolate --plugin '") + ULPCHECK_FAULTY_DATA_ENTRY_PLUGIN + "'",
                     {"--plugin ", ULPCHECK_FAULTY_DATA_ENTRY_PLUGIN, "crashed with SIGSEGV", "during loading"});
}

TEST(IsolateCli, TheTimeoutMustBeAPositiveNumberAndNeedsIsolate) {
  expect_usage_error("list " + kPlugin + "--isolate --isolate-timeout 0", {"--isolate-timeout 0", "above 0"});
  expect_usage_error("list " + kPlugin + "--isolate --isolate-timeout nan", {"--isolate-timeout"});
  expect_usage_error("list " + kPlugin + "--isolate --isolate-timeout inf", {"--isolate-timeout inf", "finite"});
  expect_usage_error("list " + kPlugin + "--isolate-timeout 5", {"--isolate-timeout", "--isolate"});
}

}  // namespace
}  // namespace ulpcheck
