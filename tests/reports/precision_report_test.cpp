// The precision report says what a reviewer needs: figures, verdict, worst inputs as bits.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "ulpcheck/device/registry.hpp"
#include "ulpcheck/reference/registry.hpp"
#include "ulpcheck/reports/precision_report.hpp"

namespace ulpcheck {
namespace {

Measurement sample(const char* op, const char* kernel, Format f) {
  const ElementwiseOp& o = *find_op(op);
  return measure(o, *find_kernel(kernel), f, o.default_params(), random_bits(f, o.arity, 20'000, 4));
}

TEST(MarkdownReport, NamesTheCaseAndGivesTheFiguresAndVerdict) {
  const std::string md = render_markdown(sample("silu_and_mul", "host.double_rounding", Format::bf16));
  for (const char* needle :
       {"# Precision report: silu_and_mul / bf16 / host.double_rounding", "20000 random bf16 (gate, up) pairs",
        "seed 4", "| max ULP error, all outputs |", "| max ULP error, outside the floor region |",
        "| correctly rounded |", "| off by >= 1 ULP |", "| semantic differences (NaN/inf) |", "| budget breaches | 0 |",
        "**PASS**", "## Worst inputs (outside the floor region)", "budget claimed by the kernel: 1.5 ULP"})
    EXPECT_NE(md.find(needle), std::string::npos) << "missing: " << needle << "\n" << md;
}

TEST(MarkdownReport, WorstInputsShowBitsAndDecimal) {
  const Measurement m = sample("silu_and_mul", "host.double_rounding", Format::bf16);
  ASSERT_FALSE(m.stats.worst.empty());
  const ElementReport& w = m.stats.worst.front();
  const std::string md = render_markdown(m);
  EXPECT_NE(md.find(fmt::format("`0x{:04x}`", w.x0_bits)), std::string::npos);
  EXPECT_NE(md.find(fmt::format("`0x{:04x}`", w.got_bits)), std::string::npos);
  EXPECT_NE(md.find(fmt::format("{:.4g}", w.check.ulp_error)), std::string::npos);
}

TEST(JsonReport, CarriesTheFiguresAndSpellsNonFiniteValues) {
  const Measurement m = sample("silu_and_mul", "host.single_rounding", Format::fp32);
  const nlohmann::json j = to_json(m);
  EXPECT_EQ(j["op"], "silu_and_mul");
  EXPECT_EQ(j["dtype"], "fp32");
  EXPECT_EQ(j["kernel"], "host.single_rounding");
  EXPECT_EQ(j["count"], 20000);
  EXPECT_EQ(j["max_ulp"].get<double>(), m.stats.max_ulp);
  EXPECT_EQ(j["pass"], true);
  EXPECT_EQ(j["shape"][1], 2000);
  // A semantic difference on an infinite input has a NaN output, spelled "nan".
  const nlohmann::json parsed = nlohmann::json::parse(j.dump());
  bool saw_nan_string = false;
  for (const auto& e : parsed["semantic"]) saw_nan_string |= e["got"] == "nan";
  EXPECT_EQ(saw_nan_string, !m.stats.semantic.empty());
}

}  // namespace
}  // namespace ulpcheck
