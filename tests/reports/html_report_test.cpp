// The HTML report is one file that reads offline: no script, nothing fetched, plots as
// inline SVG, every text escaped.
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "tests/reports/relabeled_kernel.hpp"
#include "ulpcheck/device/registry.hpp"
#include "ulpcheck/reference/registry.hpp"
#include "ulpcheck/reports/html_report.hpp"
#include "ulpcheck/reports/elementwise/precision_report.hpp"
#include "ulpcheck/reports/report_document.hpp"

namespace ulpcheck {
namespace {

std::size_t occurrences(const std::string& text, std::string_view part) {
  std::size_t n = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + part.size())) ++n;
  return n;
}

nlohmann::json case_of(const Kernel& k, const char* op_name, Format f) {
  const ElementwiseOp& op = *find_op(op_name);
  return to_json(measure(op, k, f, op.default_params(), random_bits(f, op.arity, 4000, 11)));
}

std::string two_case_page() {
  std::vector<nlohmann::json> cases{case_of(*find_kernel("host.single_rounding"), "silu_and_mul", Format::bf16),
                                    case_of(*find_kernel("host.double_rounding"), "silu", Format::fp32)};
  return render_report_html(report_document(std::move(cases), {}, {11, 4000}));
}

TEST(HtmlReport, IsOneSelfContainedFile) {
  const std::string html = two_case_page();
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("<style>"), std::string::npos);
  EXPECT_NE(html.find("</html>"), std::string::npos);
  // Nothing outside the file: no URL, no script, no stylesheet or image to fetch.
  for (std::string_view banned : {"http://", "https://", "<script", "<link", "<img", "<iframe", "src=", "@import",
                                  "url(", "//cdn"})
    EXPECT_EQ(html.find(banned), std::string::npos) << banned;
}

TEST(HtmlReport, DrawsTheHistogramAndTheErrorAgainstTheInputForEveryCase) {
  const std::string html = two_case_page();
  EXPECT_EQ(occurrences(html, "<svg"), 4u);
  EXPECT_EQ(occurrences(html, "</svg>"), 4u);
  EXPECT_EQ(occurrences(html, "ULP error histogram"), 2u);
  EXPECT_EQ(occurrences(html, "ULP error against the gate, per binade"), 1u);
  EXPECT_EQ(occurrences(html, "ULP error against the input x, per binade"), 1u);
  // Negative and positive inputs in their own panels, the budget marked.
  EXPECT_NE(html.find("gate &lt; 0"), std::string::npos);
  EXPECT_NE(html.find("gate &gt; 0"), std::string::npos);
  EXPECT_NE(html.find("budget 0.501 ULP"), std::string::npos);
}

TEST(HtmlReport, HasTheSummaryFiguresAndTablesOfEachCase) {
  const std::string html = two_case_page();
  EXPECT_NE(html.find("PASS &mdash; all 2 cases"), std::string::npos);
  EXPECT_NE(html.find("href=\"#case-1\""), std::string::npos);
  EXPECT_NE(html.find("id=\"case-2\""), std::string::npos);
  EXPECT_NE(html.find("max ULP error, outside the floor region"), std::string::npos);
  EXPECT_NE(html.find("Where the error lives"), std::string::npos);
  EXPECT_NE(html.find("Worst inputs outside the floor region"), std::string::npos);
  EXPECT_NE(html.find("Special values"), std::string::npos);
}

TEST(HtmlReport, EscapesEveryTextFromTheReport) {
  const testing::RelabeledKernel sneaky{"team.<b>bold</b>&co", "<script>alert('x')</script> \"quoted\"",
                                        *find_kernel("host.single_rounding"), Budget{0.501, 0x1p-121}};
  const std::string html =
      render_report_html(report_document({case_of(sneaky, "silu", Format::bf16)}, {}, {11, 4000}));
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<b>bold"), std::string::npos);
  EXPECT_NE(html.find("team.&lt;b&gt;bold&lt;/b&gt;&amp;co"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &quot;quoted&quot;"), std::string::npos);
}

}  // namespace
}  // namespace ulpcheck
