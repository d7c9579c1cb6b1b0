// The corpus keeps each counterexample once, with its own parameters, survives a regen, and
// `golden check` runs it: a planted-bug kernel fails on the very element that caught it.
// Writers in several processes take turns and leave nothing in the directory but the file.
#include "ulpcheck/golden/elementwise/corpus.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <set>

#include "tests/golden/h5_edit.hpp"
#include "tests/properties/planted_kernels.hpp"
#include "ulpcheck/device/registry.hpp"
#include "ulpcheck/golden/elementwise/check.hpp"
#include "ulpcheck/golden/elementwise/regen.hpp"
#include "ulpcheck/reference/registry.hpp"

namespace ulpcheck::golden {
namespace {

using testing::entries;
using testing::TempDir;

const ElementwiseOp& clamp_op() { return *find_op("silu_and_mul_clamp"); }

Params limit(double L) { return Params(clamp_op().default_params()).set("limit", L); }

/// One row [gate | up] of bf16 bits.
BitTensor pair(std::uint32_t gate, std::uint32_t up) {
  BitTensor t = BitTensor::zeros(Format::bf16, 1, 2);
  t.at(0, 0) = gate;
  t.at(0, 1) = up;
  return t;
}

const Kernel& planted_kernel(std::string_view name) {
  for (const planted::PlantedKernel& p : planted::all())
    if (p.kernel->name() == name) return *p.kernel;
  throw std::logic_error("no planted kernel " + std::string(name));
}

TEST(GoldenCorpus_silu_and_mul_clamp, TheSameCounterexampleIsKeptOnce) {
  TempDir dir;
  EXPECT_EQ(add_to_corpus(dir.str(), clamp_op(), Format::bf16, limit(7), pair(0x4120, 0x4000)), 1u);  // g 10, u 2
  EXPECT_EQ(add_to_corpus(dir.str(), clamp_op(), Format::bf16, limit(7), pair(0x4120, 0x4000)), 0u);
  // The same inputs under another limit are another element.
  EXPECT_EQ(add_to_corpus(dir.str(), clamp_op(), Format::bf16, limit(10), pair(0x4120, 0x4000)), 1u);
  const GoldenFile f = read_golden(golden_path(dir.str(), "silu_and_mul_clamp"));
  ASSERT_EQ(f.corpora.size(), 1u);
  EXPECT_EQ(f.corpora[0].data.size(), 2u);
  const std::vector<CorpusPart> parts = split_by_params(f.corpora[0]);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].params.get("limit"), 7.0);
  EXPECT_EQ(parts[1].params.get("limit"), 10.0);
  // silu(min(10, 7)) * min(2, 7) = 2 silu(7) = 13.98724528..., correctly rounded to bf16 14.
  EXPECT_NEAR(parts[0].data.exact_hi[0], 13.98724528, 1e-8);
  EXPECT_EQ(parts[0].data.rounded_bits[0], 0x4160u);
}

TEST(GoldenCorpus_silu_and_mul_clamp, ConcurrentWritersKeepEveryElementAndLeaveNoLockFile) {
  // Each writer reads, appends to and rewrites the one file, again and again: without
  // turns, one would rewrite the file from a copy read before another's write, losing it.
  constexpr int kWriters = 4, kAddsEach = 6;
  TempDir dir;
  std::vector<pid_t> children;
  for (int w = 0; w < kWriters; ++w) {
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0) << "fork failed";
    if (pid == 0) {
      int status = 0;
      try {
        for (int i = 0; i < kAddsEach; ++i)  // gate 1 + (w * kAddsEach + i) bf16 ULPs, up 1: one new element each
          if (add_to_corpus(dir.str(), clamp_op(), Format::bf16, limit(7),
                            pair(0x3f80 + static_cast<std::uint32_t>(w * kAddsEach + i), 0x3f80)) != 1)
            status = 1;
      } catch (const std::exception&) {
        status = 2;
      }
      ::_exit(status);  // not exit(): the parent's gtest and HDF5 handlers must not run here
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "writer " << pid << " status " << status;
  }
  const GoldenFile f = read_golden(golden_path(dir.str(), "silu_and_mul_clamp"));
  ASSERT_EQ(f.corpora.size(), 1u);
  EXPECT_EQ(f.corpora[0].data.size(), static_cast<std::size_t>(kWriters * kAddsEach));
  EXPECT_EQ(entries(dir.str()), std::set<std::string>{"silu_and_mul_clamp.h5"});
}

TEST(GoldenCorpus_silu_and_mul_clamp, RegenCarriesTheCorpusOver) {
  TempDir dir;
  add_to_corpus(dir.str(), clamp_op(), Format::fp16, limit(0), pair(0x4900, 0x3c00));
  const std::string path = golden_path(dir.str(), "silu_and_mul_clamp");
  BuildOptions o;
  o.samples = 50;
  o.kernels = runnable_kernels();
  write_golden(path, build_golden(clamp_op(), o, read_golden(path).corpora));
  const GoldenFile f = read_golden(path);
  EXPECT_EQ(f.cases.size(), 15u);
  ASSERT_EQ(f.corpora.size(), 1u);
  EXPECT_EQ(f.corpora[0].format, Format::fp16);
  EXPECT_EQ(f.corpora[0].data.x0_bits, std::vector<std::uint32_t>{0x4900});
}

TEST(GoldenCheck_silu_and_mul_clamp, APlantedKernelFailsOnTheCorpusElementThatCaughtIt) {
  // min(silu(g), L) instead of silu(min(g, L)): with L = 1 and g = 2, silu(2) = 1.76 is
  // clamped to 1, where the exact result is silu(1) = 0.73.
  TempDir dir;
  add_to_corpus(dir.str(), clamp_op(), Format::bf16, limit(1), pair(0x4000, 0x3f80));  // g 2, u 1
  const GoldenFile f = read_golden(golden_path(dir.str(), "silu_and_mul_clamp"));
  const FileCheck bad = check_kernel(f, planted_kernel("planted.clamp_after_activation"));
  ASSERT_EQ(bad.groups.size(), 1u);
  EXPECT_EQ(bad.groups[0].group, "/bf16/corpus (limit=1)");
  EXPECT_FALSE(bad.passes());
  EXPECT_EQ(bad.groups[0].measurement.stats.budget_breaches, 1);
  const FileCheck good = check_kernel(f, *find_kernel("host.single_rounding"));
  EXPECT_TRUE(good.passes());
}

TEST(GoldenCheck_silu_and_mul, ACorrectKernelReproducesItsRecordedFigures) {
  BuildOptions o;
  o.samples = 300;
  o.kernels = {find_kernel("host.double_rounding")};
  const GoldenFile f = build_golden(*find_op("silu_and_mul"), o);
  const FileCheck c = check_kernel(f, *find_kernel("host.double_rounding"));
  ASSERT_EQ(c.groups.size(), 3u);
  for (const GroupCheck& g : c.groups) {
    SCOPED_TRACE(g.group);
    ASSERT_TRUE(g.recorded.has_value());
    EXPECT_EQ(g.measurement.stats.max_ulp, g.recorded->max_ulp);
    EXPECT_EQ(g.measurement.stats.percentile(0.99), g.recorded->p99);
    EXPECT_TRUE(g.measurement.stats.passes());
  }
}

TEST(GoldenCheck_silu_and_mul_clamp, GroupsAKernelDoesNotTakeAreSkippedWithTheReason) {
  // The double-rounding kernel stores silu(g) in fp16, which cannot hold a limit of 1e30:
  // it declares it does not take such a limit.
  TempDir dir;
  add_to_corpus(dir.str(), clamp_op(), Format::fp16, limit(1e30f), pair(0x3c00, 0x3c00));
  const GoldenFile f = read_golden(golden_path(dir.str(), "silu_and_mul_clamp"));
  const FileCheck c = check_kernel(f, *find_kernel("host.double_rounding"));
  EXPECT_TRUE(c.groups.empty());
  ASSERT_EQ(c.skipped.size(), 1u);
  EXPECT_NE(c.skipped[0].find("/fp16/corpus"), std::string::npos) << c.skipped[0];
}

}  // namespace
}  // namespace ulpcheck::golden
