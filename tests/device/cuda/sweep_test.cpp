// The GPU sweep (device/sweep/, properties/exhaustive.hpp) on a device: its oracle compiled
// for the GPU gives the host oracle's bits (which the CPU tests pin to MPFR), its figures
// equal a host measurement of the same elements, it catches planted kernels, and shards
// merge into the single run's report byte for byte.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "tests/device/cuda/gpu_test_support.hpp"
#include "tests/device/cuda/planted_kernels.cuh"
#include "tests/device/cuda/sweep_oracle.cuh"
#include "ulpcheck/device/plugin.hpp"
#include "ulpcheck/device/registry.hpp"
#include "ulpcheck/properties/exhaustive.hpp"
#include "ulpcheck/properties/measure.hpp"
#include "ulpcheck/reference/certified/pair_tables.hpp"
#include "ulpcheck/reference/oracle.hpp"
#include "ulpcheck/reference/registry.hpp"
#include "ulpcheck/reports/report_document.hpp"
#include "ulpcheck/runs/exhaustive.hpp"

namespace ulpcheck {
namespace {

/// Every gate with 64 ups (edges and random patterns) of every gated op, 16-bit format and
/// checked parameter set: the GPU's rounded results are the host oracle's, bit for bit.
TEST(SweepOracle, PairOracleOnTheGpuGivesTheHostOraclesBits) {
  ULPCHECK_REQUIRE_GPU();
  std::mt19937_64 rng(3);
  for (const ElementwiseOp* op : all_ops()) {
    if (op->arity != 2) continue;
    for (Format f : {Format::bf16, Format::fp16})
      for (const Params& p : op->checked_params()) {
        const PairTables t = pair_tables(*op, f, p);
        std::vector<std::uint32_t> ups{0x0000, 0x8000, 0x0001, 0x8001, encode(f, 1.0), encode(f, -7.0),
                                       encode(f, round_to(f, 7.3)), f == Format::bf16 ? 0x7f80u : 0x7c00u};
        while (ups.size() < 64) ups.push_back(static_cast<std::uint32_t>(rng()) & 0xffff);
        std::vector<std::uint32_t> gb, ub;
        std::vector<double> gates, up_values;
        for (std::uint32_t u : ups)
          for (std::uint32_t g = 0; g < 65536; ++g) {
            gb.push_back(g), ub.push_back(u);
            gates.push_back(decode(f, g)), up_values.push_back(decode(f, u));
          }
        const std::vector<Decided> gpu = test::pair_exact_on_gpu(op->activation->kind, f, t.gates, t.ups, gb, ub);
        const std::vector<Exact> host = evaluate(*op, f, gates, up_values, p);
        std::int64_t undecided = 0;
        for (std::size_t i = 0; i < gpu.size(); ++i) {
          if (!gpu[i].decided) {
            ++undecided;
            continue;
          }
          ASSERT_EQ(encode(f, gpu[i].exact.rounded), encode(f, host[i].rounded))
              << op->name << " " << name(f) << " " << p.to_string() << fmt::format(" gate {:#06x} up {:#06x}", gb[i], ub[i]);
        }
        EXPECT_LE(undecided, 2) << op->name << " " << name(f) << " " << p.to_string();
      }
  }
}

TEST(SweepOracle, UnaryOracleOnTheGpuGivesTheHostOraclesBitsOnTenMillionFp32Inputs) {
  ULPCHECK_REQUIRE_GPU();
  std::mt19937_64 rng(4);
  std::vector<double> x(10'000'000);
  for (double& v : x) v = decode(Format::fp32, static_cast<std::uint32_t>(rng()));
  for (const ElementwiseOp* op : all_ops()) {
    if (op->arity != 1) continue;
    const std::vector<Decided> gpu = test::unary_exact_on_gpu(op->activation->kind, Format::fp32, x);
    const std::vector<Exact> host = evaluate(*op, Format::fp32, x, {}, op->default_params());
    std::int64_t undecided = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
      if (!gpu[i].decided) {
        if (undecided++ < 3) fmt::print("{} fp32: left to the host: x = {:a}\n", op->name, x[i]);
        continue;
      }
      ASSERT_EQ(encode(Format::fp32, gpu[i].exact.rounded), encode(Format::fp32, host[i].rounded))
          << op->name << fmt::format(" x = {:a}", x[i]);
    }
    fmt::print("{} fp32: {} of {} left to the host\n", op->name, undecided, x.size());
    EXPECT_LT(undecided, 10000) << op->name;
  }
}

/// The report case of a sweep as its JSON text: what a user compares.
std::string case_json(const std::vector<ExhaustivePart>& wholes) {
  return report_json_text(report_document(exhaustive_results(wholes)));
}

/// Sweeps rows of a gated op's bf16 space and measures the same pairs through the kernel's
/// run() and the host oracle: the figures agree.
void expect_sweep_equals_host_measurement(const ElementwiseOp& op, const Kernel& kernel, const Params& p,
                                          const Shard& shard) {
  const ExhaustivePart part = run_exhaustive_part(op, kernel, Format::bf16, p, shard);
  InputSet in;
  in.tensor = BitTensor{Format::bf16, shard.end_unit() - shard.first_unit(), 2 * sweep::kRowElements, {}};
  for (std::int64_t r = shard.first_unit(); r < shard.end_unit(); ++r) {
    for (std::uint32_t g = 0; g < 65536; ++g) in.tensor.bits.push_back(g);
    for (std::uint32_t g = 0; g < 65536; ++g) in.tensor.bits.push_back(static_cast<std::uint32_t>(r));
  }
  in.description = "rows of the sweep";
  in.batches = {{in.tensor.rows, sweep::kRowElements}};
  const Measurement m = measure(op, kernel, Format::bf16, p, in);
  const sweep::Totals& t = part.figures.totals;
  EXPECT_EQ(t.count, m.stats.count);
  EXPECT_EQ(t.numeric, m.stats.numeric);
  EXPECT_EQ(t.correctly_rounded, m.stats.correctly_rounded);
  EXPECT_EQ(t.in_floor_region, m.stats.in_floor_region);
  EXPECT_EQ(t.budget_breaches, m.stats.budget_breaches);
  EXPECT_EQ(t.semantic_differences, m.stats.semantic_differences);
  EXPECT_EQ(t.semantic_violations, m.stats.semantic_violations);
  EXPECT_NEAR(t.max_ulp, m.stats.max_ulp, 1e-9 * m.stats.max_ulp);
  // The distributions the device compacted hold each bucket's elements once, by bin in
  // increasing order.
  const auto same_total = [](const std::vector<std::vector<std::pair<std::uint16_t, std::int64_t>>>& distributions,
                             const std::vector<sweep::BucketFigures>& buckets, const char* what) {
    for (std::size_t b = 0; b < buckets.size(); ++b) {
      std::int64_t n = 0;
      for (std::size_t i = 0; i < distributions[b].size(); ++i) {
        n += distributions[b][i].second;
        if (i > 0) {
          EXPECT_LT(distributions[b][i - 1].first, distributions[b][i].first) << what << " bucket " << b;
        }
      }
      EXPECT_EQ(n, buckets[b].count) << what << " bucket " << b;
    }
  };
  same_total(part.figures.input_prefix, part.figures.input, "input");
  same_total(part.figures.result_prefix, part.figures.result, "result");
  // The tables the device reduced: rows by binade of input, exactly; by binade of the exact
  // result, as far as the two oracles' values agree on it. The GPU's is a double-double
  // within its bound, not the rounded MPFR value, so an element within that bound of a
  // power of two may count one binade over; and a product of a gate whose activation is
  // below 2^-900 (a signed zero in every format) has the value 0 there, so it counts in the
  // zero row where the host counts it as underflowing. Every other count and every maximum
  // is the host's.
  const CaseFigures gpu = case_figures(part.figures, Format::bf16), host = digest(m).figures;
  const auto same_rows = [&](const std::vector<BinadeRow>& a, const std::vector<BinadeRow>& b, bool by_input) {
    ASSERT_EQ(a.size(), b.size()) << (by_input ? "by input" : "by result");
    std::int64_t moved = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
      const ErrorFigures &x = a[i].figures, &y = b[i].figures;
      const std::string where = fmt::format("{} row {} (binade {})", by_input ? "by input" : "by result", i, a[i].binade);
      EXPECT_EQ(a[i].binade, b[i].binade) << where;
      EXPECT_EQ(x.breaches, y.breaches) << where;
      if (by_input || a[i].kind == RowKind::zero || a[i].kind == RowKind::underflow) {
        if (by_input) {
          EXPECT_EQ(x.count, y.count) << where;
          EXPECT_EQ(x.not_correctly_rounded, y.not_correctly_rounded) << where;
          EXPECT_EQ(x.in_floor_region, y.in_floor_region) << where;
        }
        EXPECT_EQ(x.max_ulp_above_floor, y.max_ulp_above_floor) << where;
      } else {
        EXPECT_LE(std::abs(x.count - y.count), 1) << where;
        EXPECT_EQ(x.max_ulp_above_floor, y.max_ulp_above_floor) << where;
      }
      moved += std::abs(x.count - y.count);
    }
    if (!by_input) fmt::print("{} elements counted in another row of the table by result\n", moved);
  };
  same_rows(gpu.binades_input, host.binades_input, true);
  same_rows(gpu.binades_result, host.binades_result, false);
  // Zero and underflow rows together hold the same elements.
  const auto low = [](const std::vector<BinadeRow>& rows) {
    std::int64_t n = 0;
    for (const BinadeRow& r : rows)
      if (r.kind == RowKind::zero || r.kind == RowKind::underflow) n += r.figures.count;
    return n;
  };
  EXPECT_EQ(low(gpu.binades_result), low(host.binades_result));
  ASSERT_EQ(gpu.ulp_histogram.size(), host.ulp_histogram.size());
  for (std::size_t i = 0; i < gpu.ulp_histogram.size(); ++i) {
    EXPECT_EQ(gpu.ulp_histogram[i].count, host.ulp_histogram[i].count) << "histogram bin " << i;
    EXPECT_EQ(gpu.ulp_histogram[i].in_floor_region, host.ulp_histogram[i].in_floor_region) << "histogram bin " << i;
  }
  fmt::print("{} rows {}..{}: {} elements, max {:.6g} ULP on the GPU, {:.6g} on the host; {} breaches\n",
             kernel.name(), shard.first_unit(), shard.end_unit() - 1, t.count, t.max_ulp, m.stats.max_ulp,
             t.budget_breaches);
}

TEST(Sweep, MatchesAHostMeasurementOfTheSameRows) {
  ULPCHECK_REQUIRE_GPU();
  const ElementwiseOp& op = *find_op("silu_and_mul_clamp");
  // rows 16000..16015: ups around 2^-2 and their negatives' neighbours
  expect_sweep_equals_host_measurement(op, *find_kernel("cuda.single_rounding"), op.default_params().set("limit", 7.0),
                                       Shard{1000, 4096});
}

/// The example CUDA plugin (examples/plugin/cuda_silu_and_mul_plugin.cu), where the build
/// put it or beside this binary in a bundle.
std::string example_cuda_plugin() {
  const std::filesystem::path built = ULPCHECK_EXAMPLE_CUDA_PLUGIN;
  if (std::filesystem::exists(built)) return built.string();
  return (std::filesystem::read_symlink("/proc/self/exe").parent_path() / ".." / "lib" / built.filename()).string();
}

TEST(Sweep, SweepsAPluginKernelOnDeviceMemory) {
  ULPCHECK_REQUIRE_GPU();
  const std::string path = example_cuda_plugin();
  ASSERT_TRUE(std::filesystem::exists(path)) << path;
  static const std::vector<std::string> names = load_plugin(path);
  ASSERT_EQ(names, std::vector<std::string>{"example.cuda_swiglu"});
  const ElementwiseOp& op = *find_op("silu_and_mul");
  expect_sweep_equals_host_measurement(op, *find_kernel("example.cuda_swiglu"), op.default_params(), Shard{1010, 4096});
}

TEST(Sweep, CatchesPlantedKernels) {
  ULPCHECK_REQUIRE_GPU();
  // Row offsets in int: right while the offsets stay below 2^31, wrong past them: 32768
  // rows of 2 * 65536 elements on the sweep's first call reach 2^32.
  const ElementwiseOp& op = *find_op("silu_and_mul");
  const ExhaustivePart wrong = run_exhaustive_part(op, cuda::planted::int32_row_offsets(), Format::bf16,
                                                   op.default_params(), Shard{0, 2}, {}, nullptr, 32768);
  EXPECT_GT(wrong.figures.totals.budget_breaches + wrong.figures.totals.semantic_violations, 0);
  // __expf under the accurate kernel's 4-ulp claim fails on some fp32 input.
  const ElementwiseOp& silu = *find_op("silu");
  const ExhaustivePart fast = run_exhaustive_part(silu, cuda::planted::fast_exp_under_accurate_budget(), Format::fp32,
                                                  silu.default_params(), Shard{});
  ASSERT_GT(fast.figures.totals.budget_breaches, 0);
  fmt::print("planted: int32 offsets {} breaches in half the pairs; __expf {} breaches over every fp32 input, first at "
             "x = {:a}\n",
             wrong.figures.totals.budget_breaches, fast.figures.totals.budget_breaches,
             decode(Format::fp32, static_cast<std::uint32_t>(fast.figures.lists[sweep::kBreaches].front().index)));
}

TEST(Sweep, TwoShardsMergeIntoTheSingleRunsReport) {
  ULPCHECK_REQUIRE_GPU();
  const ElementwiseOp& op = *find_op("gelu_tanh_and_mul");
  const Kernel& kernel = *find_kernel("cuda.single_rounding");
  const Params p = op.default_params();
  const ExhaustivePart whole = run_exhaustive_part(op, kernel, Format::fp16, p, Shard{});
  std::vector<ExhaustivePart> parts;
  for (std::int64_t k : {1, 0})  // in either order
    parts.push_back(part_from_document(part_document(run_exhaustive_part(op, kernel, Format::fp16, p, Shard{k, 2})),
                                       fmt::format("shard {}", k + 1)));
  EXPECT_EQ(case_json({whole}), case_json(merge_part_groups(parts)));
  EXPECT_EQ(whole.figures.totals.count, std::int64_t{1} << 32);
}

}  // namespace
}  // namespace ulpcheck
