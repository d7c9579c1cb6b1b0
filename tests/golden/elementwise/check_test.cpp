// `golden check` hands each group's inputs to the kernel in default_batches(): the committed
// files, unchanged, catch the planted layout bugs (wrong only in the scalar tail, in an
// odd token count, or past d = 8192) in every case, and the correct kernel still passes.
#include "ulpcheck/golden/elementwise/check.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "tests/properties/planted_kernels.hpp"
#include "ulpcheck/device/registry.hpp"
#include "ulpcheck/golden/elementwise/regen.hpp"
#include "ulpcheck/reference/registry.hpp"

#ifndef ULPCHECK_GOLDEN_DATA
#error "ULPCHECK_GOLDEN_DATA must name the committed golden/data"
#endif

namespace ulpcheck::golden {
namespace {

const GoldenFile& committed_silu_and_mul() {
  static const GoldenFile f = read_golden(golden_path(ULPCHECK_GOLDEN_DATA, "silu_and_mul"));
  return f;
}

TEST(GoldenCheck_silu_and_mul, InputsAreHandedOverInTheDefaultCalls) {
  const GoldenCase& c = committed_silu_and_mul().cases.front();
  const InputSet in = as_input_set(*find_op("silu_and_mul"), c.format, c.data, c.input);
  EXPECT_EQ(in.batches, default_batches(static_cast<std::int64_t>(c.data.size())));
  EXPECT_TRUE(std::any_of(in.batches.begin(), in.batches.end(), [](const Batch& b) { return b.d > 8192; }));
}

TEST(GoldenCheck_silu_and_mul, TheCorrectKernelPassesEveryGroup) {
  const FileCheck c = check_kernel(committed_silu_and_mul(), *find_kernel("host.single_rounding"));
  EXPECT_EQ(c.groups.size(), 3u);  // a case per dtype
  EXPECT_TRUE(c.passes());
}

TEST(GoldenCheck_silu_and_mul, EveryLayoutBugFailsEveryCase) {
  // The cases, of 18320 to 18500 elements; a corpus part (none is committed now) of a few
  // counterexamples is one short row.
  ASSERT_EQ(planted::layout_bugs().size(), 3u);
  for (const planted::PlantedKernel& p : planted::layout_bugs()) {
    SCOPED_TRACE(p.bug);
    const FileCheck c = check_kernel(committed_silu_and_mul(), *p.kernel);
    int cases = 0;
    for (const GroupCheck& g : c.groups) {
      if (g.group.find("corpus") != std::string::npos) continue;
      EXPECT_FALSE(g.measurement.stats.passes()) << g.group;
      ++cases;
    }
    EXPECT_EQ(cases, 3);
  }
}

}  // namespace
}  // namespace ulpcheck::golden
