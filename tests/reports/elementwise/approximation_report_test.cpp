// The "<op> vs <approximated op>" section (approximation_report.hpp): gelu_tanh against gelu
// on all bf16 inputs, with one kernel of each, in the JSON document, its check, Markdown,
// HTML and the diff.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "reports/elementwise/approximation_document.hpp"
#include "ulpcheck/device/registry.hpp"
#include "ulpcheck/reference/registry.hpp"
#include "ulpcheck/reports/elementwise/approximation_report.hpp"
#include "ulpcheck/reports/html_report.hpp"
#include "ulpcheck/reports/elementwise/precision_report.hpp"
#include "ulpcheck/reports/report_diff.hpp"
#include "ulpcheck/reports/report_document.hpp"

namespace ulpcheck {
namespace {

const ElementwiseOp& op(const char* name) { return *find_op(name); }

/// A report of gelu and gelu_tanh on all bf16 inputs, host.single_rounding and
/// host.accurate for each, with the gelu_tanh vs gelu section; built once.
const nlohmann::json& gelu_document() {
  static const nlohmann::json doc = [] {
    const ElementwiseOp &gelu = op("gelu"), &tanh = op("gelu_tanh");
    const InputSet in = all_values(Format::bf16);
    const OracleAnswers g = evaluate_inputs(gelu, Format::bf16, {}, in), t = evaluate_inputs(tanh, Format::bf16, {}, in);
    std::vector<nlohmann::json> cases;
    std::vector<std::pair<const Kernel*, BitTensor>> g_out, t_out;
    for (const char* name : {"host.single_rounding", "host.accurate"}) {
      const Kernel& k = *find_kernel(name);
      g_out.emplace_back(&k, run_kernel(gelu, k, Format::bf16, {}, in));
      cases.push_back(to_json(measure_outputs(gelu, k, Format::bf16, {}, in, g, g_out.back().second)));
    }
    for (const auto& [k, out] : g_out) {
      t_out.emplace_back(k, run_kernel(tanh, *k, Format::bf16, {}, in));
      cases.push_back(to_json(measure_outputs(tanh, *k, Format::bf16, {}, in, t, t_out.back().second)));
    }
    ApproximationFigures fig{Format::bf16, {}, in.description, compare_rounded(gelu, Format::bf16, {}, in, g, t), {}};
    for (const auto& [ke, a] : g_out)
      for (const auto& [kt, b] : t_out)
        fig.kernel_pairs.push_back({std::string(ke->name()), std::string(kt->name()),
                                    compare_outputs(gelu, Format::bf16, {}, in, g, a, b)});
    std::vector<nlohmann::json> sections{approximation_section_json(
        gelu, tanh, largest_real_difference(gelu, tanh), {approximation_dtype_json(gelu, fig)})};
    return report_document(std::move(cases), {}, {1, 0}, std::move(sections));
  }();
  return doc;
}

TEST(ApproximationSection, CarriesTheRealFunctionsLargestDifference) {
  const nlohmann::json& s = gelu_document()["approximations"][0];
  EXPECT_EQ(s["op"], "gelu_tanh");
  EXPECT_EQ(s["approximates"], "gelu");
  EXPECT_NEAR(s["real_difference"]["max_abs_difference"].get<double>(), 4.7324e-4, 0.5e-8);
  EXPECT_NEAR(std::fabs(s["real_difference"]["x"].get<double>()), 2.6989, 0.5e-4);
  EXPECT_EQ(s["real_difference"]["symmetric"], true);
  EXPECT_EQ(s["real_difference"]["radius"], 8.0);
}

TEST(ApproximationSection, GivesPerDtypeFiguresAndEveryKernelPair) {
  const nlohmann::json& d = gelu_document()["approximations"][0]["dtypes"][0];
  EXPECT_EQ(d["dtype"], "bf16");
  EXPECT_EQ(d["rounded"]["count"], 65536);
  EXPECT_GT(d["rounded"]["differ"].get<std::int64_t>(), 0);
  EXPECT_EQ(d["rounded"]["fraction_differ"].get<double>(), d["rounded"]["differ"].get<double>() / 65536);
  EXPECT_EQ(d["rounded"]["worst_above_floor"].size(), 1u);
  EXPECT_FALSE(d["rounded"]["binades_input"].empty());
  ASSERT_EQ(d["kernel_pairs"].size(), 4u);
  EXPECT_EQ(d["kernel_pairs"][1]["exact_kernel"], "host.single_rounding");
  EXPECT_EQ(d["kernel_pairs"][1]["approx_kernel"], "host.accurate");
}

TEST(ApproximationSection, DocumentWithItValidates) {
  EXPECT_EQ(check_report(gelu_document()), "");
  // Read back from its text, too.
  EXPECT_EQ(check_report(nlohmann::json::parse(report_json_text(gelu_document()))), "");
}

TEST(ApproximationSection, CheckNamesTheSectionAndTheMissingKey) {
  nlohmann::json doc = gelu_document();
  doc["approximations"][0]["dtypes"][0]["kernel_pairs"][2].erase("max_ulp_above_floor");
  EXPECT_EQ(check_report(doc), "approximations[0] (\"gelu_tanh\" vs \"gelu\").dtypes[0].kernel_pairs[2]: "
                               "\"max_ulp_above_floor\" is missing");
  doc = gelu_document();
  doc["approximations"][0]["real_difference"]["symmetric"] = "yes";
  EXPECT_NE(check_report(doc).find("\"symmetric\" is string, expected true or false"), std::string::npos);
  doc = gelu_document();
  doc["approximations"] = "none";
  EXPECT_NE(check_report(doc).find("\"approximations\" is string, expected an array"), std::string::npos);
}

TEST(ApproximationSection, DocumentsWrittenBeforeItStillRead) {
  nlohmann::json doc = gelu_document();
  doc.erase("approximations");
  EXPECT_EQ(check_report(doc), "");
  EXPECT_EQ(render_report_markdown(doc).find("vs gelu"), std::string::npos);
}

TEST(ApproximationSection, MarkdownGivesTheFigureAndAKernelMatrix) {
  const std::string md = render_report_markdown(gelu_document());
  const auto section = md.find("## gelu_tanh vs gelu");
  ASSERT_NE(section, std::string::npos) << md.substr(0, 3000);
  EXPECT_LT(md.find("## Summary"), section);
  EXPECT_LT(section, md.find("## bf16"));
  EXPECT_NE(md.find("max |gelu_tanh - gelu| = 4.7324e-04 at x = +-2.69894 (gelu_tanh above gelu there)"),
            std::string::npos);
  EXPECT_NE(md.find("| bf16 | all 65536 bf16 values | "), std::string::npos);
  EXPECT_NE(md.find("| gelu \\ gelu_tanh | host.single_rounding | host.accurate |"), std::string::npos);
  EXPECT_NE(md.find("| host.accurate | "), std::string::npos);
}

TEST(ApproximationSection, HtmlHasTheSectionTablesAndPlot) {
  const std::string html = render_report_html(gelu_document());
  EXPECT_NE(html.find("id=\"approximation-1\""), std::string::npos);
  EXPECT_NE(html.find("<h3>gelu_tanh vs gelu</h3>"), std::string::npos);
  EXPECT_NE(html.find("<strong>4.7324e-04</strong>"), std::string::npos);
  EXPECT_NE(html.find("ULP difference against the input x, per binade"), std::string::npos);
  EXPECT_NE(html.find("gelu kernel \u2193 / gelu_tanh kernel \u2192"), std::string::npos);
}

TEST(ApproximationDocument, ASectionReadAndWrittenAgainIsByteIdentical) {
  const std::string text = report_json_text(gelu_document()["approximations"][0]);
  const auto s = nlohmann::json::parse(text).get<approximation_document::Section>();
  EXPECT_EQ(s.approximates, "gelu");
  ASSERT_EQ(s.dtypes.size(), 1u);
  EXPECT_EQ(s.dtypes[0].kernel_pairs.size(), 4u);
  EXPECT_EQ(s.dtypes[0].rounded.figures.worst_above_floor.size(), 1u);
  EXPECT_EQ(report_json_text(nlohmann::json(s)), text);
}

TEST(ApproximationDocument, AGatedDifferenceKeepsItsUp) {
  const nlohmann::json e{{"row", 1}, {"col", 2}, {"x0_bits", "0xc0a0"}, {"x0", -5.0}, {"x1_bits", "0x4000"},
                         {"x1", 2.0}, {"result_bits", "0x8000"}, {"result", "-inf"}, {"approx_result_bits", "0x8000"},
                         {"approx_result", 0.0}, {"exact_hi", "nan"}, {"exact_lo", 0.0}, {"ulp_difference", 0.5}};
  const auto d = e.get<approximation_document::Difference>();
  ASSERT_TRUE(d.x1_bits);
  EXPECT_EQ(*d.x1_bits, "0x4000");
  EXPECT_EQ(nlohmann::json(d), e);
}

TEST(ApproximationSection, DiffOfDocumentsWithItComparesTheirCases) {
  nlohmann::json before = gelu_document();
  before.erase("approximations");  // one written before the section existed
  const ReportDiff d = diff_reports(before, gelu_document(), "before.json", "after.json");
  EXPECT_EQ(d.regressions, 0);
  EXPECT_EQ(d.json["summary"]["unchanged"], 4);
}

}  // namespace
}  // namespace ulpcheck
