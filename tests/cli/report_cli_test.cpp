// `ulpcheck report` over many cases, end to end: every op, kernel and dtype in one document,
// -o written atomically, HTML, --diff and its exit codes, and bad input (exit 2, the flag
// named). Sampled cases use 2000 inputs to keep the suite fast. Where the kernels that run
// here matter, the tests ask the registry, so they hold with a GPU (CUDA kernels) and
// without (host kernels); elsewhere they name host kernels, which run everywhere.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "tests/cli/run_ulpcheck.hpp"
#include "ulpcheck/device/cuda/runtime.hpp"
#include "ulpcheck/device/registry.hpp"
#include "ulpcheck/device/routing_kernel.hpp"
#include "ulpcheck/reference/registry.hpp"
#include "ulpcheck/reports/report_document.hpp"

#ifndef ULPCHECK_PLANTED_PLUGIN
#error "ULPCHECK_PLANTED_PLUGIN must name the plugin of planted-bug kernels"
#endif

namespace {

using ulpcheck::testing::CliRun;
using ulpcheck::testing::Capture;
using ulpcheck::testing::contains;
using ulpcheck::testing::expect_usage_error;
using ulpcheck::testing::ulpcheck;
using ulpcheck::testing::ulpcheck_after;

const std::string kPlanted = std::string("--plugin '") + ULPCHECK_PLANTED_PLUGIN + "'";

/// A fresh directory for the files of one test, removed afterwards.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "ulpcheck-report-XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string file(const std::string& name) const { return (std::filesystem::path(path_) / name).string(); }
  /// The names of the files in it.
  std::set<std::string> names() const {
    std::set<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(path_)) out.insert(e.path().filename().string());
    return out;
  }

 private:
  std::string path_;
};

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void write(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

/// The kernels a report without --kernel covers here: the CUDA ones with a GPU, the host
/// ones without.
std::set<std::string> kernels_that_run_here() {
  const bool gpu = ulpcheck::cuda::device_available();
  std::set<std::string> out;
  for (const ulpcheck::Kernel* k : ulpcheck::all_kernels())
    if (k->name().starts_with(gpu ? "cuda." : "host.")) out.insert(std::string(k->name()));
  return out;
}

std::set<std::string> routing_kernels_that_run_here() {
  const bool gpu = ulpcheck::cuda::device_available();
  std::set<std::string> out;
  for (const ulpcheck::RoutingKernel* k : ulpcheck::all_routing_kernels())
    if (k->name().starts_with(gpu ? "cuda." : "host.")) out.insert(std::string(k->name()));
  return out;
}

const std::string kHostKernels = "--kernel host.single_rounding --kernel host.double_rounding --kernel host.composite";

nlohmann::json parse(const CliRun& r) {
  nlohmann::json j;
  EXPECT_NO_THROW(j = nlohmann::json::parse(r.output)) << r.output.substr(0, 2000);
  return j;
}

// --- many cases in one document

TEST(Cli_report_all, WithoutOpReportsEveryOpParameterAndKernelThatRunsHere) {
  const CliRun r = ulpcheck("report --samples 2000 --format json", Capture::stdout_only);
  EXPECT_EQ(r.exit_code, 0) << r.output.substr(0, 2000);
  const nlohmann::json doc = parse(r);
  std::set<std::string> ops, kernels, limits;
  for (const nlohmann::json& c : doc["cases"]) {
    ops.insert(c["op"].get<std::string>());
    kernels.insert(c["kernel"].get<std::string>());
    EXPECT_EQ(c["dtype"], "bf16");
    if (c["op"] == "silu_and_mul_clamp") limits.insert(c["params_label"].get<std::string>());
  }
  std::set<std::string> all_ops;
  for (const ulpcheck::ElementwiseOp* op : ulpcheck::all_ops()) all_ops.insert(std::string(op->name));
  EXPECT_EQ(ops, all_ops);
  EXPECT_TRUE(all_ops.count("silu_and_mul_clamp"));
  EXPECT_EQ(kernels, kernels_that_run_here());
  EXPECT_EQ(limits, (std::set<std::string>{"limit=0", "limit=7", "limit=7.3", "limit=10", "limit=inf"}));
  // Routing too: every routing kernel that runs here, on 2000 tokens per batch.
  ASSERT_TRUE(doc.contains("routing")) << r.output.substr(0, 2000);
  EXPECT_EQ(doc["routing"]["tokens"], 2000);
  std::set<std::string> routing_kernels;
  for (const nlohmann::json& b : doc["routing"]["batches"])
    for (const nlohmann::json& k : b["cases"]) routing_kernels.insert(k["kernel"].get<std::string>());
  EXPECT_EQ(routing_kernels, routing_kernels_that_run_here());
  // The combine too: every placement on its default configs, and the MoE block.
  ASSERT_TRUE(doc.contains("combine")) << r.output.substr(0, 2000);
  std::set<std::string> combine_kernels;
  for (const nlohmann::json& b : doc["combine"]["batches"])
    for (const nlohmann::json& k : b["cases"]) combine_kernels.insert(k["kernel"].get<std::string>());
  EXPECT_EQ(combine_kernels.size(), 6u);
  ASSERT_EQ(doc["combine"]["moe_blocks"].size(), 1u);
  EXPECT_TRUE(doc["combine"]["moe_blocks"][0]["measured"].get<bool>());
  EXPECT_EQ(doc["summary"]["cases"].get<std::size_t>(), doc["cases"].size() +
                                                            doc["routing"]["summary"]["cases"].get<std::size_t>() +
                                                            doc["combine"]["summary"]["cases"].get<std::size_t>());
  EXPECT_EQ(doc["summary"]["verdict"], "PASS");
}

TEST(Cli_report_all, DtypeAllReportsBf16Fp16AndFp32InOneDocument) {
  const CliRun r = ulpcheck("report --op silu_and_mul " + kHostKernels + " --dtype all --samples 2000 --format json",
                            Capture::stdout_only);
  EXPECT_EQ(r.exit_code, 0) << r.output.substr(0, 2000);
  const nlohmann::json doc = parse(r);
  std::vector<std::string> dtypes;
  for (const nlohmann::json& c : doc["cases"])
    if (c["kernel"] == "host.single_rounding") dtypes.push_back(c["dtype"].get<std::string>());
  EXPECT_EQ(dtypes, (std::vector<std::string>{"bf16", "fp16", "fp32"}));
  EXPECT_EQ(doc["cases"].size(), 9u);  // 3 dtypes x 3 host kernels
}

TEST(Cli_report_all, MarkdownStartsWithTheSummaryTable) {
  const CliRun r = ulpcheck("report --op silu_and_mul_clamp " + kHostKernels + " --samples 2000", Capture::stdout_only);
  EXPECT_EQ(r.exit_code, 0) << r.output.substr(0, 2000);
  const auto summary = r.output.find("## Summary");
  const auto first_case = r.output.find("#### host.single_rounding");
  ASSERT_NE(summary, std::string::npos) << r.output.substr(0, 2000);
  ASSERT_NE(first_case, std::string::npos);
  EXPECT_LT(summary, first_case);
  EXPECT_TRUE(contains(r.output, "| bf16 | silu_and_mul_clamp | limit=7.3 | host.single_rounding |"));
  EXPECT_TRUE(contains(r.output, "### silu_and_mul_clamp, limit=inf, bf16"));
}

TEST(Cli_report_all, ABreachInOneCaseExitsOneAndIsInTheSummary) {
  const CliRun r = ulpcheck("report " + kPlanted +
                                " --op silu_and_mul --kernel host.single_rounding "
                                "--kernel planted.truncating_conversion --samples 2000",
                            Capture::stdout_only);
  EXPECT_EQ(r.exit_code, 1) << r.output.substr(0, 3000);
  EXPECT_TRUE(contains(r.output, "**FAIL**: 1 of 2 cases")) << r.output.substr(0, 3000);
  EXPECT_TRUE(contains(r.output, "| planted.truncating_conversion |")) << r.output.substr(0, 3000);
}

TEST(Cli_report_all, ProgressAndTimingsGoToStderrAndTheSameSeedGivesTheSameBytes) {
  const std::string args = "report --op silu_and_mul_clamp --limit 7 " + kHostKernels + " --samples 3000 --seed 77";
  for (const char* format : {"md", "json", "html"}) {
    SCOPED_TRACE(format);
    const CliRun a = ulpcheck(args + " --format " + format, Capture::stdout_only);
    const CliRun b = ulpcheck(args + " --format " + format, Capture::stdout_only);
    EXPECT_EQ(a.exit_code, 0);
    EXPECT_FALSE(a.output.empty());
    EXPECT_EQ(a.output, b.output);
    EXPECT_FALSE(contains(a.output, "report [1/1]"));
  }
  const CliRun both = ulpcheck(args);
  EXPECT_TRUE(contains(both.output, "report [1/1] bf16 silu_and_mul_clamp limit=7: oracle on")) << both.output;
  EXPECT_TRUE(contains(both.output, "[3/3] host.composite: PASS")) << both.output;
}

TEST(Cli_report_all, TheReadmeCommandStillReportsTheDefaultKernel) {
  const CliRun r = ulpcheck("report --op silu_and_mul --dtype bf16 --samples 2000", Capture::stdout_only);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  const ulpcheck::Kernel* k = ulpcheck::default_kernel(*ulpcheck::find_op("silu_and_mul"), ulpcheck::Format::bf16);
  ASSERT_NE(k, nullptr);
  EXPECT_EQ(r.output.rfind("# Precision report: silu_and_mul / bf16 / " + std::string(k->name()), 0), 0u) << r.output;
}

TEST(Cli_report_all, KernelAllWithAnOpReportsEveryKernelThatRunsHere) {
  const CliRun r = ulpcheck("report --op silu_and_mul --kernel all --samples 2000 --format json", Capture::stdout_only);
  EXPECT_EQ(r.exit_code, 0) << r.output.substr(0, 2000);
  std::set<std::string> kernels;
  const nlohmann::json doc = parse(r);
  for (const nlohmann::json& c : doc["cases"]) kernels.insert(c["kernel"].get<std::string>());
  EXPECT_EQ(kernels, kernels_that_run_here());
}

TEST(Cli_report_all, LimitKernelsCannotHoldAreListedAsNotMeasured) {
  // host.composite stores the clamped value in the storage format: fp16 cannot hold 1e6.
  const CliRun r = ulpcheck("report --op silu_and_mul_clamp --dtype fp16 --limit 1e6 " + kHostKernels + " --samples 2000",
                            Capture::stdout_only);
  EXPECT_EQ(r.exit_code, 0) << r.output.substr(0, 2000);
  EXPECT_TRUE(contains(r.output, "Not measured:")) << r.output.substr(0, 3000);
  EXPECT_TRUE(contains(r.output, "host.composite: ")) << r.output.substr(0, 3000);
}

// --- an op against the op it approximates

TEST(Cli_report_approximation, GeluAndGeluTanhInBf16ShowTheExactVsTanhSection) {
  const CliRun r = ulpcheck("report --op gelu --op gelu_tanh --dtype bf16", Capture::stdout_only);
  EXPECT_EQ(r.exit_code, 0) << r.output.substr(0, 3000);
  const auto section = r.output.find("## gelu_tanh vs gelu");
  ASSERT_NE(section, std::string::npos) << r.output.substr(0, 3000);
  EXPECT_LT(section, r.output.find("## bf16"));
  EXPECT_TRUE(contains(r.output, "max |gelu_tanh - gelu| = 4.7324e-04 at x = +-2.69894")) << r.output.substr(0, 3000);
  EXPECT_TRUE(contains(r.output, "| bf16 | all 65536 bf16 values | ")) << r.output.substr(0, 3000);
  // The default kernel of each op, against each other.
  const ulpcheck::Kernel* g = ulpcheck::default_kernel(*ulpcheck::find_op("gelu"), ulpcheck::Format::bf16);
  const ulpcheck::Kernel* t = ulpcheck::default_kernel(*ulpcheck::find_op("gelu_tanh"), ulpcheck::Format::bf16);
  ASSERT_TRUE(g && t);
  EXPECT_TRUE(contains(r.output, "| gelu \\ gelu_tanh | " + std::string(t->name()) + " |\n|---|---:|\n| " +
                                     std::string(g->name()) + " | "))
      << r.output.substr(0, 4000);
}

TEST(Cli_report_approximation, JsonCarriesTheSectionAndValidatesForDiff) {
  const TempDir dir;
  const std::string path = dir.file("gelu.json");
  const CliRun r = ulpcheck("report --op gelu_pytorch_tanh --op gelu --dtype bf16 --format json -o '" + path + "'");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  const nlohmann::json doc = nlohmann::json::parse(read(path));
  ASSERT_EQ(doc["approximations"].size(), 1u);
  const nlohmann::json& s = doc["approximations"][0];
  EXPECT_EQ(s["op"], "gelu_tanh");
  EXPECT_EQ(s["approximates"], "gelu");
  EXPECT_NEAR(s["real_difference"]["max_abs_difference"].get<double>(), 4.7324e-4, 0.5e-8);
  ASSERT_EQ(s["dtypes"].size(), 1u);
  EXPECT_EQ(s["dtypes"][0]["rounded"]["count"], 65536);
  EXPECT_EQ(s["dtypes"][0]["kernel_pairs"].size(), 1u);
  // --diff reads it (check_report passes), and a report against itself is unchanged.
  const CliRun d = ulpcheck("report --diff '" + path + "' '" + path + "'");
  EXPECT_EQ(d.exit_code, 0) << d.output;
}

TEST(Cli_report_approximation, TheGatedPairHasItsSectionOnSampledPairs) {
  const CliRun r = ulpcheck("report --op gelu_and_mul --op gelu_tanh_and_mul --dtype fp16 --samples 2000 --format json",
                            Capture::stdout_only);
  EXPECT_EQ(r.exit_code, 0) << r.output.substr(0, 2000);
  const nlohmann::json doc = parse(r);
  ASSERT_EQ(doc["approximations"].size(), 1u);
  EXPECT_EQ(doc["approximations"][0]["op"], "gelu_tanh_and_mul");
  EXPECT_EQ(doc["approximations"][0]["dtypes"][0]["rounded"]["count"], 2000);
}

TEST(Cli_report_approximation, OneOpWithoutTheOpItApproximatesHasNoSection) {
  const CliRun r = ulpcheck("report --op gelu_tanh --dtype bf16 --format json", Capture::stdout_only);
  EXPECT_EQ(r.exit_code, 0) << r.output.substr(0, 2000);
  EXPECT_TRUE(parse(r)["approximations"].empty());
}

// --- -o FILE

TEST(Cli_report_output, WritesTheFileAndNothingToStdout) {
  const TempDir dir;
  const std::string path = dir.file("report.json");
  const CliRun r = ulpcheck("report --op silu --dtype fp16 --format json -o '" + path + "'", Capture::stdout_only);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.output, "");
  const nlohmann::json doc = nlohmann::json::parse(read(path));
  EXPECT_EQ(doc["schema"], "ulpcheck.report");
  EXPECT_EQ(doc["cases"][0]["op"], "silu");
  EXPECT_EQ(dir.names(), std::set<std::string>{"report.json"}) << "no temporary is left";
}

TEST(Cli_report_output, HtmlIsOneSelfContainedPageWithPlots) {
  const TempDir dir;
  const std::string path = dir.file("report.html");
  const CliRun r =
      ulpcheck("report --op silu_and_mul " + kHostKernels + " --samples 2000 --format html -o '" + path + "'");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  const std::string html = read(path);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_TRUE(contains(html, "<svg"));
  EXPECT_FALSE(contains(html, "http://"));
  EXPECT_FALSE(contains(html, "https://"));
  EXPECT_FALSE(contains(html, "<script"));
}

TEST(Cli_report_output, ADeviceStaysADeviceAndAFullOneIsAnError) {
  // Replacing by rename would put a regular file where the device was (as root, it can).
  const auto to_null = ulpcheck("report --op silu --dtype bf16 --kernel host.single_rounding -o /dev/null");
  EXPECT_EQ(to_null.exit_code, 0) << to_null.output;
  EXPECT_TRUE(std::filesystem::is_character_file("/dev/null"));
  const auto to_full = ulpcheck("report --op silu --dtype bf16 --kernel host.single_rounding -o /dev/full");
  EXPECT_EQ(to_full.exit_code, 2) << to_full.output;
  EXPECT_TRUE(contains(to_full.output, "-o /dev/full: cannot write")) << to_full.output;
  EXPECT_TRUE(std::filesystem::is_character_file("/dev/full"));
  // Standard output on a full device: the report is lost, and the command says so (its
  // stderr through a pipe, as the helper's own redirection then applies to `tail`).
  const auto stdout_full = ulpcheck("report --op silu --dtype bf16 --kernel host.single_rounding 2>&1 >/dev/full | tail -1");
  EXPECT_TRUE(contains(stdout_full.output, "standard output: cannot write")) << stdout_full.output;
}

TEST(Cli_report_output, AFailedRunLeavesTheFileAsItWas) {
  const TempDir dir;
  const std::string path = dir.file("report.md");
  write(path, "previous report\n");
  // Bad input: refused before anything is measured.
  expect_usage_error("report --op silu_and_mul_clamp --limit -1 -o '" + path + "'", {"--limit"});
  // A plugin that cannot be loaded: the same.
  expect_usage_error("report --plugin /nonexistent.so --op silu_and_mul -o '" + path + "'", {"--plugin"});
  EXPECT_EQ(read(path), "previous report\n");
  EXPECT_EQ(dir.names(), std::set<std::string>{"report.md"}) << "no temporary is left";
}

TEST(Cli_report_output, AMissingDirectoryIsRefusedBeforeMeasuring) {
  expect_usage_error("report --op silu -o /nonexistent-dir/report.md", {"-o /nonexistent-dir/report.md", "does not exist"});
}

// --- the kernel calls: by default several shapes, or one of --tokens x --d

/// The planted kernels wrong only in one shape: the scalar tail, an odd token count, d
/// past 8192 (tests/properties/planted_kernels.cpp).
const std::string kLayoutBugs = " --kernel planted.scalar_tail_multiplies_gate --kernel "
                                "planted.odd_batch_last_token_unwritten --kernel planted.wide_row_wraps_at_8192";

/// Whether every case of `doc` by a planted kernel fails and every other passes.
void expect_planted_fail_others_pass(const nlohmann::json& doc) {
  for (const nlohmann::json& c : doc["cases"]) {
    const std::string kernel = c["kernel"];
    EXPECT_EQ(c["pass"], !kernel.starts_with("planted.")) << kernel;
  }
}

TEST(Cli_report_calls, TheDefaultCallsCatchEveryLayoutBug) {
  const CliRun r = ulpcheck("report " + kPlanted + " --op silu_and_mul" + kLayoutBugs +
                                " --kernel host.single_rounding --samples 20000 --format json",
                            Capture::stdout_only);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  const nlohmann::json doc = parse(r);
  ASSERT_EQ(doc["cases"].size(), 4u);
  expect_planted_fail_others_pass(doc);
  const nlohmann::json& c = doc["cases"][0];
  EXPECT_EQ(c["shape"], nlohmann::json::parse("[20, 2000]"));
  EXPECT_EQ(c["calls"], nlohmann::json::parse("[[3, 2000], [7, 1998], [1, 20014]]"));
}

TEST(Cli_report_calls, OneEvenCallOfRowsOf1000MissesThem) {
  // What report handed over before it made several calls: the bugs pass.
  const CliRun r = ulpcheck("report " + kPlanted + " --op silu_and_mul" + kLayoutBugs +
                                " --tokens 20 --d 1000 --format json",
                            Capture::stdout_only);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  const nlohmann::json doc = parse(r);
  EXPECT_EQ(doc["settings"]["samples"], 20000);
  for (const nlohmann::json& c : doc["cases"]) EXPECT_EQ(c["calls"], nlohmann::json::parse("[[20, 2000]]"));
}

TEST(Cli_report_calls, TokensAndDLayOutTheSamplesAsOneCall) {
  const CliRun r = ulpcheck("report --op silu_and_mul --op silu --dtype fp32 --kernel host.single_rounding --tokens 3 "
                            "--d 5 --format json",
                            Capture::stdout_only);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  const nlohmann::json doc = parse(r);
  EXPECT_EQ(doc["settings"]["samples"], 15);
  ASSERT_EQ(doc["cases"].size(), 2u);
  for (const nlohmann::json& c : doc["cases"]) {
    const int arity = c["arity"];
    EXPECT_EQ(c["count"], 15);
    EXPECT_EQ(c["calls"], nlohmann::json::array({{3, arity * 5}}));
  }
}

TEST(Cli_report_calls, TokensAloneTakesItsRowsFromSamples) {
  const CliRun r = ulpcheck("report --op silu_and_mul --kernel host.single_rounding --tokens 4 --samples 2000 "
                            "--format json",
                            Capture::stdout_only);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(parse(r)["cases"][0]["calls"], nlohmann::json::parse("[[4, 1000]]"));
}

TEST(Cli_report_calls, MarkdownListsTheCallsAndWhichOneAWorstInputCameFrom) {
  const CliRun r = ulpcheck("report " + kPlanted + " --op silu_and_mul --kernel planted.wide_row_wraps_at_8192 "
                            "--samples 20000",
                            Capture::stdout_only);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "3 kernel calls: [3, 2000] + [7, 1998] + [1, 20014]")) << r.output;
  EXPECT_TRUE(contains(r.output, "| call | row | col | gate | up |")) << r.output;
  EXPECT_TRUE(contains(r.output, "| 3 | 0 | ")) << r.output;
}

TEST(Cli_report_usage, SamplesThatConflictWithTokensAndD) {
  expect_usage_error("report --op silu_and_mul --tokens 3 --d 5 --samples 20",
                     {"--samples 20 conflicts with --tokens 3 --d 5", "3 x 5 = 15", "give --samples 15"});
}

TEST(Cli_report_usage, DThatDoesNotDivideTheSamples) {
  expect_usage_error("report --op silu_and_mul --d 999",
                     {"--d 999", "--samples 1000000 (the default) is not a multiple of 999", "give --tokens too"});
}

TEST(Cli_report_usage, TokensAndDMustBePositive) {
  expect_usage_error("report --op silu_and_mul --tokens 0 --d 5", {"--tokens", "0"});
  expect_usage_error("report --op silu_and_mul --tokens 3 --d -1", {"--d", "-1"});
}

TEST(Cli_report_usage, TokensForRoutingAlone) {
  expect_usage_error("report --op biased_grouped_topk --tokens 64",
                     {"--tokens 64", "biased_grouped_topk takes its tokens per batch from --samples"});
}

TEST(Cli_report_usage, DistributionsWhoseDrawsAllOverflowAreRefused) {
  // normal:1e308,1e308 would draw nothing but infinities: every weight 0 ULP, a hollow PASS.
  expect_usage_error("report --op biased_grouped_topk --bias normal:1e308,1e308",
                     {"--bias normal:1e308,1e308", "within fp32's range"});
  expect_usage_error("report --op biased_grouped_topk --logits normal:0,1e38", {"--logits normal:0,1e38", "fp32's range"});
  expect_usage_error("report --op biased_grouped_topk --logits normal:nan,1", {"--logits normal:nan,1"});
}

TEST(Cli_report_usage, SamplesBeyondTheProcesssMemoryAreRefusedBeforeAllocating) {
  // Under a 4 GiB address-space limit 4 billion samples ended in std::bad_alloc (exit 3,
  // no flag named).
  for (const char* size : {"--samples 4000000000", "--tokens 40000 --d 100000"}) {
    SCOPED_TRACE(size);
    const CliRun r = ulpcheck_after(
        "ulimit -v 4000000", std::string("report --op silu_and_mul --dtype fp32 --kernel host.single_rounding ") + size);
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_TRUE(contains(r.output, std::string(size).substr(0, 9))) << r.output;
    EXPECT_TRUE(contains(r.output, "this process may use")) << r.output;
  }
}

TEST(Cli_report_usage, TokensAndDForOnlyExhaustiveCases) {
  expect_usage_error("report --op silu --tokens 4 --d 4",
                     {"--tokens 4 --d 4", "all 65536 inputs", "drop --tokens and --d"});
}

// --- --diff OLD NEW

class Cli_report_diff : public ::testing::Test {
 protected:
  /// A JSON report of silu_and_mul (bf16, 2000 inputs) by `kernel`, filed
  /// under the name host.single_rounding: two versions of one kernel.
  std::string version(const std::string& name, const std::string& kernel, int expected_exit) {
    const std::string path = dir_.file(name);
    const CliRun r = ulpcheck("report " + kPlanted + " --op silu_and_mul --samples 2000 --kernel " +
                              kernel + " --format json -o '" + path + "'");
    EXPECT_EQ(r.exit_code, expected_exit) << r.output;
    nlohmann::json doc = nlohmann::json::parse(read(path));
    for (nlohmann::json& c : doc["cases"]) c["kernel"] = "host.single_rounding";
    write(path, doc.dump(1));
    return path;
  }
  std::string file(const std::string& name, const std::string& text) {
    const std::string path = dir_.file(name);
    write(path, text);
    return path;
  }
  TempDir dir_;
};

TEST_F(Cli_report_diff, AReportAgainstItselfExitsZero) {
  const std::string a = version("a.json", "host.single_rounding", 0);
  const CliRun r = ulpcheck("report --diff '" + a + "' '" + a + "'");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "No regressions")) << r.output;
  EXPECT_TRUE(contains(r.output, "0 regressions, 0 fixed, 0 changed, 1 unchanged")) << r.output;
}

TEST_F(Cli_report_diff, ACaseThatPassedAndNowFailsExitsOne) {
  const std::string before = version("before.json", "host.single_rounding", 0);
  const std::string after = version("after.json", "planted.truncating_conversion", 1);
  const CliRun md = ulpcheck("report --diff '" + before + "' '" + after + "'");
  EXPECT_EQ(md.exit_code, 1) << md.output;
  EXPECT_TRUE(contains(md.output, "**REGRESSION**: 1 case passed before and fails now.")) << md.output;
  EXPECT_TRUE(contains(md.output, "PASS -> **FAIL**")) << md.output;
  EXPECT_TRUE(contains(md.output, "New worst inputs")) << md.output;
  const CliRun json = ulpcheck("report --diff '" + before + "' '" + after + "' --format json", Capture::stdout_only);
  EXPECT_EQ(json.exit_code, 1);
  const nlohmann::json d = parse(json);
  EXPECT_EQ(d["summary"]["regressions"], 1);
  EXPECT_EQ(d["cases"][0]["status"], "regression");
  // The other way round is a fix.
  EXPECT_EQ(ulpcheck("report --diff '" + after + "' '" + before + "'").exit_code, 0);
}

TEST_F(Cli_report_diff, AnUnreadableFileExitsTwoNamingIt) {
  const std::string a = version("a.json", "host.single_rounding", 0);
  expect_usage_error("report --diff '" + a + "' /nonexistent/new.json", {"--diff /nonexistent/new.json", "cannot read"});
}

TEST_F(Cli_report_diff, InvalidJsonExitsTwoNamingTheFileAndWhere) {
  const std::string a = version("a.json", "host.single_rounding", 0);
  const std::string bad = file("bad.json", "{\"schema\": \"ulpcheck.report\",\n  oops}");
  expect_usage_error("report --diff '" + bad + "' '" + a + "'", {"--diff " + bad, "not valid JSON", "line 2"});
}

TEST_F(Cli_report_diff, ANumberBeyondDoubleExitsTwoNamingTheFile) {
  // nlohmann::json throws out_of_range, not parse_error, for it: an internal error (exit 3)
  // before.
  const std::string a = version("a.json", "host.single_rounding", 0);
  const std::string big = file("big.json", "{\"schema\": \"ulpcheck.report\", \"version\": 1e400}");
  expect_usage_error("report --diff '" + big + "' '" + a + "'",
                     {"--diff " + big, "a number beyond double's range", "number overflow parsing '1e400'"});
}

TEST_F(Cli_report_diff, JsonThatIsNotAReportExitsTwoSayingWhatIsWrong) {
  const std::string a = version("a.json", "host.single_rounding", 0);
  const std::string other = file("other.json", "{\"cases\": []}");
  expect_usage_error("report --diff '" + a + "' '" + other + "'", {"--diff " + other, "not an ulpcheck report"});
  nlohmann::json doc = nlohmann::json::parse(read(a));
  doc["cases"][0].erase("p99_ulp");
  const std::string broken = file("broken.json", doc.dump());
  expect_usage_error("report --diff '" + broken + "' '" + a + "'",
                     {"--diff " + broken, "cases[0]", "\"p99_ulp\" is missing"});
}

TEST_F(Cli_report_diff, MeasurementOptionsAndHtmlAreRefused) {
  const std::string a = version("a.json", "host.single_rounding", 0);
  expect_usage_error("report --diff '" + a + "' '" + a + "' --op silu", {"--diff", "excludes", "--op"});
  expect_usage_error("report --diff '" + a + "' '" + a + "' --experts 64", {"--diff", "excludes", "--experts"});
  expect_usage_error("report --diff '" + a + "' '" + a + "' --format html", {"--format html", "md or json"});
  expect_usage_error("report --diff '" + a + "'", {"--diff"});
}

// --- bad input

TEST(Cli_report_usage, UnknownDtypeListsTheChoicesWithAll) {
  expect_usage_error("report --dtype fp64", {"--dtype fp64", "no such dtype", "bf16, fp16, fp32 or all"});
}

TEST(Cli_report_usage, UnknownKernelAmongSeveral) {
  expect_usage_error("report --kernel host.single_rounding --kernel nope", {"--kernel nope", "no such kernel"});
}

TEST(Cli_report_usage, SamplesForOnlyExhaustiveCases) {
  expect_usage_error("report --op silu --dtype bf16 --dtype fp16 --samples 1000",
                     {"--samples 1000", "every selected case is checked on all 65536 inputs", "drop --samples"});
}

TEST(Cli_report_usage, AKernelThatImplementsNoneOfTheSelection) {
  expect_usage_error("report " + kPlanted + " --op silu --dtype all --kernel planted.truncating_conversion",
                     {"--kernel planted.truncating_conversion", "implements none"});
}

// --- biased_grouped_topk

/// The routing kernel a report of the routing op alone measures here.
std::string default_routing_kernel() {
  return ulpcheck::cuda::device_available() ? "cuda.routing_fp32" : "host.routing_fp32";
}

std::vector<std::string> batch_labels(const nlohmann::json& doc) {
  std::vector<std::string> out;
  for (const nlohmann::json& b : doc["routing"]["batches"])
    out.push_back(b["logits_dtype"].get<std::string>() + "+" + b["bias_dtype"].get<std::string>() + " " +
                  b["bias_name"].get<std::string>());
  return out;
}

TEST(Cli_report_routing, TheRoutingOpAloneReportsTheDefaultKernelOnEveryCheckpointBias) {
  const CliRun r = ulpcheck("report --op biased_grouped_topk --samples 256 --format json", Capture::stdout_only);
  EXPECT_EQ(r.exit_code, 0) << r.output.substr(0, 2000);
  const nlohmann::json doc = parse(r);
  EXPECT_EQ(ulpcheck::check_report(doc), "");
  EXPECT_TRUE(doc["cases"].empty());
  const nlohmann::json& s = doc["routing"];
  EXPECT_EQ(s["config"]["label"], "E=256 groups=8 keep=4 top=8 sigmoid renorm scale=2.5");
  EXPECT_EQ(s["logits"], "N(0, 2^2)");
  EXPECT_EQ(s["tokens"], 256);
  // bf16 logits (the default dtype) with the bias in fp32 and in bf16, for each bias.
  EXPECT_EQ(batch_labels(doc), (std::vector<std::string>{"bf16+fp32 deepseek_v3", "bf16+bf16 deepseek_v3",
                                                         "bf16+fp32 around_7", "bf16+bf16 around_7",
                                                         "bf16+fp32 around_0", "bf16+bf16 around_0"}));
  for (const nlohmann::json& b : s["batches"]) {
    ASSERT_EQ(b["cases"].size(), 1u);
    EXPECT_EQ(b["cases"][0]["kernel"], default_routing_kernel());
  }
  EXPECT_EQ(doc["summary"]["cases"], 6);
  EXPECT_EQ(doc["summary"]["verdict"], "PASS");
  // The precision study: three biases, six (logits, bias) pairs each, and the bias-cast runs.
  const nlohmann::json& st = s["precision_study"];
  ASSERT_TRUE(st.is_object());
  EXPECT_EQ(st["kernel"], "host.routing_fp32");
  EXPECT_EQ(st["holds"], true);
  ASSERT_EQ(st["biases"].size(), 3u);
  for (const nlohmann::json& b : st["biases"]) {
    EXPECT_EQ(b["cells"].size(), 6u);
    EXPECT_EQ(b["cells"][0]["oracle_differ"], 0);
    EXPECT_EQ(b["cells"][0]["tokens"], 256);
    EXPECT_EQ(b["bias_cast"][0]["tokens_differ"], 0);
    EXPECT_EQ(b["bias_cast"][0]["calls"], 4);  // 256 tokens in calls of 64
  }
}

TEST(Cli_report_routing, DtypeAllTakesEachLogitsDtypeWithTheBiasInFp32AndInItsOwnDtype) {
  const CliRun r = ulpcheck("report --op biased_grouped_topk --dtype all --bias deepseek_v3 --samples 128 "
                            "--no-precision-study --format json",
                            Capture::stdout_only);
  EXPECT_EQ(r.exit_code, 0) << r.output.substr(0, 2000);
  const nlohmann::json doc = parse(r);
  EXPECT_EQ(batch_labels(doc), (std::vector<std::string>{"bf16+fp32 deepseek_v3", "bf16+bf16 deepseek_v3",
                                                         "fp16+fp32 deepseek_v3", "fp16+fp16 deepseek_v3",
                                                         "fp32+fp32 deepseek_v3"}));
  EXPECT_TRUE(doc["routing"]["precision_study"].is_null());
}

TEST(Cli_report_routing, ConfigFlagsOverrideDeepSeekV3) {
  const CliRun r = ulpcheck("report --op biased_grouped_topk --experts 64 --n-group 4 --topk-group 2 --topk 4 "
                            "--scoring softmax --no-renormalize --scale 1.5 --bias around_0 --samples 128 "
                            "--no-precision-study --format json",
                            Capture::stdout_only);
  EXPECT_EQ(r.exit_code, 0) << r.output.substr(0, 2000);
  const nlohmann::json doc = parse(r);
  EXPECT_EQ(doc["routing"]["config"]["label"], "E=64 groups=4 keep=2 top=4 softmax no-renorm scale=1.5");
  EXPECT_EQ(doc["routing"]["config"]["experts"], 64);
  EXPECT_EQ(doc["routing"]["summary"]["cases"], 2);
}

TEST(Cli_report_routing, LogitsAndBiasDistributionsAreChosenByFlag) {
  const CliRun r = ulpcheck("report --op biased_grouped_topk --logits bits --bias around_7 --bias normal:1,0.25 "
                            "--samples 128 --format json",
                            Capture::stdout_only);
  EXPECT_EQ(r.exit_code, 0) << r.output.substr(0, 2000);
  const nlohmann::json doc = parse(r);
  EXPECT_EQ(doc["routing"]["logits"], "uniform bit patterns");
  EXPECT_EQ(batch_labels(doc), (std::vector<std::string>{"bf16+fp32 around_7", "bf16+bf16 around_7",
                                                         "bf16+fp32 N(1, 0.25^2)", "bf16+bf16 N(1, 0.25^2)"}));
  EXPECT_EQ(doc["routing"]["batches"][2]["bias"], "N(1, 0.25^2)");
  EXPECT_EQ(doc["routing"]["precision_study"]["biases"].size(), 2u);
}

TEST(Cli_report_routing, NamedRoutingKernelsAreMeasuredTogether) {
  const CliRun r = ulpcheck("report --op biased_grouped_topk --kernel host.routing_tanh_sigmoid --kernel "
                            "host.routing_no_eps --bias around_0 --samples 128 --no-precision-study --format json",
                            Capture::stdout_only);
  EXPECT_EQ(r.exit_code, 0) << r.output.substr(0, 2000);
  const nlohmann::json doc = parse(r);
  for (const nlohmann::json& b : doc["routing"]["batches"]) {
    ASSERT_EQ(b["cases"].size(), 2u);
    EXPECT_EQ(b["cases"][0]["kernel"], "host.routing_tanh_sigmoid");
    EXPECT_EQ(b["cases"][1]["kernel"], "host.routing_no_eps");
  }
}

TEST(Cli_report_routing, MarkdownAndHtmlShowTheSectionAndTheSameSeedGivesTheSameBytes) {
  const std::string args = "report --op biased_grouped_topk --bias deepseek_v3 --samples 128 --seed 5";
  const CliRun md = ulpcheck(args, Capture::stdout_only);
  EXPECT_EQ(md.exit_code, 0) << md.output.substr(0, 2000);
  EXPECT_TRUE(contains(md.output, "## biased_grouped_topk")) << md.output.substr(0, 2000);
  EXPECT_TRUE(contains(md.output, "| bf16 | fp32 deepseek_v3 N(2.5, 0.5^2) | " + default_routing_kernel() + " |"))
      << md.output.substr(0, 3000);
  EXPECT_TRUE(contains(md.output, "### Precision study: rounding the logits and the bias"));
  EXPECT_TRUE(contains(md.output, "#### Casting the bias once or on every call"));
  EXPECT_EQ(ulpcheck(args, Capture::stdout_only).output, md.output);
  const CliRun html = ulpcheck(args + " --format html", Capture::stdout_only);
  EXPECT_EQ(html.exit_code, 0);
  EXPECT_TRUE(contains(html.output, "aria-label=\"Histogram of the decision margins\""));
  EXPECT_TRUE(contains(ulpcheck(args).output, "report biased_grouped_topk [bias 1/1] deepseek_v3"));
}

TEST(Cli_report_routing, AConfigurationTheOpRefusesExitsTwoNamingTheFlag) {
  const std::string op = "report --op biased_grouped_topk ";
  expect_usage_error(op + "--topk 300", {"--topk 300", "topk is 300", "[1, topk_group * experts / n_group = 128]"});
  expect_usage_error(op + "--experts 10", {"--experts 10", "--n-group 8 (from --config deepseek_v3)",
                                           "n_group 8 does not divide experts 10"});
  expect_usage_error(op + "--experts 1024", {"--experts 1024", "experts is 1024", "[2, 512]"});
  expect_usage_error(op + "--n-group 0", {"--n-group 0", "n_group is 0"});
  expect_usage_error(op + "--experts 8 --n-group 8", {"--experts 8", "--n-group 8", "a group needs at least 2 experts"});
  expect_usage_error(op + "--topk-group 9", {"--topk-group 9", "topk_group is 9", "[1, n_group = 8]"});
  expect_usage_error(op + "--scale 0", {"--scale 0", "routed_scaling_factor is 0"});
  expect_usage_error(op + "--scale -2.5", {"--scale -2.5", "must be a finite fp32 value > 0"});
  expect_usage_error(op + "--scale abc", {"--scale abc", "not a finite number"});
  expect_usage_error(op + "--scale 1e39", {"--scale 1e39", "beyond fp32's largest value"});
  expect_usage_error(op + "--scoring tanh", {"--scoring"});
  expect_usage_error(op + "--config kimi_k2", {"--config"});
  expect_usage_error(op + "--experts many", {"--experts"});
}

TEST(Cli_report_routing, BadDistributionsTokensAndSelectionsExitTwoNamingTheFlag) {
  const std::string op = "report --op biased_grouped_topk ";
  expect_usage_error(op + "--logits normal:0", {"--logits normal:0", "normal:MEAN,SD"});
  expect_usage_error(op + "--logits normal:0,-1", {"--logits normal:0,-1", "SD > 0"});
  expect_usage_error(op + "--logits uniform", {"--logits uniform", "bits"});
  expect_usage_error(op + "--bias around_3", {"--bias around_3", "deepseek_v3", "around_7", "around_0", "bits"});
  expect_usage_error(op + "--samples 2000000", {"--samples 2000000", "at most 1048576 tokens"});
  expect_usage_error(op + "--limit 7", {"--limit 7", "biased_grouped_topk takes no limit"});
  expect_usage_error(op + "--kernel host.single_rounding",
                     {"--kernel host.single_rounding", "implements elementwise ops, not biased_grouped_topk"});
  expect_usage_error("report --op silu --kernel host.routing_fp32",
                     {"--kernel host.routing_fp32", "implements biased_grouped_topk only", "add --op biased_grouped_topk"});
  expect_usage_error("report --op silu --experts 64", {"--experts 64", "add --op biased_grouped_topk"});
  expect_usage_error("report --op silu --no-precision-study", {"--no-precision-study", "add --op biased_grouped_topk"});
}

TEST(Cli_report_routing, DiffOfARoutingCaseThatNowFailsExitsOne) {
  const TempDir dir;
  const std::string old_path = dir.file("old.json"), new_path = dir.file("new.json");
  const CliRun r = ulpcheck("report --op biased_grouped_topk --bias around_0 --samples 128 --no-precision-study "
                            "--format json -o '" + old_path + "'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  nlohmann::json doc = nlohmann::json::parse(read(old_path));
  nlohmann::json& k = doc["routing"]["batches"][0]["cases"][0];
  k["invalid"] = 1;
  k["matches"] = k["matches"].get<std::int64_t>() - 1;
  k["pass"] = false;
  k["verdict"] = "FAIL";
  write(new_path, doc.dump());
  const CliRun d = ulpcheck("report --diff '" + old_path + "' '" + new_path + "'", Capture::stdout_only);
  EXPECT_EQ(d.exit_code, 1) << d.output;
  EXPECT_TRUE(contains(d.output, "## biased_grouped_topk")) << d.output;
  EXPECT_TRUE(contains(d.output, "| invalid ids | 0 | 1 | +1 |")) << d.output;
  EXPECT_EQ(ulpcheck("report --diff '" + old_path + "' '" + old_path + "'").exit_code, 0);
}

}  // namespace
