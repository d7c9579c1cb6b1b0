// The biased_grouped_topk section of a report: its JSON (cases per batch, margins, the
// precision study), the check on reading it, its Markdown and its HTML; a kernel with a
// planted routing bug fails the section and the document.
#include "ulpcheck/reports/routing/routing_report.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "reports/diff_document.hpp"
#include "reports/report_model.hpp"
#include "tests/properties/routing/planted_routing_kernels.hpp"
#include "ulpcheck/device/registry.hpp"
#include "ulpcheck/properties/routing/inputs.hpp"
#include "ulpcheck/properties/routing/measure.hpp"
#include "ulpcheck/reports/html_report.hpp"
#include "ulpcheck/reports/report_diff.hpp"
#include "ulpcheck/reports/report_document.hpp"

namespace ulpcheck {
namespace {

constexpr std::int64_t kTokens = 64;

std::size_t occurrences(const std::string& text, std::string_view part) {
  std::size_t n = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + part.size())) ++n;
  return n;
}

/// One batch: bf16 logits with the deepseek_v3 bias in `bias`, every kernel of `kernels`.
nlohmann::json batch(const RoutingInputs& fp32, Format bias, const std::vector<const RoutingKernel*>& kernels) {
  const RoutingConfig c = RoutingConfig::deepseek_v3();
  const RoutingInputs in = rounded_to(fp32, Format::bf16, bias);
  RoutingOracleCounts counts;
  const std::vector<TokenRouting> exact = route_exact(c, in, {}, &counts);
  std::vector<nlohmann::json> cases;
  for (const RoutingKernel* k : kernels) {
    const RoutingClaim claim = *k->claim(c, in.logits_format, in.bias_format);
    const RoutingStats stats = compare_routing(c, claim, in, exact, run_routing_kernel(*k, c, in));
    cases.push_back(routing_case_json(*k, claim, stats, margins_within_band(c, claim, in, exact)));
  }
  return routing_batch_json({Format::bf16, bias, "deepseek_v3", "N(2.5, 0.5^2)", kTokens}, counts,
                            margin_histogram(exact), std::move(cases));
}

PrecisionStudy study(const RoutingInputs& fp32) {
  const RoutingConfig c = RoutingConfig::deepseek_v3();
  const RoutingKernel& k = *find_routing_kernel("host.routing_fp32");
  PrecisionStudyBias b{"deepseek_v3", "N(2.5, 0.5^2)", input_rounding_study(c, fp32, k, input_rounding_grid()), {}, {}};
  b.bias_cast.push_back(compare_bias_cast(k, c, fp32, Format::bf16, [](std::int64_t) { return Format::bf16; }, 16));
  b.bias_cast.push_back(compare_bias_cast(
      k, c, fp32, Format::bf16, [](std::int64_t call) { return call % 2 ? Format::bf16 : Format::fp32; }, 16));
  for (Format logits : {Format::fp32, Format::bf16})
    b.flips.emplace_back(logits, expert_sets_differ(run_routing_kernel(k, c, rounded_to(fp32, logits, Format::fp32)),
                                                    run_routing_kernel(k, c, rounded_to(fp32, logits, Format::bf16)),
                                                    c.topk));
  return {"host.routing_fp32", 16, {b}};
}

/// A section of two batches (bias fp32 and bf16) of host.routing_fp32 and
/// host.routing_input_dtype, plus `extra` kernels, and the precision study.
nlohmann::json section(const std::vector<const RoutingKernel*>& extra = {}) {
  const RoutingConfig c = RoutingConfig::deepseek_v3();
  const RoutingInputs fp32 = routing_batch(c, Format::fp32, Format::fp32, kTokens, Distribution::normal(0, 2),
                                           kCheckpointBiases[0].distribution, 7);
  std::vector<const RoutingKernel*> kernels{find_routing_kernel("host.routing_fp32"),
                                            find_routing_kernel("host.routing_input_dtype")};
  kernels.insert(kernels.end(), extra.begin(), extra.end());
  std::vector<nlohmann::json> batches{batch(fp32, Format::fp32, kernels), batch(fp32, Format::bf16, kernels)};
  return routing_section_json(c, "N(0, 2^2)", kTokens, 7, std::move(batches), precision_study_json(study(fp32)));
}

const RoutingKernel* planted_kernel(std::string_view name) {
  for (const planted::PlantedRoutingKernel& p : planted::all_routing())
    if (p.kernel->name() == name) return p.kernel;
  return nullptr;
}

TEST(RoutingReport_deepseek_v3, SectionCarriesEveryBatchCaseMarginAndTheStudy) {
  const nlohmann::json s = section();
  EXPECT_EQ(s["op"], "biased_grouped_topk");
  EXPECT_EQ(s["config"]["label"], RoutingConfig::deepseek_v3().label());
  EXPECT_EQ(s["tokens"], kTokens);
  ASSERT_EQ(s["batches"].size(), 2u);
  EXPECT_EQ(s["batches"][0]["bias_dtype"], "fp32");
  EXPECT_EQ(s["batches"][1]["bias_dtype"], "bf16");
  for (const nlohmann::json& b : s["batches"]) {
    EXPECT_EQ(b["logits_dtype"], "bf16");
    EXPECT_EQ(b["margin_histogram"]["tokens"], kTokens);
    std::int64_t group = b["margin_histogram"]["group_ties"].get<std::int64_t>() +
                         b["margin_histogram"]["group_unbounded"].get<std::int64_t>();
    for (const nlohmann::json& r : b["margin_histogram"]["binades"]) group += r["group"].get<std::int64_t>();
    EXPECT_EQ(group, kTokens);  // every token's group margin is in one bin
    ASSERT_EQ(b["cases"].size(), 2u);
    for (const nlohmann::json& k : b["cases"]) {
      EXPECT_EQ(k["tokens"], kTokens);
      EXPECT_EQ(k["mismatches"], 0);
      EXPECT_EQ(k["invalid"], 0);
      EXPECT_EQ(k["verdict"], "PASS");
      EXPECT_GT(k["weights"]["max_ulp"].get<double>(), 0.0);
      EXPECT_LE(k["weights"]["p99_ulp"].get<double>(), k["weights"]["max_ulp"].get<double>());
    }
  }
  EXPECT_EQ(s["summary"]["cases"], 4);
  EXPECT_EQ(s["summary"]["passed"], 4);
  EXPECT_EQ(s["summary"]["verdict"], "PASS");
  const nlohmann::json& st = s["precision_study"];
  EXPECT_EQ(st["holds"], true);
  ASSERT_EQ(st["biases"][0]["cells"].size(), 6u);
  EXPECT_EQ(st["biases"][0]["cells"][0]["oracle_differ"], 0);  // fp32 logits and bias: the truth itself
  ASSERT_EQ(st["biases"][0]["bias_cast"].size(), 2u);
  EXPECT_EQ(st["biases"][0]["bias_cast"][0]["targets"], nlohmann::json::array({"bf16"}));
  EXPECT_EQ(st["biases"][0]["bias_cast"][0]["identical_calls"], 4);
  EXPECT_EQ(st["biases"][0]["bias_cast"][1]["targets"], nlohmann::json::array({"fp32", "bf16"}));
  EXPECT_EQ(st["biases"][0]["flips"][0]["logits_dtype"], "fp32");
  EXPECT_EQ(check_routing_section(s), "");
}

TEST(RoutingReport_deepseek_v3, StudyFiguresAreTheCountsMeasured) {
  BiasCastComparison steady{Format::bf16, {{Format::bf16, 10, 0, 0}, {Format::bf16, 10, 2, 1}}, "call 1 ...\n"};
  BiasCastComparison alternating{Format::bf16, {{Format::fp32, 10, 4, 3}, {Format::bf16, 10, 0, 0}}, ""};
  PrecisionStudyBias b{"around_0", "N(0, 0.5^2)", {{Format::fp32, Format::bf16, {20, 3}, {20, 4}}}, {steady, alternating},
                       {{Format::fp32, {20, 5}}}};
  const nlohmann::json j = precision_study_json({"host.routing_fp32", 10, {b}});
  const nlohmann::json& cell = j["biases"][0]["cells"][0];
  EXPECT_EQ(cell["logits_dtype"], "fp32");
  EXPECT_EQ(cell["bias_dtype"], "bf16");
  EXPECT_EQ(cell["tokens"], 20);
  EXPECT_EQ(cell["oracle_differ"], 3);
  EXPECT_EQ(cell["kernel_differ"], 4);
  const nlohmann::json& run = j["biases"][0]["bias_cast"][0];
  EXPECT_EQ(run["calls"], 2);
  EXPECT_EQ(run["identical_calls"], 1);
  EXPECT_EQ(run["tokens_differ"], 2);
  EXPECT_EQ(run["sets_differ"], 1);
  const nlohmann::json& alt = j["biases"][0]["bias_cast"][1]["per_target"];
  ASSERT_EQ(alt.size(), 2u);
  EXPECT_EQ(alt[0]["target"], "fp32");
  EXPECT_EQ(alt[0]["sets_differ"], 3);
  EXPECT_EQ(alt[1]["identical_calls"], 1);
  EXPECT_EQ(j["biases"][0]["flips"][0]["differ"], 5);
  // A steady run that differs: the property fails, and with it the section.
  EXPECT_EQ(j["holds"], false);
  const nlohmann::json s = routing_section_json(RoutingConfig::deepseek_v3(), "N(0, 2^2)", 20, 1, {}, j);
  EXPECT_EQ(s["summary"]["pass"], false);
  EXPECT_EQ(check_routing_section(s), "");
  EXPECT_NE(render_routing_markdown(s).find("**does not hold**"), std::string::npos);
}

TEST(RoutingReport_deepseek_v3, APlantedRoutingBugFailsTheSectionAndTheDocument) {
  const RoutingKernel* bug = planted_kernel("planted.routing_group_score_is_max");
  ASSERT_NE(bug, nullptr);
  const nlohmann::json s = section({bug});
  EXPECT_EQ(s["summary"]["failed"], 2);  // one per batch
  EXPECT_EQ(s["summary"]["verdict"], "FAIL");
  const nlohmann::json& k = s["batches"][0]["cases"][2];
  EXPECT_EQ(k["kernel"], "planted.routing_group_score_is_max");
  EXPECT_GT(k["mismatches"].get<std::int64_t>(), 0);
  EXPECT_FALSE(k["failures"].empty());
  const nlohmann::json doc = report_document({}, {}, {7, kTokens}, {}, s);
  EXPECT_EQ(doc["summary"]["cases"], 6);
  EXPECT_EQ(doc["summary"]["failed"], 2);
  EXPECT_EQ(doc["summary"]["verdict"], "FAIL");
  const std::string md = render_report_markdown(doc);
  EXPECT_NE(md.find("**FAIL**: 2 of 6 cases"), std::string::npos) << md.substr(0, 400);
  EXPECT_NE(md.find("Failing tokens"), std::string::npos);
  EXPECT_NE(md.find("a routing error"), std::string::npos);  // the explanation of a failing token
}

TEST(RoutingReport_deepseek_v3, CheckReportValidatesTheRoutingSection) {
  nlohmann::json doc = report_document({}, {}, {7, kTokens}, {}, section());
  EXPECT_EQ(check_report(doc), "");
  // The JSON text reads back to a document that passes too.
  EXPECT_EQ(check_report(nlohmann::json::parse(report_json_text(doc))), "");

  nlohmann::json missing = doc;
  missing["routing"]["batches"][1]["cases"][0].erase("near_ties");
  EXPECT_EQ(check_report(missing),
            "routing.batches[1] (\"bf16\" logits, \"bf16\" \"deepseek_v3\" bias).cases[0] (\"host.routing_fp32\"): "
            "\"near_ties\" is missing");
  nlohmann::json mistyped = doc;
  mistyped["routing"]["batches"][0]["margin_histogram"]["binades"][0]["expert"] = "many";
  EXPECT_NE(check_report(mistyped).find("margin_histogram.binades[0]: \"expert\" is string, expected an integer"),
            std::string::npos)
      << check_report(mistyped);
  nlohmann::json study = doc;
  study["routing"]["precision_study"]["biases"][0]["bias_cast"][0].erase("per_target");
  EXPECT_NE(check_report(study).find("routing.precision_study.biases[0].bias_cast[0]: \"per_target\" is missing"),
            std::string::npos)
      << check_report(study);
  nlohmann::json inconsistent = doc;
  inconsistent["routing"]["batches"][0]["cases"][1]["matches"] = 0;
  EXPECT_NE(check_report(inconsistent).find("matches + near_ties + mismatches + invalid is not tokens"),
            std::string::npos);
  nlohmann::json no_study = doc;
  no_study["routing"]["precision_study"] = nullptr;  // a report run without the study
  EXPECT_EQ(check_report(no_study), "");
  // A document of elementwise cases alone has no "routing" key and still reads.
  nlohmann::json none = doc;
  none.erase("routing");
  EXPECT_EQ(check_report(none), "");
}

TEST(RoutingReport_deepseek_v3, MarkdownHasTheCaseTableMarginsAndTheStudy) {
  const nlohmann::json doc = report_document({}, {}, {7, kTokens}, {}, section());
  const std::string md = render_report_markdown(doc);
  EXPECT_EQ(md.rfind("# Precision report\n\n**PASS**: all 4 cases", 0), 0u) << md.substr(0, 200);
  EXPECT_NE(md.find("## biased_grouped_topk"), std::string::npos);
  EXPECT_NE(md.find("- config: E=256 groups=8 keep=4 top=8 sigmoid renorm scale=2.5"), std::string::npos);
  EXPECT_NE(md.find("| bf16 | fp32 deepseek_v3 N(2.5, 0.5^2) | host.routing_fp32 | 0 |"), std::string::npos);
  EXPECT_NE(md.find("| bf16 | bf16 deepseek_v3 N(2.5, 0.5^2) | host.routing_input_dtype |"), std::string::npos);
  EXPECT_NE(md.find("### Decision margins"), std::string::npos);
  EXPECT_NE(md.find("| tie | < 2^-24 | [2^-24, 2^-20) |"), std::string::npos);
  EXPECT_NE(md.find("### Precision study: rounding the logits and the bias"), std::string::npos);
  EXPECT_NE(md.find("| fp32 | fp32 | 0.0000% (0) | 0.0000% (0) |"), std::string::npos);
  EXPECT_NE(md.find("#### Casting the bias once or on every call"), std::string::npos);
  EXPECT_NE(md.find("**holds**"), std::string::npos);
  EXPECT_NE(md.find("| bf16 on every call | 4 | 4 | 0 | 0 |"), std::string::npos);
  EXPECT_NE(md.find("alternating: the fp32 calls"), std::string::npos);
  EXPECT_EQ(md.find("Failing tokens"), std::string::npos);
}

TEST(RoutingReport_deepseek_v3, HtmlHasTheSectionAMarginPlotPerBatchAndTheStudy) {
  const nlohmann::json doc = report_document({}, {}, {7, kTokens}, {}, section());
  const std::string html = render_report_html(doc);
  EXPECT_NE(html.find("<h2 id=\"routing\">biased_grouped_topk</h2>"), std::string::npos);
  EXPECT_EQ(occurrences(html, "aria-label=\"Histogram of the decision margins\""), 2u);
  EXPECT_NE(html.find("Precision study: rounding the logits and the bias"), std::string::npos);
  EXPECT_NE(html.find("Casting the bias once or on every call"), std::string::npos);
  EXPECT_NE(html.find("PASS &mdash; all 4 cases"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("http"), std::string::npos);  // nothing fetched
}

TEST(RoutingReport_deepseek_v3, DiffMatchesRoutingCasesAndARoutingCaseThatNowFailsIsARegression) {
  const nlohmann::json old_doc = report_document({}, {}, {7, kTokens}, {}, section());
  const ReportDiff same = diff_reports(old_doc, old_doc, "a.json", "a.json");
  EXPECT_EQ(same.regressions, 0);
  ASSERT_EQ(same.json["routing"].size(), 4u);
  EXPECT_EQ(same.json["summary"]["unchanged"], 4);
  for (const nlohmann::json& e : same.json["routing"]) EXPECT_EQ(e["status"], "unchanged");

  // The bf16-bias batch's host.routing_fp32 now routes three tokens wrongly.
  nlohmann::json new_doc = old_doc;
  nlohmann::json& k = new_doc["routing"]["batches"][1]["cases"][0];
  k["mismatches"] = 3;
  k["matches"] = k["matches"].get<std::int64_t>() - 3;
  k["pass"] = false;
  k["verdict"] = "FAIL";
  ASSERT_EQ(check_report(new_doc), "");
  const ReportDiff d = diff_reports(old_doc, new_doc, "old.json", "new.json");
  EXPECT_EQ(d.regressions, 1);
  EXPECT_EQ(d.json["summary"]["regressions"], 1);
  EXPECT_EQ(d.json["summary"]["unchanged"], 3);
  const nlohmann::json& e = d.json["routing"][2];  // batch 1, case 0
  EXPECT_EQ(e["kernel"], "host.routing_fp32");
  EXPECT_EQ(e["bias_dtype"], "bf16");
  EXPECT_EQ(e["status"], "regression");
  ASSERT_EQ(e["figures"].size(), 1u);
  EXPECT_EQ(e["figures"][0]["figure"], "mismatches");
  EXPECT_EQ(e["figures"][0]["delta"], 3);
  const std::string md = render_diff_markdown(d.json);
  EXPECT_NE(md.find("**REGRESSION**: 1 case passed before and fails now."), std::string::npos) << md;
  EXPECT_NE(md.find("## biased_grouped_topk"), std::string::npos) << md;
  EXPECT_NE(md.find("| bf16 | bf16 deepseek_v3 | host.routing_fp32 | regression | PASS -> **FAIL** | 0 -> **3** (+3) |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| routing errors | 0 | 3 | +3 |"), std::string::npos) << md;

  // A report without routing against one with it: the routing cases are only in NEW.
  nlohmann::json without = old_doc;
  without.erase("routing");
  const ReportDiff added = diff_reports(without, old_doc, "old.json", "new.json");
  EXPECT_EQ(added.regressions, 0);
  EXPECT_EQ(added.json["summary"]["only_new"], 4);
}

TEST(RoutingReport_deepseek_v3, DocumentAndDiffWithRoutingReadAndWrittenAgainAreByteIdentical) {
  const nlohmann::json old_doc = report_document({}, {}, {7, kTokens}, {}, section());
  const std::string text = report_json_text(old_doc);
  const auto typed = nlohmann::json::parse(text).get<report_model::Document>();
  EXPECT_TRUE(typed.has_routing());
  EXPECT_EQ(report_json_text(nlohmann::json(typed)), text);

  nlohmann::json new_doc = old_doc;
  new_doc["routing"]["batches"][0]["cases"].erase(0);  // a routing case only in OLD
  const std::string diff_text = report_json_text(diff_reports(old_doc, new_doc, "old.json", "new.json").json);
  const auto diff = nlohmann::json::parse(diff_text).get<diff_document::Diff>();
  ASSERT_EQ(diff.routing.size(), 4u);
  EXPECT_EQ(diff.routing.back().status, "only_old");
  EXPECT_FALSE(diff.routing.back().new_side);
  EXPECT_TRUE(diff.routing.front().comparison);
  EXPECT_EQ(report_json_text(nlohmann::json(diff)), diff_text);
}

}  // namespace
}  // namespace ulpcheck
