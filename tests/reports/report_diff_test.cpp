// Two reports diffed: before and after a kernel change. The "change" here is real: one
// kernel name under the single-rounding budget, first running single rounding, then
// double rounding, on the same inputs.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "reports/combine/combine_document.hpp"
#include "reports/diff_document.hpp"
#include "tests/reports/relabeled_kernel.hpp"
#include "ulpcheck/device/registry.hpp"
#include "ulpcheck/reference/registry.hpp"
#include "ulpcheck/reports/combine/combine_report.hpp"
#include "ulpcheck/reports/elementwise/precision_report.hpp"
#include "ulpcheck/reports/report_diff.hpp"
#include "ulpcheck/reports/report_document.hpp"
#include "ulpcheck/runs/moe_block/moe_block_report.hpp"

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

// --- the combine section and the MoE block --------------------------------------------------
// The documents are written by hand: the diff reads figures, claims and verdicts, and each
// test sets the one it is about.

/// A combine case of `kernel` within its claim: a few hundred outputs, 1.5 ULP at worst.
nlohmann::json passing_combine_case(const std::string& kernel) {
  combine_document::Case c;
  c.kernel = kernel;
  c.kernel_description = "rsf folded into the router weights";
  c.claim = {{2.0}, {0x1p-7}, {0.0}};
  c.count = c.numeric = 512;
  c.correctly_rounded = 400;
  c.in_floor_region = 12;
  c.max_ulp = {1.5};
  c.max_ulp_above_floor = {1.0};
  c.p99_ulp = {1.0};
  c.fraction_correctly_rounded = 400.0 / 512.0;
  c.pass = true;
  c.verdict = "PASS";
  return c;
}

/// The case turned failing: `breaches` outputs outside its claim, its first one explained.
void breach_combine_case(nlohmann::json& c, std::int64_t breaches) {
  c["breaches"] = breaches;
  c["max_ulp"] = 9.0;
  c["pass"] = false;
  c["verdict"] = "FAIL";
  c["failure"] = "token 0, hidden 3: 9 ULP";
}

/// A MoE block stage with its own error, its claim and its chained error.
MoeStageFigures moe_stage_figures(const std::string& stage, const std::string& kernel) {
  MoeStageFigures s;
  s.stage = stage;
  s.kernel = kernel;
  s.format = Format::bf16;
  s.own = {1024, 1.0, 0.5, 0.004, 0};
  s.claim = "1 ULP";
  s.chained = {1024, 6.0, 2.0, 0.02, 0};
  return s;
}

MoeBlockReport host_moe_block() {
  MoeBlockReport b;
  b.config = "tokens=16 hidden=256 experts=16 k=4";
  b.pipeline = "host";
  b.device = "host";
  b.measured = true;
  b.tokens = 16;
  b.stages = {moe_stage_figures("gate_up", "host.gemm"), moe_stage_figures("activation", "host.silu_and_mul_clamp"),
              moe_stage_figures("down", "host.gemm")};
  b.combines = {moe_stage_figures("combine", "host.combine_fold_fused"),
                moe_stage_figures("combine", "host.combine_fold")};
  return b;
}

/// A report holding only a combine section: two kernels on bf16 and one on fp16, one config,
/// and the MoE block of the host pipeline.
nlohmann::json combine_report_doc(const MoeBlockReport& block = host_moe_block()) {
  const CombineConfig config{.topk = 8, .hidden = 64, .routed_scaling_factor = 2.5};
  std::vector<nlohmann::json> batches{
      combine_batch_json(config, Format::bf16, 8,
                         {passing_combine_case("host.combine_fold_fused"), passing_combine_case("host.combine_fold")}),
      combine_batch_json(config, Format::fp16, 8, {passing_combine_case("host.combine_fold_fused")})};
  nlohmann::json section = combine_section_json(8, 5, "uniform routed and shared values", std::move(batches));
  section["moe_blocks"] = nlohmann::json::array({moe_block_json(block)});
  return report_document({}, {}, {5, 8}, {}, std::nullopt, section);
}

nlohmann::json& combine_case_of(nlohmann::json& doc, std::size_t batch, std::size_t kernel) {
  return doc["combine"]["batches"][batch]["cases"][kernel];
}

const nlohmann::json& combine_entry(const nlohmann::json& diff, const std::string& dtype, const std::string& kernel) {
  for (const nlohmann::json& e : diff["combine"])
    if (e["dtype"] == dtype && e["kernel"] == kernel) return e;
  ADD_FAILURE() << "no combine entry " << dtype << " " << kernel << " in " << diff.dump(1);
  static const nlohmann::json none;
  return none;
}

TEST(ReportDiff_combine, AnUnchangedCombineSectionDiffsClean) {
  const nlohmann::json doc = combine_report_doc();
  ASSERT_EQ(check_report(doc), "");
  const ReportDiff d = diff_reports(doc, doc, "a.json", "a.json");
  EXPECT_EQ(d.regressions, 0);
  EXPECT_EQ(d.json["summary"]["unchanged"], 3 + 5);  // three combine cases, five block stages
  EXPECT_EQ(d.json["summary"]["changed"], 0);
  ASSERT_EQ(d.json["combine"].size(), 3u);
  for (const nlohmann::json& e : d.json["combine"]) {
    EXPECT_EQ(e["status"], "unchanged");
    EXPECT_TRUE(e["figures"].empty()) << e.dump(1);
  }
  ASSERT_EQ(d.json["moe_blocks"].size(), 1u);
  EXPECT_EQ(d.json["moe_blocks"][0]["status"], "unchanged");
  EXPECT_EQ(d.json["moe_blocks"][0]["stages"].size(), 5u);
  const std::string md = render_diff_markdown(d.json);
  EXPECT_EQ(md.find("moe_combine"), std::string::npos) << md;
  EXPECT_EQ(md.find("MoE block"), std::string::npos) << md;
}

TEST(ReportDiff_combine, BreachesFromZeroToThreeAreARegression) {
  const nlohmann::json old_doc = combine_report_doc();
  nlohmann::json new_doc = old_doc;
  breach_combine_case(combine_case_of(new_doc, 0, 1), 3);  // bf16 host.combine_fold
  const ReportDiff d = diff_reports(old_doc, new_doc, "old.json", "new.json");
  EXPECT_EQ(d.regressions, 1);
  EXPECT_EQ(d.json["summary"]["regressions"], 1);
  const nlohmann::json& e = combine_entry(d.json, "bf16", "host.combine_fold");
  EXPECT_EQ(e["status"], "regression");
  EXPECT_EQ(e["config"], "k=8 hidden=64 scale=2.5");
  EXPECT_EQ(e["verdict_old"], "PASS");
  EXPECT_EQ(e["verdict_new"], "FAIL");
  EXPECT_EQ(e["old"]["breaches"], 0);
  EXPECT_EQ(e["new"]["breaches"], 3);
  EXPECT_EQ(combine_entry(d.json, "bf16", "host.combine_fold_fused")["status"], "unchanged");
  const std::string md = render_diff_markdown(d.json);
  EXPECT_NE(md.find("**REGRESSION**: 1 case passed before and fails now."), std::string::npos) << md;
  EXPECT_NE(md.find("## moe_combine"), std::string::npos) << md;
  EXPECT_NE(md.find("| bf16 | k=8 hidden=64 scale=2.5 | host.combine_fold | regression | PASS -> **FAIL** |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("### bf16 k=8 hidden=64 scale=2.5, host.combine_fold: regression"), std::string::npos) << md;
  EXPECT_NE(md.find("| outputs outside the claim | 0 | 3 | +3 |"), std::string::npos) << md;
  // And back: a fix, no regression.
  const ReportDiff back = diff_reports(new_doc, old_doc, "new.json", "old.json");
  EXPECT_EQ(back.regressions, 0);
  EXPECT_EQ(combine_entry(back.json, "bf16", "host.combine_fold")["status"], "fixed");
}

TEST(ReportDiff_combine, AFigureThatMovedIsListedWithItsChange) {
  const nlohmann::json old_doc = combine_report_doc();
  nlohmann::json new_doc = old_doc;
  combine_case_of(new_doc, 1, 0)["p99_ulp"] = 1.25;  // fp16 host.combine_fold_fused, still within its claim
  const ReportDiff d = diff_reports(old_doc, new_doc, "old.json", "new.json");
  EXPECT_EQ(d.regressions, 0);
  EXPECT_EQ(d.json["summary"]["changed"], 1);
  const nlohmann::json& e = combine_entry(d.json, "fp16", "host.combine_fold_fused");
  EXPECT_EQ(e["status"], "changed");
  ASSERT_EQ(e["figures"].size(), 1u) << e.dump(1);
  EXPECT_EQ(e["figures"][0]["figure"], "p99_ulp");
  EXPECT_EQ(e["figures"][0]["old"], 1.0);
  EXPECT_EQ(e["figures"][0]["new"], 1.25);
  EXPECT_EQ(e["figures"][0]["delta"], 0.25);
  const std::string md = render_diff_markdown(d.json);
  EXPECT_NE(md.find("| p99 ULP error | 1 | 1.25 | +0.25 |"), std::string::npos) << md;
  EXPECT_EQ(md.find("host.combine_fold |"), std::string::npos) << md;  // the unchanged ones stay out
  // A claim that changed is a note.
  combine_case_of(new_doc, 1, 0)["claim"]["max_ulp"] = 3.0;
  const ReportDiff claim_diff = diff_reports(old_doc, new_doc, "o", "n");
  const nlohmann::json& claimed = combine_entry(claim_diff.json, "fp16", "host.combine_fold_fused");
  ASSERT_EQ(claimed["notes"].size(), 1u);
  EXPECT_EQ(claimed["notes"][0], "the kernel's claim changed");
}

TEST(ReportDiff_combine, ARemovedKernelIsListedAsOnlyOld) {
  const nlohmann::json old_doc = combine_report_doc();
  nlohmann::json new_doc = old_doc;
  new_doc["combine"]["batches"][0]["cases"].erase(1);  // bf16 host.combine_fold is gone
  const ReportDiff d = diff_reports(old_doc, new_doc, "old.json", "new.json");
  EXPECT_EQ(d.regressions, 0);
  EXPECT_EQ(d.json["summary"]["only_old"], 1);
  const nlohmann::json& gone = combine_entry(d.json, "bf16", "host.combine_fold");
  EXPECT_EQ(gone["status"], "only_old");
  EXPECT_TRUE(gone.contains("old"));
  EXPECT_FALSE(gone.contains("new"));
  EXPECT_FALSE(gone.contains("figures"));
  const std::string md = render_diff_markdown(d.json);
  EXPECT_NE(md.find("| bf16 | k=8 hidden=64 scale=2.5 | host.combine_fold | only_old | PASS, gone |"),
            std::string::npos)
      << md;
  // The other way it is new.
  const ReportDiff added = diff_reports(new_doc, old_doc, "new.json", "old.json");
  EXPECT_EQ(combine_entry(added.json, "bf16", "host.combine_fold")["status"], "only_new");
  EXPECT_EQ(added.json["summary"]["only_new"], 1);
}

TEST(ReportDiff_combine, AMoeStageThatBreachesItsClaimIsARegression) {
  MoeBlockReport breaching = host_moe_block();
  breaching.stages[1].own_breaches = 4;  // the activation
  breaching.stages[1].own.max_ulp = 3.0;
  breaching.combines[0].chained.max_relative = 0.05;  // the final output moved, within its claim
  const ReportDiff d = diff_reports(combine_report_doc(), combine_report_doc(breaching), "old.json", "new.json");
  EXPECT_EQ(d.regressions, 1);
  EXPECT_EQ(d.json["summary"]["regressions"], 1);
  EXPECT_EQ(d.json["summary"]["changed"], 1);
  const auto diff = d.json.get<diff_document::Diff>();
  ASSERT_EQ(diff.moe_blocks.size(), 1u);
  const diff_document::MoeBlockEntry& b = diff.moe_blocks[0];
  EXPECT_EQ(b.status, "regression");
  EXPECT_EQ(b.pipeline, "host");
  ASSERT_EQ(b.stages.size(), 5u);
  const diff_document::MoeStageEntry& act = b.stages[1];
  EXPECT_EQ(act.stage, "activation");
  EXPECT_EQ(act.status, "regression");
  ASSERT_TRUE(act.comparison);
  ASSERT_EQ(act.comparison->figures.size(), 2u);
  EXPECT_EQ(act.comparison->figures[0].figure, "own.max_ulp");
  EXPECT_EQ(act.comparison->figures[1].figure, "own_breaches");
  const diff_document::MoeStageEntry& combine = b.stages[3];
  EXPECT_EQ(combine.kernel, "host.combine_fold_fused");
  EXPECT_EQ(combine.status, "changed");
  ASSERT_EQ(combine.comparison->figures.size(), 1u);
  EXPECT_EQ(combine.comparison->figures[0].figure, "chained.max_relative");
  EXPECT_EQ(b.stages[4].status, "unchanged");
  const std::string md = render_diff_markdown(d.json);
  EXPECT_NE(md.find("## MoE block, host pipeline: tokens=16 hidden=256 experts=16 k=4: regression"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| activation | host.silu_and_mul_clamp | regression | PASS -> **FAIL** |"), std::string::npos)
      << md;
  EXPECT_NE(md.find("| chained max relative error | 0.02 | 0.05 | +0.03 |"), std::string::npos) << md;
}

TEST(ReportDiff_combine, MoeBlocksAndStagesInOneReportOnlyAreListed) {
  MoeBlockReport cuda = host_moe_block();
  cuda.pipeline = "cuda";
  cuda.combines.pop_back();
  nlohmann::json new_doc = combine_report_doc(cuda);
  new_doc["combine"]["moe_blocks"].push_back(combine_report_doc()["combine"]["moe_blocks"][0]);
  new_doc["combine"]["moe_blocks"][1]["combines"].erase(1);  // host.combine_fold is gone from the host block
  const ReportDiff d = diff_reports(combine_report_doc(), new_doc, "old.json", "new.json");
  EXPECT_EQ(d.regressions, 0);
  const auto diff = d.json.get<diff_document::Diff>();
  ASSERT_EQ(diff.moe_blocks.size(), 2u);
  EXPECT_EQ(diff.moe_blocks[0].pipeline, "cuda");
  EXPECT_EQ(diff.moe_blocks[0].status, "only_new");
  EXPECT_EQ(diff.moe_blocks[0].stages.size(), 4u);
  EXPECT_EQ(diff.moe_blocks[1].status, "changed");
  EXPECT_EQ(diff.moe_blocks[1].stages.back().status, "only_old");
  EXPECT_EQ(diff.moe_blocks[1].stages.back().kernel, "host.combine_fold");
  EXPECT_EQ(d.json["summary"]["only_new"], 4);
  EXPECT_EQ(d.json["summary"]["only_old"], 1);
}

TEST(DiffDocument, ACombineDiffReadAndWrittenAgainIsByteIdentical) {
  const nlohmann::json old_doc = combine_report_doc();
  MoeBlockReport breaching = host_moe_block();
  breaching.combines[1].own_breaches = 2;
  nlohmann::json new_doc = combine_report_doc(breaching);
  breach_combine_case(combine_case_of(new_doc, 0, 0), 3);
  new_doc["combine"]["batches"][1]["cases"].erase(0);
  const std::string text = report_json_text(diff_reports(old_doc, new_doc, "old.json", "new.json").json);
  const auto typed = nlohmann::json::parse(text).get<diff_document::Diff>();
  EXPECT_EQ(typed.summary.regressions, 2);
  ASSERT_EQ(typed.combine.size(), 3u);
  EXPECT_EQ(typed.combine.back().status, "only_old");
  EXPECT_EQ(report_json_text(nlohmann::json(typed)), text);
}

}  // namespace
}  // namespace ulpcheck
