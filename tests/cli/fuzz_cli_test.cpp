// `ulpcheck fuzz` end to end: correct kernels pass, every planted-bug kernel (loaded as a
// plugin) is caught within the default case count, failures print a shrunk case and a
// replay token that reproduces it, the same seed gives the same output, --junit writes XML.
// Run in a checkout, fuzz changes no file of it: counterexamples are kept only in the
// directory --golden-dir names, and a plugin kernel's never in the project's golden/data.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "tests/cli/run_ulpcheck.hpp"
#include "tests/properties/planted_kernels.hpp"

#ifndef ULPCHECK_PLANTED_PLUGIN
#error "ULPCHECK_PLANTED_PLUGIN must name the planted-bug plugin"
#endif
#ifndef ULPCHECK_SOURCE_DIR
#error "ULPCHECK_SOURCE_DIR must name the source tree (its golden/data is copied)"
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

namespace fs = std::filesystem;

/// The line of `output` that starts with `prefix` (after leading spaces), without them.
std::string line_starting(const std::string& output, const std::string& prefix) {
  std::istringstream in(output);
  for (std::string line; std::getline(in, line);) {
    line.erase(0, line.find_first_not_of(' '));
    if (line.starts_with(prefix)) return line;
  }
  return {};
}

/// The standard output of a shell command.
std::string shell_output(const std::string& command) {
  std::string out;
  if (FILE* pipe = popen(command.c_str(), "r")) {
    char buf[4096];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;) out.append(buf, n);
    pclose(pipe);
  }
  return out;
}

/// A fresh directory, removed at scope exit.
class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (fs::temp_directory_path() / "ulpcheck-fuzz-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

/// Runs the tests in `dir` while alive, as a person runs ulpcheck in a checkout.
class InDirectory {
 public:
  explicit InDirectory(const fs::path& dir) : before_(fs::current_path()) { fs::current_path(dir); }
  ~InDirectory() { fs::current_path(before_); }

 private:
  fs::path before_;
};

/// A copy of what fuzz could touch in a checkout: the top-level CMakeLists.txt (it marks an
/// ulpcheck tree) and golden/data with the clamp op's committed file; under git, committed,
/// where git is installed.
class CheckoutCopy {
 public:
  CheckoutCopy() {
    const fs::path source = ULPCHECK_SOURCE_DIR;
    fs::create_directories(root() / "golden/data");
    fs::copy_file(source / "CMakeLists.txt", root() / "CMakeLists.txt");
    fs::copy_file(source / "golden/data/silu_and_mul_clamp.h5", root() / "golden/data/silu_and_mul_clamp.h5");
    git_ = std::system("git --version >/dev/null 2>&1") == 0;
    if (git_)
      git_ = std::system(("cd '" + root().string() + "' && git init -q && git add -A && git -c user.name=test "
                          "-c user.email=test@example.com commit -q -m copy")
                             .c_str()) == 0;
  }
  const fs::path& root() const { return dir_.path(); }

  /// Every file under the copy but .git, with its bytes.
  std::map<std::string, std::string> files() const {
    std::map<std::string, std::string> out;
    for (auto it = fs::recursive_directory_iterator(root()); it != fs::recursive_directory_iterator(); ++it) {
      if (it->path().filename() == ".git") {
        it.disable_recursion_pending();
        continue;
      }
      if (!it->is_regular_file()) continue;
      std::ifstream in(it->path(), std::ios::binary);
      std::stringstream bytes;
      bytes << in.rdbuf();
      out[fs::relative(it->path(), root()).string()] = bytes.str();
    }
    return out;
  }

  /// `git status --porcelain` ("" when clean), or nothing where git is not installed.
  std::optional<std::string> git_status() const {
    if (!git_) return std::nullopt;
    return shell_output("cd '" + root().string() + "' && git status --porcelain --untracked-files=all");
  }

 private:
  ScratchDir dir_;
  bool git_ = false;
};

/// The names in a directory.
std::set<std::string> entries(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.insert(e.path().filename().string());
  return names;
}

/// A plugin kernel that fuzz catches: it clamps after the activation.
const std::string kClampAfter = "--kernel planted.clamp_after_activation --op silu_and_mul_clamp --dtype bf16 ";

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
    // The property that catches it alone: the others' passing runs are Fuzz's (in process).
    const auto r = ulpcheck(kFuzzPlanted + "--kernel " + std::string(pk.kernel->name()) + " --op " + std::string(pk.op) +
                            " --property " + std::string(pk.caught_by));
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_TRUE(contains(r.output, std::string(pk.caught_by) + ": FAILED after")) << r.output;
    EXPECT_TRUE(contains(r.output, "minimal case:")) << r.output;
    EXPECT_FALSE(replay_token(r.output).empty()) << r.output;
  }
}

TEST(Cli_fuzz, PropertySelectsRunsAndAnUnknownOneListsThem) {
  const auto r = ulpcheck("fuzz --kernel host.single_rounding --op silu --dtype bf16 --cases 5 --property within_budget "
                          "--property rows_are_independent",
                          testing::Capture::stdout_only);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "2 of 2 property runs passed")) << r.output;
  EXPECT_TRUE(contains(r.output, "host.single_rounding silu bf16 within_budget")) << r.output;
  EXPECT_FALSE(contains(r.output, "reruns_are_identical")) << r.output;
  const auto bad = ulpcheck("fuzz --property within_budgt");
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  for (const char* part : {"--property within_budgt: no such property", "within_budget", "ids_valid"})
    EXPECT_TRUE(contains(bad.output, part)) << "missing '" << part << "' in:\n" << bad.output;
  const auto none = ulpcheck("fuzz --op silu --property ids_valid");
  EXPECT_EQ(none.exit_code, 2) << none.output;
  EXPECT_TRUE(contains(none.output, "with the selected properties")) << none.output;
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

TEST(Cli_fuzz, TheReplayLineNamesEveryPluginAndRunsAsPrinted) {
  const auto first = ulpcheck(kFuzzPlanted + kClampAfter, testing::Capture::stdout_only);
  ASSERT_EQ(first.exit_code, 1) << first.output;
  const std::string replay = line_starting(first.output, "replay: ");
  EXPECT_TRUE(replay.starts_with(std::string("replay: ulpcheck fuzz --plugin '") + ULPCHECK_PLANTED_PLUGIN +
                                 "' --replay '"))
      << first.output;
  // The printed command, run as it is, loads the plugin and fails the same way.
  const auto again = ulpcheck(replay.substr(std::string("replay: ulpcheck ").size()), testing::Capture::stdout_only);
  EXPECT_EQ(again.exit_code, 1) << again.output;
  EXPECT_TRUE(contains(again.output, "planted.clamp_after_activation silu_and_mul_clamp bf16 within_budget: FAILED"))
      << again.output;
}

TEST(Cli_fuzz, RunInACheckoutChangesNoFileOfIt) {
  CheckoutCopy checkout;
  const auto before = checkout.files();
  {
    InDirectory in(checkout.root());
    const auto first = ulpcheck(kFuzzPlanted + kClampAfter);
    EXPECT_EQ(first.exit_code, 1) << first.output;
    const std::string not_kept =
        "not kept in a golden corpus: fuzz writes no file unless asked; --golden-dir DIR keeps it in "
        "DIR/silu_and_mul_clamp.h5";
    EXPECT_TRUE(contains(first.output, not_kept)) << first.output;
    const auto replay = ulpcheck(kFuzzPlanted + "--replay '" + replay_token(first.output) + "'");
    EXPECT_EQ(replay.exit_code, 1) << replay.output;
    EXPECT_TRUE(contains(replay.output, not_kept)) << replay.output;
  }
  EXPECT_EQ(checkout.files(), before) << "fuzz changed or created a file in the checkout";
  if (const auto status = checkout.git_status()) {
    EXPECT_EQ(*status, "") << "git status after fuzz:\n" << *status;
  }
}

TEST(Cli_fuzz, APluginKernelsCounterexampleIsNeverKeptInTheProjectsGoldenData) {
  CheckoutCopy checkout;
  const auto before = checkout.files();
  {
    InDirectory in(checkout.root());
    const auto r = ulpcheck(kFuzzPlanted + kClampAfter + "--golden-dir golden/data");
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_TRUE(contains(r.output, "not kept in a golden corpus: planted.clamp_after_activation is a plugin kernel, "
                                   "and golden/data is this project's own golden data"))
        << r.output;
    EXPECT_FALSE(contains(r.output, "kept in the golden corpus:")) << r.output;
  }
  EXPECT_EQ(checkout.files(), before) << "fuzz changed or created a file in the checkout";
  if (const auto status = checkout.git_status()) {
    EXPECT_EQ(*status, "") << "git status after fuzz:\n" << *status;
  }
}

TEST(Cli_fuzz, GoldenDirKeepsTheCounterexampleThereAndNothingElse) {
  ScratchDir mine;
  const auto r = ulpcheck(kFuzzPlanted + kClampAfter + "--golden-dir '" + mine.path().string() + "'");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "kept in the golden corpus: " + (mine.path() / "silu_and_mul_clamp.h5").string() +
                                     " /bf16/corpus (+"))
      << r.output;
  EXPECT_EQ(entries(mine.path()), std::set<std::string>{"silu_and_mul_clamp.h5"}) << "a lock or temporary file was left";
}

TEST(Cli_fuzz, NoCorpusSaysThatIsWhyNothingWasKept) {
  const auto r = ulpcheck(kFuzzPlanted + kClampAfter + "--no-corpus");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "not kept in a golden corpus (--no-corpus)")) << r.output;
  EXPECT_FALSE(contains(r.output, "golden/data here")) << r.output;
}

TEST(Cli_fuzz, SameSeedSameOutput) {
  const std::string args = kFuzzPlanted + "--kernel planted.truncating_conversion --kernel host.single_rounding "
                                     "--op silu_and_mul --cases 40 --seed 11";
  const auto a = ulpcheck(args, testing::Capture::stdout_only), b = ulpcheck(args, testing::Capture::stdout_only);
  EXPECT_EQ(a.exit_code, 1);
  EXPECT_EQ(a.output, b.output);
}

TEST(Cli_fuzz, ShardsInOrderPrintTheWholeRunsLines) {
  const std::string args = kFuzzPlanted + "--kernel planted.truncating_conversion --kernel host.single_rounding "
                                     "--op silu_and_mul --cases 20 --seed 5 ";
  // The lines of the runs, without the summary (which counts the runs printed).
  const auto runs_of = [](const std::string& out) {
    std::string lines;
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);)
      if (!contains(line, "property runs passed")) lines += line + "\n";
    return lines;
  };
  const auto whole = ulpcheck(args, testing::Capture::stdout_only);
  std::string joined;
  int failed_shards = 0;
  for (const char* k : {"1/3", "2/3", "3/3"}) {
    const auto r = ulpcheck(args + "--shard " + k, testing::Capture::stdout_only);
    EXPECT_TRUE(contains(r.output, std::string("shard ") + k + ": ")) << r.output;
    failed_shards += r.exit_code == 1;
    joined += runs_of(r.output);
  }
  EXPECT_EQ(whole.exit_code, 1);
  EXPECT_GE(failed_shards, 1);
  EXPECT_EQ(joined, runs_of(whole.output));
  expect_usage_error(args + "--shard 0/3", {"--shard 0/3"});
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
  // CLI11's integer conversion saturates past 2^64-1 and wraps -1; its number check passes NaN.
  expect_usage_error("fuzz --seed 18446744073709551616", {"--seed", "0 to 2^64-1"});
  expect_usage_error("fuzz --seed -1", {"--seed", "0 to 2^64-1"});
  expect_usage_error("fuzz --time-budget nan", {"--time-budget", "finite number greater than 0"});
  expect_usage_error("fuzz --time-budget inf", {"--time-budget", "finite number greater than 0"});
  expect_usage_error("fuzz --kernel host.single_rounding --op silu --dtype bf16 --cases 1 --junit /nonexistent/dir/x.xml",
                     {"--junit", "/nonexistent/dir/x.xml"});
}

}  // namespace
}  // namespace ulpcheck
