// A report of many cases: one JSON document with a schema, its text, its check on reading,
// and its Markdown.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "reports/report_model.hpp"
#include "tests/reports/relabeled_kernel.hpp"
#include "ulpcheck/device/registry.hpp"
#include "ulpcheck/reference/registry.hpp"
#include "ulpcheck/reports/elementwise/precision_report.hpp"
#include "ulpcheck/reports/report_document.hpp"

namespace ulpcheck {
namespace {

/// Two kernels of silu_and_mul in bf16 on the same inputs and oracle answers; the second
/// runs double rounding under the single-rounding budget, so it breaches.
std::vector<nlohmann::json> two_cases(bool second_fails) {
  static const testing::RelabeledKernel kStrict{"team.double_rounding_strict", "double rounding, 0.501 ULP claimed",
                                                *find_kernel("host.double_rounding"), Budget{0.501, 0x1p-121}};
  const ElementwiseOp& op = *find_op("silu_and_mul");
  const Params params = op.default_params();
  const InputSet inputs = random_bits(Format::bf16, op.arity, 5000, 3);
  const OracleAnswers answers = evaluate_inputs(op, Format::bf16, params, inputs);
  const Kernel& second = second_fails ? static_cast<const Kernel&>(kStrict) : *find_kernel("host.double_rounding");
  return {to_json(measure(op, *find_kernel("host.single_rounding"), Format::bf16, params, inputs, answers)),
          to_json(measure(op, second, Format::bf16, params, inputs, answers))};
}

TEST(ReportDocument, CarriesSchemaVersionSettingsSummaryAndEveryCase) {
  const nlohmann::json doc = report_document(two_cases(false), {}, {3, 5000});
  EXPECT_EQ(doc["schema"], "ulpcheck.report");
  EXPECT_EQ(doc["version"], kReportVersion);
  EXPECT_EQ(doc["settings"]["seed"], 3);
  EXPECT_EQ(doc["settings"]["samples"], 5000);
  ASSERT_EQ(doc["cases"].size(), 2u);
  EXPECT_EQ(doc["cases"][0]["kernel"], "host.single_rounding");
  EXPECT_EQ(doc["cases"][1]["kernel"], "host.double_rounding");
  EXPECT_EQ(doc["summary"]["cases"], 2);
  EXPECT_EQ(doc["summary"]["passed"], 2);
  EXPECT_EQ(doc["summary"]["verdict"], "PASS");
  EXPECT_EQ(check_report(doc), "");
}

TEST(ReportDocument, FailsWhenOneCaseBreaches) {
  const nlohmann::json doc = report_document(two_cases(true), {}, {3, 5000});
  EXPECT_EQ(doc["summary"]["failed"], 1);
  EXPECT_EQ(doc["summary"]["pass"], false);
  EXPECT_EQ(doc["summary"]["verdict"], "FAIL");
}

TEST(ReportDocument, AKernelThatDidNotRunFailsTheReport) {
  const nlohmann::json doc =
      report_document(two_cases(false), {{"silu", "bf16", "", "cuda.single_rounding", "no CUDA device", true}}, {3, 5000});
  EXPECT_EQ(doc["summary"]["did_not_run"], 1);
  EXPECT_EQ(doc["summary"]["pass"], false);
  EXPECT_EQ(doc["skipped"][0]["reason"], "no CUDA device");
}

TEST(ReportJsonText, SameDocumentGivesSameBytesAndReadsBackEqual) {
  const nlohmann::json doc = report_document(two_cases(false), {}, {3, 5000});
  const std::string text = report_json_text(doc);
  EXPECT_EQ(text, report_json_text(nlohmann::json::parse(text)));
  EXPECT_EQ(nlohmann::json::parse(text), doc);
}

TEST(ReportModel, ADocumentReadAndWrittenAgainIsByteIdentical) {
  const nlohmann::json doc =
      report_document(two_cases(true), {{"silu", "bf16", "", "cuda.single_rounding", "no CUDA device", true}}, {3, 5000});
  const std::string text = report_json_text(doc);
  const auto typed = nlohmann::json::parse(text).get<report_model::Document>();
  EXPECT_EQ(typed.settings.seed, 3u);
  EXPECT_EQ(typed.summary.failed, 1);
  ASSERT_EQ(typed.skipped.size(), 1u);
  EXPECT_TRUE(typed.skipped[0].did_not_run);
  EXPECT_FALSE(typed.has_routing());
  EXPECT_EQ(report_json_text(nlohmann::json(typed)), text);
}

TEST(ReportModel, ADocumentWithoutApproximationsReadsAsOneWithNone) {
  nlohmann::json doc = report_document(two_cases(false), {}, {3, 5000});
  doc.erase("approximations");
  EXPECT_TRUE(doc.get<report_model::Document>().approximations.empty());
}

TEST(ReportJsonText, PutsEachTableRowOnOneLine) {
  const nlohmann::json doc = report_document(two_cases(false), {}, {3, 5000});
  const std::string text = report_json_text(doc);
  const nlohmann::json& row = doc["cases"][0]["binades_input"][0];
  EXPECT_NE(text.find(row.dump(-1).substr(0, 10)), std::string::npos);
  // A row's keys follow one another on its line.
  EXPECT_NE(text.find("{\"binade\": "), std::string::npos) << text.substr(0, 2000);
  EXPECT_NE(text.find("\"budget\": {\"abs_floor\": "), std::string::npos);
  EXPECT_EQ(text.back(), '\n');
}

TEST(CheckReport, NamesTheCaseAndTheMissingKey) {
  nlohmann::json doc = report_document(two_cases(false), {}, {3, 5000});
  doc["cases"][1].erase("max_ulp");
  const std::string problem = check_report(doc);
  EXPECT_NE(problem.find("cases[1]"), std::string::npos) << problem;
  EXPECT_NE(problem.find("host.double_rounding"), std::string::npos) << problem;
  EXPECT_NE(problem.find("\"max_ulp\" is missing"), std::string::npos) << problem;
}

TEST(CheckReport, NamesAMistypedKeyAndWhatWasExpected) {
  nlohmann::json doc = report_document(two_cases(false), {}, {3, 5000});
  doc["cases"][0]["worst"][0]["x0_bits"] = 7;
  const std::string problem = check_report(doc);
  EXPECT_NE(problem.find("cases[0]"), std::string::npos) << problem;
  EXPECT_NE(problem.find("worst[0]"), std::string::npos) << problem;
  EXPECT_NE(problem.find("expected a string"), std::string::npos) << problem;
}

TEST(CheckReport, ARangeRowWithoutItsBinadesIsNamed) {
  // The diff reads a range of binades from "binade_lo" and "binade_hi": a document without
  // them passed check_report and ended `report --diff` with an internal error (exit 3).
  nlohmann::json doc = report_document(two_cases(false), {}, {3, 5000});
  nlohmann::json& rows = doc["cases"][0]["ranges_input"];
  const auto row = std::find_if(rows.begin(), rows.end(), [](const nlohmann::json& r) { return !r.contains("binade"); });
  ASSERT_NE(row, rows.end()) << "no range of binades in the case";
  row->erase("binade_lo");
  const std::string problem = check_report(doc);
  EXPECT_NE(problem.find("cases[0]"), std::string::npos) << problem;
  EXPECT_NE(problem.find(fmt::format("ranges_input[{}]", row - rows.begin())), std::string::npos) << problem;
  EXPECT_NE(problem.find("\"binade_lo\" is missing"), std::string::npos) << problem;
}

TEST(CheckReport, AValueTheDiffReadsOtherwiseIsNamedNotThrown) {
  // An element's "index" as a string: no kind is checked for it, but the typed case reads an
  // integer. Named by check_report, never thrown by the diff of a document it accepted.
  nlohmann::json doc = report_document(two_cases(false), {}, {3, 5000});
  doc["cases"][1]["worst"][0]["index"] = "seven";
  const std::string problem = check_report(doc);
  EXPECT_NE(problem.find("cases[1]"), std::string::npos) << problem;
  EXPECT_NE(problem.find("type must be number"), std::string::npos) << problem;
}

TEST(CheckReport, RefusesOtherSchemasAndVersions) {
  nlohmann::json doc = report_document(two_cases(false), {}, {3, 5000});
  doc["version"] = kReportVersion + 1;
  EXPECT_NE(check_report(doc).find("version"), std::string::npos);
  doc["schema"] = "something.else";
  EXPECT_NE(check_report(doc).find("not an ulpcheck report"), std::string::npos);
  EXPECT_NE(check_report(nlohmann::json::array()).find("expected a JSON object"), std::string::npos);
}

TEST(MarkdownDocument, OneCaseIsThatCasesReport) {
  std::vector<nlohmann::json> cases = two_cases(false);
  cases.pop_back();
  const std::string md = render_report_markdown(report_document(cases, {}, {3, 5000}));
  EXPECT_EQ(md.rfind("# Precision report: silu_and_mul / bf16 / host.single_rounding", 0), 0u) << md;
}

TEST(MarkdownDocument, StartsWithTheVerdictAndASummaryTableThenASectionPerKernel) {
  const std::string md = render_report_markdown(report_document(two_cases(true), {}, {3, 5000}));
  const auto verdict = md.find("**FAIL**: 1 of 2 cases");
  const auto summary = md.find("| dtype | op | params | kernel | budget | max ULP | max ULP outside floor | correctly "
                               "rounded | p99 ULP | breaches | verdict |");
  const auto group = md.find("### silu_and_mul, bf16");
  const auto first = md.find("#### host.single_rounding");
  const auto second = md.find("#### team.double_rounding_strict");
  ASSERT_NE(verdict, std::string::npos) << md;
  ASSERT_NE(summary, std::string::npos) << md;
  ASSERT_NE(group, std::string::npos) << md;
  ASSERT_NE(first, std::string::npos) << md;
  ASSERT_NE(second, std::string::npos) << md;
  EXPECT_LT(verdict, summary);
  EXPECT_LT(summary, group);
  EXPECT_LT(group, first);
  EXPECT_LT(first, second);
  EXPECT_NE(md.find("| bf16 | silu_and_mul | - | team.double_rounding_strict | 0.501 ULP, floor 2^-121 |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| **FAIL** |"), std::string::npos);
  EXPECT_NE(md.find("##### Budget breaches"), std::string::npos);
}

TEST(MarkdownDocument, ListsTheCasesNotMeasuredAndWhy) {
  const std::string md = render_report_markdown(report_document(
      two_cases(false), {{"silu_and_mul_clamp", "bf16", "limit=1e+06", "host.composite", "beyond bf16", false}},
      {3, 5000}));
  EXPECT_NE(md.find("Not measured:"), std::string::npos) << md;
  EXPECT_NE(md.find("- bf16 silu_and_mul_clamp limit=1e+06 host.composite: beyond bf16"), std::string::npos) << md;
}

}  // namespace
}  // namespace ulpcheck
