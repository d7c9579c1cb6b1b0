// The precision report says what a reviewer needs: figures, verdict, worst inputs as bits.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "ulpcheck/device/registry.hpp"
#include "ulpcheck/reference/registry.hpp"
#include "ulpcheck/reports/elementwise/precision_report.hpp"

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

// --- where the error lives

/// Sum of "count" over rows.
std::int64_t total(const nlohmann::json& rows) {
  std::int64_t n = 0;
  for (const auto& r : rows) n += r["count"].get<std::int64_t>();
  return n;
}

TEST(JsonReport, KeepsEveryBinadeOfTheInputBySignAndOfTheResult) {
  const Measurement m = sample("silu_and_mul", "host.single_rounding", Format::bf16);
  const nlohmann::json j = to_json(m);
  EXPECT_EQ(total(j["binades_input"]), m.stats.numeric);
  EXPECT_EQ(total(j["binades_result"]), m.stats.numeric);
  int negative = 0, positive = 0;
  for (const auto& r : j["binades_input"]) {
    if (!r.contains("sign")) continue;
    ASSERT_TRUE(r["binade"].is_number_integer()) << r;
    (r["sign"] == "-" ? negative : positive) += 1;
  }
  // 20000 random bf16 gates reach most of bf16's 261 binades on each side.
  EXPECT_GT(negative, 200);
  EXPECT_GT(positive, 200);
}

TEST(JsonReport, HistogramCountsEveryOutputWithAULPFigureAndTheFloorRegionApart) {
  const Measurement m = sample("silu_and_mul", "host.single_rounding", Format::bf16);
  const nlohmann::json j = to_json(m);
  std::int64_t floor = 0;
  for (const auto& r : j["ulp_histogram"]) floor += r["in_floor_region"].get<std::int64_t>();
  EXPECT_EQ(total(j["ulp_histogram"]), m.stats.numeric);
  EXPECT_EQ(floor, m.stats.in_floor_region);
}

TEST(ErrorRanges, CoverEveryBinadeInAFewRows) {
  const nlohmann::json j = to_json(sample("silu_and_mul", "host.double_rounding", Format::fp32));
  for (const char* key : {"ranges_input", "ranges_result"}) {
    SCOPED_TRACE(key);
    EXPECT_EQ(total(j[key]), total(j[key == std::string("ranges_input") ? "binades_input" : "binades_result"]));
    // At most 14 ranges, plus rows for zero and non-finite values.
    EXPECT_LE(j[key].size(), 16u);
    EXPECT_GE(j[key].size(), 2u);
  }
}

TEST(ErrorRanges, KeepSiluNegativeTailApartAsFloorRegion) {
  // silu(g) * u for g < -88.7: fp32 arithmetic flushes silu(g) to -0, so every such output
  // is in the floor region; the gate range holding it is a row of its own.
  const nlohmann::json j = to_json(sample("silu_and_mul", "host.single_rounding", Format::bf16));
  bool tail = false;
  for (const auto& r : j["ranges_input"]) {
    if (r.value("sign", "") != "-" || r["binade_lo"].get<int>() < 7) continue;
    EXPECT_GE(2 * r["in_floor_region"].get<std::int64_t>(), r["count"].get<std::int64_t>()) << r;
    tail = true;
  }
  EXPECT_TRUE(tail) << j["ranges_input"].dump(1);
  const std::string md = render_markdown(sample("silu_and_mul", "host.single_rounding", Format::bf16));
  EXPECT_NE(md.find("| (-2^128, -2^"), std::string::npos) << md;
  EXPECT_NE(md.find("| in floor region |"), std::string::npos) << md;
}

TEST(MarkdownReport, WhereTheErrorLivesIsShortEnoughToRead) {
  const std::string md = render_markdown(sample("silu_and_mul", "host.double_rounding", Format::fp32));
  const auto from = md.find("## Where the error lives"), to = md.find("## Special values");
  ASSERT_NE(from, std::string::npos);
  ASSERT_NE(to, std::string::npos);
  const std::string section = md.substr(from, to - from);
  EXPECT_LE(std::count(section.begin(), section.end(), '\n'), 50) << section;
}

}  // namespace
}  // namespace ulpcheck
