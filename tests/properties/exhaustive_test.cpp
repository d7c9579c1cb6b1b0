// Exhaustive cases on the host (every input of a unary op on bf16 and fp16): the figures
// are a measurement of the same 65536 inputs, shards merge into the single run's report
// byte for byte in any order and any split, a kernel that truncates is caught on every
// input where it matters, and part documents survive their round trip and refuse damage.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "ulpcheck/device/registry.hpp"
#include "ulpcheck/properties/exhaustive.hpp"
#include "ulpcheck/properties/inputs.hpp"
#include "ulpcheck/properties/measure.hpp"
#include "ulpcheck/reference/registry.hpp"
#include "ulpcheck/reports/report_document.hpp"
#include "ulpcheck/runs/exhaustive.hpp"
#include "ulpcheck/runs/request_error.hpp"

namespace ulpcheck {
namespace {

std::string report_json(const std::vector<ExhaustivePart>& wholes) {
  return report_json_text(report_document(exhaustive_results(wholes)));
}

ExhaustivePart run(const char* op, Format f, const char* kernel, Shard shard = {}) {
  const ElementwiseOp& o = *find_op(op);
  return run_exhaustive_part(o, *find_kernel(kernel), f, o.default_params(), shard);
}

TEST(Exhaustive, HostSweepIsAMeasurementOfEveryInput) {
  for (const char* op : {"silu", "gelu", "gelu_tanh"})
    for (Format f : {Format::bf16, Format::fp16}) {
      const ExhaustivePart part = run(op, f, "host.single_rounding");
      const CaseResult sweep = exhaustive_case(part);
      const ElementwiseOp& o = *find_op(op);
      const CaseResult measured =
          digest(measure(o, *find_kernel("host.single_rounding"), f, o.default_params(), all_values(f)));
      const ErrorStats &a = sweep.measurement.stats, &b = measured.measurement.stats;
      const std::string what = fmt::format("{} {}", op, name(f));
      EXPECT_EQ(a.count, 65536) << what;
      EXPECT_EQ(a.count, b.count) << what;
      EXPECT_EQ(a.correctly_rounded, b.correctly_rounded) << what;
      EXPECT_EQ(a.in_floor_region, b.in_floor_region) << what;
      EXPECT_EQ(a.budget_breaches, b.budget_breaches) << what;
      EXPECT_EQ(a.semantic_differences, b.semantic_differences) << what;
      EXPECT_EQ(a.max_ulp, b.max_ulp) << what;
      EXPECT_EQ(a.max_ulp_above_floor, b.max_ulp_above_floor) << what;
      ASSERT_EQ(a.worst.size(), b.worst.size()) << what;
      for (std::size_t i = 0; i < a.worst.size(); ++i) EXPECT_EQ(a.worst[i].x0_bits, b.worst[i].x0_bits) << what << " worst " << i;
      // The tables by binade: the same rows, counts and maxima; percentiles read from bins
      // 2^-7 wide are the top of the bin holding the exact one.
      ASSERT_EQ(sweep.figures.binades_input.size(), measured.figures.binades_input.size()) << what;
      for (std::size_t i = 0; i < sweep.figures.binades_input.size(); ++i) {
        const ErrorFigures &x = sweep.figures.binades_input[i].figures, &y = measured.figures.binades_input[i].figures;
        EXPECT_EQ(x.count, y.count) << what << " row " << i;
        EXPECT_EQ(x.max_ulp, y.max_ulp) << what << " row " << i;
        EXPECT_GE(x.p99_ulp, y.p99_ulp) << what << " row " << i;
        EXPECT_LE(x.p99_ulp, y.p99_ulp * (1 + 0x1p-7) + 1e-40) << what << " row " << i;
      }
    }
}

TEST(Exhaustive, ShardsMergeIntoTheSingleRunsReportInAnyOrderAndSplit) {
  const std::string whole = report_json({run("gelu_tanh", Format::fp16, "host.single_rounding")});
  for (std::int64_t n : {2, 3, 7}) {
    std::vector<ExhaustivePart> parts;
    for (std::int64_t k = n - 1; k >= 0; --k)  // last shard first
      parts.push_back(part_from_document(part_document(run("gelu_tanh", Format::fp16, "host.single_rounding", {k, n})),
                                         "test"));
    EXPECT_EQ(report_json(merge_part_groups(parts)), whole) << n << " shards";
  }
}

/// silu on bf16 rounded toward zero instead of to nearest: off by up to one ULP wherever
/// the fp32 value is not a bf16 value, which the 0.501-ULP budget does not allow.
class TruncatingSilu final : public Kernel {
 public:
  std::string_view name() const override { return "test.truncating_silu"; }
  std::string_view description() const override { return "silu rounded toward zero (planted)"; }
  std::optional<Budget> claim(const ElementwiseOp& op, Format f) const override {
    if (op.name != "silu" || f != Format::bf16) return std::nullopt;
    return op.default_budget_for(f);
  }
  void run(const ElementwiseOp&, const Params&, const BitTensor& in, BitTensor& out) const override {
    for (std::size_t i = 0; i < in.bits.size(); ++i) {
      const float x = static_cast<float>(decode(Format::bf16, in.bits[i]));
      const float y = x / (1.0f + std::exp(-x));
      std::uint32_t b;
      std::memcpy(&b, &y, sizeof b);
      out.bits[i] = std::isnan(y) ? 0x7fc0u : b >> 16;  // the high half: truncation
    }
  }
};

TEST(Exhaustive, CatchesAKernelThatTruncates) {
  const TruncatingSilu truncating;
  const ElementwiseOp& op = *find_op("silu");
  const ExhaustivePart part = run_exhaustive_part(op, truncating, Format::bf16, op.default_params(), {});
  const sweep::Figures& f = part.figures;
  EXPECT_GT(f.totals.budget_breaches, 1000);  // 3615: the inputs whose silu is not a bf16 value, above the floor
  ASSERT_EQ(f.lists[sweep::kBreaches].size(), sweep::kKeep);
  // The first breach, by input bits: the smallest positive normal input whose silu is not
  // a bf16 value, found again by the host's own measurement of every input.
  const Measurement m = measure(op, truncating, Format::bf16, op.default_params(), all_values(Format::bf16));
  EXPECT_EQ(f.totals.budget_breaches, m.stats.budget_breaches);
  EXPECT_EQ(static_cast<std::uint32_t>(f.lists[sweep::kBreaches].front().index), m.stats.breaches.front().x0_bits);
}

TEST(Exhaustive, PartDocumentsRoundTripAndRefuseDamage) {
  const ExhaustivePart part = run("silu", Format::fp16, "host.single_rounding", {1, 4});
  const nlohmann::json doc = part_document(part);
  EXPECT_EQ(part_document(part_from_document(doc, "part")), doc);
  nlohmann::json missing = doc;
  missing.erase("totals");
  EXPECT_THROW(
      {
        try {
          part_from_document(missing, "p.json");
        } catch (const RequestError& e) {
          EXPECT_STREQ(e.what(), "p.json: missing \"totals\"");
          throw;
        }
      },
      RequestError);
  nlohmann::json wrong = doc;
  wrong["input"][0]["bucket"] = 9999;
  EXPECT_THROW(part_from_document(wrong, "p.json"), RequestError);
  nlohmann::json other = doc;
  other["kernel"] = "host.double_rounding";
  // Shards of two runs do not merge: the kernels differ.
  const ExhaustivePart a = part_from_document(doc, "a"), b = part_from_document(other, "b");
  EXPECT_THROW(merge_parts({a, b}), std::invalid_argument);
  // And the shards must all be there, once.
  EXPECT_THROW(merge_parts({a}), std::invalid_argument);
  EXPECT_THROW(merge_parts({a, a}), std::invalid_argument);
}

TEST(Exhaustive, SpacesAndShards) {
  EXPECT_EQ(exhaustive_space(*find_op("silu"), Format::bf16), ExhaustiveSpace::all_16bit_inputs);
  EXPECT_EQ(exhaustive_space(*find_op("silu"), Format::fp32), ExhaustiveSpace::all_fp32_inputs);
  EXPECT_EQ(exhaustive_space(*find_op("silu_and_mul_clamp"), Format::fp16), ExhaustiveSpace::all_pairs);
  EXPECT_EQ(exhaustive_space(*find_op("gelu_and_mul"), Format::fp32), ExhaustiveSpace::none);
  // Shards tile the 65536 units without gaps or overlaps, whatever the count.
  for (std::int64_t n : {1, 3, 7, 1000, 65536}) {
    std::int64_t next = 0;
    for (std::int64_t k = 0; k < n; ++k) {
      EXPECT_EQ(Shard({k, n}).first_unit(), next);
      next = Shard({k, n}).end_unit();
    }
    EXPECT_EQ(next, 65536);
  }
  EXPECT_EQ(parse_shard("3/8").index, 2);
  EXPECT_THROW(parse_shard("0/8"), RequestError);
  EXPECT_THROW(parse_shard("9/8"), RequestError);
  EXPECT_THROW(parse_shard("1/65537"), RequestError);
  EXPECT_THROW(parse_shard("1-8"), RequestError);
}

}  // namespace
}  // namespace ulpcheck
