// The calls an input set is handed to a kernel in (properties/batches.cpp): the default
// calls cover every element and include an odd token count, d not a multiple of 8 and d
// above 8192; a correct kernel gives the same figures in any calls, and the planted layout
// bugs, which pass in one even call of rows of 1000, fail in the default calls.
#include "ulpcheck/properties/batches.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "tests/properties/planted_kernels.hpp"
#include "ulpcheck/device/registry.hpp"
#include "ulpcheck/properties/measure.hpp"
#include "ulpcheck/reference/registry.hpp"

namespace ulpcheck {
namespace {

const Kernel& planted_kernel(std::string_view name) {
  for (const planted::PlantedKernel& p : planted::layout_bugs())
    if (p.kernel->name() == name) return *p.kernel;
  throw std::logic_error("no planted kernel " + std::string(name));
}

TEST(DefaultBatches, TheReportsMillionIsABulkAnOddBatchAndAWideRow) {
  const std::vector<Batch> want{{983, 1000}, {7, 999}, {1, 10007}};
  EXPECT_EQ(default_batches(1'000'000), want);
  EXPECT_EQ(input_shapes(want, 2), "[983, 2000] + [7, 1998] + [1, 20014]");
}

TEST(DefaultBatches, SmallCountsKeepWhatFits) {
  EXPECT_EQ(default_batches(500), (std::vector<Batch>{{1, 500}}));
  EXPECT_EQ(default_batches(2000), (std::vector<Batch>{{1, 1000}, {1, 1}, {1, 999}}));
  // Four rows of 999 would fit: the largest odd count is three.
  EXPECT_EQ(default_batches(4000), (std::vector<Batch>{{1, 1000}, {1, 3}, {3, 999}}));
  EXPECT_EQ(default_batches(11005), (std::vector<Batch>{{4, 1000}, {1, 12}, {7, 999}}));
  EXPECT_EQ(default_batches(11006), (std::vector<Batch>{{1, 999}, {1, 10007}}));
  // The committed golden files' smallest sampled case and their exhaustive ones.
  EXPECT_EQ(default_batches(16430), (std::vector<Batch>{{1, 1000}, {1, 428}, {5, 999}, {1, 10007}}));
  EXPECT_EQ(default_batches(65536), (std::vector<Batch>{{48, 1000}, {1, 536}, {7, 999}, {1, 10007}}));
  EXPECT_THROW(default_batches(0), std::invalid_argument);
}

TEST(DefaultBatches, EveryCountIsCoveredWithAnOddBatchOfOddD) {
  for (std::int64_t n = 1; n < 30'000; n += 37) {
    const std::vector<Batch> b = default_batches(n);
    EXPECT_EQ(elements_of(b), n) << n;
    EXPECT_TRUE(std::all_of(b.begin(), b.end(), [](const Batch& x) { return x.rows > 0 && x.d > 0; })) << n;
    if (n >= kOddD) {
      EXPECT_TRUE(std::any_of(b.begin(), b.end(), [](const Batch& x) { return x.rows % 2 == 1 && x.d % 8 == 7; }))
          << n;
    }
    EXPECT_EQ(std::any_of(b.begin(), b.end(), [](const Batch& x) { return x.d > 8192; }), n >= kWideD + kOddD) << n;
  }
}

TEST(DefaultBatches, LocateCountsElementsThroughTheCalls) {
  const std::vector<Batch> b{{2, 3}, {1, 5}};
  EXPECT_EQ(locate(b, 0).batch, 0u);
  EXPECT_EQ(locate(b, 4).row, 1);
  EXPECT_EQ(locate(b, 4).col, 1);
  EXPECT_EQ(locate(b, 6).batch, 1u);
  EXPECT_EQ(locate(b, 10).col, 4);
  EXPECT_THROW(locate(b, 11), std::out_of_range);
}

/// 20000 random silu_and_mul bf16 inputs as the report lays them out: one call [20, 2000]
/// (what report did before), or the default calls [3, 2000] + [7, 1998] + [1, 20014].
InputSet one_even_call() { return random_bits(Format::bf16, 2, 20'000, 5); }
InputSet default_calls() { return in_default_batches(one_even_call(), 2); }

TEST(MeasureInBatches, ACorrectKernelGivesTheSameOutputsAndFiguresInAnyCalls) {
  const ElementwiseOp& op = *find_op("silu_and_mul");
  const Kernel& k = *find_kernel("host.single_rounding");
  const InputSet one = one_even_call(), several = default_calls();
  ASSERT_EQ(several.batches.size(), 3u);
  EXPECT_EQ(run_kernel(op, k, Format::bf16, {}, one).bits, run_kernel(op, k, Format::bf16, {}, several).bits);
  const Measurement a = measure(op, k, Format::bf16, {}, one), b = measure(op, k, Format::bf16, {}, several);
  EXPECT_EQ(a.stats.max_ulp, b.stats.max_ulp);
  EXPECT_EQ(a.stats.correctly_rounded, b.stats.correctly_rounded);
  EXPECT_EQ(a.stats.ulp_errors, b.stats.ulp_errors);
  ASSERT_EQ(a.stats.worst.size(), b.stats.worst.size());
  for (std::size_t i = 0; i < a.stats.worst.size(); ++i) EXPECT_EQ(a.stats.worst[i].index, b.stats.worst[i].index);
  EXPECT_EQ(b.batches, several.batches);
}

TEST(MeasureInBatches, ElementsAreReportedInTheCallThatComputedThem) {
  const Measurement m = measure(*find_op("silu_and_mul"), planted_kernel("planted.wide_row_wraps_at_8192"),
                                Format::bf16, {}, default_calls());
  ASSERT_FALSE(m.stats.breaches.empty());
  for (const ElementReport& e : m.stats.breaches) {
    EXPECT_EQ(e.batch, 2u);
    EXPECT_EQ(e.row, 0);
    EXPECT_GE(e.col, 8192);
    EXPECT_EQ(e.index, 3000 + 6993 + e.col);
  }
}

TEST(MeasureInBatches, EveryLayoutBugPassesOneEvenCallAndFailsTheDefaultCalls) {
  const ElementwiseOp& op = *find_op("silu_and_mul");
  ASSERT_EQ(planted::layout_bugs().size(), 3u);
  for (const planted::PlantedKernel& p : planted::layout_bugs()) {
    SCOPED_TRACE(p.bug);
    const Kernel& k = *p.kernel;
    EXPECT_TRUE(measure(op, k, Format::bf16, {}, one_even_call()).stats.passes());
    const Measurement m = measure(op, k, Format::bf16, {}, default_calls());
    EXPECT_FALSE(m.stats.passes());
  }
}

}  // namespace
}  // namespace ulpcheck
