// Two reports diffed: before and after a kernel change. The "change" here is real: one
// kernel name under the single-rounding budget, first running single rounding, then
// double rounding, on the same inputs.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "reports/diff_document.hpp"
#include "tests/reports/relabeled_kernel.hpp"
#include "ulpcheck/device/registry.hpp"
#include "ulpcheck/reference/registry.hpp"
#include "ulpcheck/reports/elementwise/precision_report.hpp"
#include "ulpcheck/reports/report_diff.hpp"
#include "ulpcheck/reports/report_document.hpp"

namespace ulpcheck {
namespace {

constexpr Budget kSingleRoundingBudget{0.501, 0x1p-121};

/// The report of "team.silu_and_mul" on silu_and_mul bf16, version 1 (single rounding) or
/// version 2 (double rounding), plus host.single_rounding alongside as a case that does not
/// change. Both versions see the same inputs.
nlohmann::json version(int v) {
  static const testing::RelabeledKernel kV1{"team.silu_and_mul", "version 1", *find_kernel("host.single_rounding"),
                                            kSingleRoundingBudget};
  static const testing::RelabeledKernel kV2{"team.silu_and_mul", "version 2", *find_kernel("host.double_rounding"),
                                            kSingleRoundingBudget};
  const ElementwiseOp& op = *find_op("silu_and_mul");
  const Params params = op.default_params();
  const InputSet inputs = random_bits(Format::bf16, op.arity, 20'000, 5);
  const OracleAnswers answers = evaluate_inputs(op, Format::bf16, params, inputs);
  std::vector<nlohmann::json> cases{
      to_json(measure(op, *find_kernel("host.single_rounding"), Format::bf16, params, inputs, answers)),
      to_json(measure(op, v == 1 ? kV1 : kV2, Format::bf16, params, inputs, answers))};
  return report_document(std::move(cases), {}, {5, 20'000});
}

const nlohmann::json& team_case(const nlohmann::json& diff) {
  for (const nlohmann::json& c : diff["cases"])
    if (c["kernel"] == "team.silu_and_mul") return c;
  ADD_FAILURE() << "no team.silu_and_mul case in " << diff.dump(1);
  static const nlohmann::json none;
  return none;
}

TEST(ReportDiff, DoubleRoundingUnderTheSingleRoundingBudgetIsARegression) {
  const nlohmann::json v1 = version(1), v2 = version(2);
  ASSERT_TRUE(v1["cases"][1]["pass"].get<bool>());
  ASSERT_FALSE(v2["cases"][1]["pass"].get<bool>());
  const ReportDiff d = diff_reports(v1, v2, "v1.json", "v2.json");
  EXPECT_EQ(d.regressions, 1);
  EXPECT_EQ(d.json["schema"], "ulpcheck.report_diff");
  EXPECT_EQ(d.json["summary"]["regressions"], 1);
  EXPECT_EQ(d.json["summary"]["unchanged"], 1);
  const nlohmann::json& c = team_case(d.json);
  EXPECT_EQ(c["status"], "regression");
  EXPECT_EQ(c["verdict_old"], "PASS");
  EXPECT_EQ(c["verdict_new"], "FAIL");
  bool max_moved = false;
  for (const nlohmann::json& f : c["figures"])
    if (f["figure"] == "max_ulp_above_floor") {
      max_moved = true;
      EXPECT_GT(f["new"].get<double>(), f["old"].get<double>());
      EXPECT_GT(f["delta"].get<double>(), 0.5);
    }
  EXPECT_TRUE(max_moved) << c.dump(1);
  // The breaches of version 2 are inputs version 1 never listed.
  ASSERT_FALSE(c["new_worst"].empty());
  EXPECT_FALSE(c["new_worst"][0]["within_budget"].get<bool>());

  const std::string md = render_diff_markdown(d.json);
  EXPECT_NE(md.find("**REGRESSION**: 1 case passed before and fails now."), std::string::npos) << md;
  EXPECT_NE(md.find("| bf16 | silu_and_mul | - | team.silu_and_mul | regression | PASS -> **FAIL** |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("## bf16 silu_and_mul team.silu_and_mul: regression"), std::string::npos) << md;
  EXPECT_NE(md.find("| max ULP error, outside the floor region | 0.5 |"), std::string::npos) << md;
  EXPECT_NE(md.find("New worst inputs"), std::string::npos) << md;
  EXPECT_NE(md.find("BREACH"), std::string::npos) << md;
}

TEST(ReportDiff, TheWayBackIsAFixNotARegression) {
  const ReportDiff d = diff_reports(version(2), version(1), "v2.json", "v1.json");
  EXPECT_EQ(d.regressions, 0);
  EXPECT_EQ(d.json["summary"]["fixed"], 1);
  EXPECT_EQ(team_case(d.json)["status"], "fixed");
  EXPECT_NE(render_diff_markdown(d.json).find("No regressions"), std::string::npos);
}

TEST(ReportDiff, AReportAgainstItselfHasNothingChanged) {
  const nlohmann::json v1 = version(1);
  const ReportDiff d = diff_reports(v1, v1, "a.json", "a.json");
  EXPECT_EQ(d.regressions, 0);
  EXPECT_EQ(d.json["summary"]["unchanged"], 2);
  EXPECT_EQ(d.json["summary"]["changed"], 0);
  for (const nlohmann::json& c : d.json["cases"]) EXPECT_TRUE(c["figures"].empty()) << c.dump(1);
}

TEST(ReportDiff, CasesInOnlyOneReportAreListedApart) {
  nlohmann::json v1 = version(1), v2 = version(1);
  v1["cases"].erase(1);  // team.silu_and_mul is new in v2
  v2["cases"][0]["kernel"] = "host.renamed";  // host.single_rounding is gone from v2
  const ReportDiff d = diff_reports(v1, v2, "v1.json", "v2.json");
  EXPECT_EQ(d.regressions, 0);
  EXPECT_EQ(d.json["summary"]["only_new"], 2);
  EXPECT_EQ(d.json["summary"]["only_old"], 1);
  const std::string md = render_diff_markdown(d.json);
  EXPECT_NE(md.find("| only_old | PASS, gone |"), std::string::npos) << md;
  EXPECT_NE(md.find("| only_new | new: PASS |"), std::string::npos) << md;
}

TEST(DiffDocument, ADiffReadAndWrittenAgainIsByteIdentical) {
  nlohmann::json v1 = version(1), v2 = version(2);
  v1["cases"].erase(0);  // one case only in v2 besides the regression
  const ReportDiff d = diff_reports(v1, v2, "v1.json", "v2.json");
  const std::string text = report_json_text(d.json);
  const auto typed = nlohmann::json::parse(text).get<diff_document::Diff>();
  ASSERT_EQ(typed.cases.size(), 2u);
  EXPECT_EQ(typed.cases[0].status, "only_new");
  EXPECT_FALSE(typed.cases[0].comparison);
  EXPECT_EQ(typed.cases[1].status, "regression");
  ASSERT_TRUE(typed.cases[1].comparison);
  EXPECT_FALSE(typed.cases[1].new_worst.empty());
  EXPECT_EQ(report_json_text(nlohmann::json(typed)), text);
}

TEST(ReportDiff, SaysWhenTheInputsDiffer) {
  nlohmann::json v1 = version(1), v2 = version(1);
  v2["cases"][1]["inputs"] = "20000 random bf16 (gate, up) pairs (uniform bit patterns, seed 6)";
  const ReportDiff d = diff_reports(v1, v2, "v1.json", "v2.json");
  const nlohmann::json& c = team_case(d.json);
  EXPECT_EQ(c["status"], "changed");
  ASSERT_EQ(c["notes"].size(), 1u);
  EXPECT_NE(c["notes"][0].get<std::string>().find("the inputs differ"), std::string::npos);
}

}  // namespace
}  // namespace ulpcheck
