// The moe_combine section of a report: its JSON from a run of the host kernels (figures,
// claims, summary), the round trip through its typed objects and the document's JSON text,
// the check on reading it, and its Markdown: a table per dtype, each kernel's placement of
// the factor, and a claim made too tight failing the section with its element explained.
#include "ulpcheck/reports/combine/combine_report.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>

#include <string>
#include <string_view>
#include <vector>

#include "reports/combine/combine_document.hpp"
#include "tests/runs/combine/tight_claim_kernel.hpp"
#include "ulpcheck/reports/report_document.hpp"

namespace ulpcheck {
namespace {

constexpr std::int64_t kTokens = 8;

std::size_t occurrences(const std::string& text, std::string_view part) {
  std::size_t n = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + part.size())) ++n;
  return n;
}

std::vector<const CombineKernel*> host_combine_kernels() {
  std::vector<const CombineKernel*> out;
  for (const CombineKernel* k : all_combine_kernels())
    if (k->name().starts_with("host.")) out.push_back(k);
  return out;
}

/// The section of the default configs in bf16 and fp16 with every host kernel, plus `extra`.
nlohmann::json section(const std::vector<const CombineKernel*>& extra = {}) {
  std::vector<const CombineKernel*> kernels = host_combine_kernels();
  kernels.insert(kernels.end(), extra.begin(), extra.end());
  CombineReportOptions o;
  o.tokens = kTokens;
  const CombinePlan p = plan_combine(o, {Format::bf16, Format::fp16}, kernels, 5);
  return combine_section_json(run_family_report(p, silent_observer()));
}

TEST(CombineReport_sections, SectionCarriesEveryBatchCaseFigureAndClaim) {
  const nlohmann::json s = section();
  EXPECT_EQ(s["op"], "moe_combine");
  EXPECT_EQ(s["formula"], std::string(kCombineFormula));
  EXPECT_EQ(s["tokens"], kTokens);
  EXPECT_EQ(s["seed"], 5);
  ASSERT_EQ(s["batches"].size(), 6u);
  EXPECT_EQ(s["batches"][0]["dtype"], "bf16");
  EXPECT_EQ(s["batches"][0]["config"]["label"], "k=8 hidden=256 scale=2.5");
  EXPECT_EQ(s["batches"][1]["config"]["topk"], 6);
  EXPECT_EQ(s["batches"][1]["config"]["routed_scaling_factor"], 16.0);
  EXPECT_EQ(s["batches"][3]["dtype"], "fp16");
  EXPECT_EQ(s["batches"][3]["cases"].size(), 3u);  // the naive placements do not take fp16
  const nlohmann::json& c = s["batches"][0]["cases"][0];
  EXPECT_EQ(c["kernel"], "host.combine_fold_fused");
  EXPECT_NE(c["kernel_description"].get<std::string>().find("rsf folded into the router weights"), std::string::npos);
  const CombineClaim claim = *find_combine_kernel("host.combine_fold_fused")->claim(default_combine_configs()[0], Format::bf16);
  EXPECT_EQ(c["claim"]["max_ulp"], claim.max_ulp);
  EXPECT_EQ(c["claim"]["relative"], claim.relative);
  EXPECT_EQ(c["claim"]["absolute"], claim.absolute);
  EXPECT_EQ(c["count"], kTokens * 256);
  EXPECT_LE(c["p99_ulp"].get<double>(), c["max_ulp"].get<double>());
  EXPECT_LE(c["max_ulp_above_floor"].get<double>(), c["max_ulp"].get<double>());
  EXPECT_EQ(c["failure"], "");
  EXPECT_EQ(c["verdict"], "PASS");
  EXPECT_EQ(s["summary"]["cases"], 27);  // 3 configs x (6 in bf16 + 3 in fp16)
  EXPECT_EQ(s["summary"]["passed"], 27);
  EXPECT_EQ(s["summary"]["verdict"], "PASS");
  EXPECT_EQ(check_combine_section(s), "");
}

TEST(CombineReport_sections, JsonRoundTripsThroughItsTypesAndTheDocumentText) {
  const nlohmann::json s = section();
  const auto typed = s.get<combine_document::SectionWithBatches>();
  EXPECT_EQ(nlohmann::json(typed), s);
  const nlohmann::json back = nlohmann::json::parse(report_json_text(s));
  EXPECT_EQ(back, s);
  EXPECT_EQ(check_combine_section(back), "");
  EXPECT_EQ(render_combine_markdown(back), render_combine_markdown(s));
}

TEST(CombineReport_sections, NonFiniteFiguresAreSpelledAndReadBack) {
  nlohmann::json s = section();
  s["batches"][0]["cases"][0]["max_ulp"] = "inf";
  EXPECT_EQ(check_combine_section(s), "");
  const auto typed = s.get<combine_document::SectionWithBatches>();
  EXPECT_TRUE(std::isinf(typed.batches[0].cases[0].max_ulp.value));
  EXPECT_EQ(nlohmann::json(typed)["batches"][0]["cases"][0]["max_ulp"], "inf");
}

TEST(CombineReport_sections, CheckNamesTheMissingOrMistypedKeyAndWhere) {
  const nlohmann::json s = section();
  nlohmann::json missing = s;
  missing["batches"][1]["cases"][2].erase("p99_ulp");
  EXPECT_EQ(check_combine_section(missing),
            "combine.batches[1] (\"bf16\" \"k=6 hidden=256 scale=16\").cases[2] (\"host.combine_fold_storage_sum\"): "
            "\"p99_ulp\" is missing");
  nlohmann::json mistyped = s;
  mistyped["batches"][0]["cases"][0]["claim"]["relative"] = "tight";
  EXPECT_NE(check_combine_section(mistyped).find(".claim: \"relative\" is string, expected a number"),
            std::string::npos)
      << check_combine_section(mistyped);
  nlohmann::json config = s;
  config["batches"][2]["config"].erase("hidden");
  EXPECT_NE(check_combine_section(config).find("combine.batches[2] (\"bf16\" \"k=2 hidden=256 scale=1\").config: "
                                               "\"hidden\" is missing"),
            std::string::npos)
      << check_combine_section(config);
  nlohmann::json verdict = s;
  verdict["batches"][0]["cases"][1]["breaches"] = 3;  // figures that fail under a verdict that passes
  EXPECT_NE(check_combine_section(verdict).find("\"pass\" is true with 3 breaches"), std::string::npos)
      << check_combine_section(verdict);
  nlohmann::json counts = s;
  counts["batches"][0]["cases"][1]["in_floor_region"] = 1 << 30;
  EXPECT_NE(check_combine_section(counts).find("\"in_floor_region\" is 1073741824, outside [0, count = 2048]"),
            std::string::npos)
      << check_combine_section(counts);
  EXPECT_EQ(check_combine_section(nlohmann::json::array()), "combine: expected an object");
}

TEST(CombineReport_sections, MarkdownHasATablePerDtypeAndEachKernelsPlacement) {
  const std::string md = render_combine_markdown(section());
  EXPECT_EQ(md.rfind("## moe_combine\n\n- op: `moe_combine`: out = routed_scaling_factor", 0), 0u) << md.substr(0, 200);
  EXPECT_NE(md.find("**PASS**: all 27 combine cases within their kernel's claim."), std::string::npos);
  EXPECT_NE(md.find("### bf16\n\n| kernel | config | max ULP | max ULP outside floor | p99 ULP | correctly rounded | "
                    "in floor region | breaches | claim | verdict |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("### fp16\n\n"), std::string::npos);
  EXPECT_EQ(md.find("### fp32"), std::string::npos);
  // A row per case: bf16 has 18, fp16 9; each names its config.
  EXPECT_EQ(occurrences(md, "| k=8 hidden=256 scale=2.5 |"), 9u);
  EXPECT_EQ(occurrences(md, "| PASS |"), 27u);
  const CombineClaim claim =
      *find_combine_kernel("host.combine_fold")->claim(default_combine_configs()[0], Format::bf16);
  EXPECT_NE(md.find(fmt::format("| host.combine_fold | k=8 hidden=256 scale=2.5 |")), std::string::npos);
  EXPECT_NE(md.find(fmt::format("| 1 ULP, floor {:.3g} s + {:.3g} | PASS |", claim.relative, claim.absolute)),
            std::string::npos)
      << md;
  // Where each kernel puts the factor: each once, with its description.
  EXPECT_NE(md.find("### Where each kernel puts the factor"), std::string::npos);
  for (const CombineKernel* k : host_combine_kernels())
    EXPECT_EQ(occurrences(md, fmt::format("| {} | {} |", k->name(), k->description())), 1u) << k->name();
  EXPECT_EQ(md.find("Failing elements"), std::string::npos);
}

TEST(CombineReport_sections, AClaimTooTightFailsTheSectionAndShowsItsElement) {
  const testing::TightClaimCombineKernel tight;
  const nlohmann::json s = section({&tight});
  EXPECT_EQ(s["summary"]["cases"], 30);
  EXPECT_EQ(s["summary"]["failed"], 3);  // it takes bf16 only: one per config
  EXPECT_EQ(s["summary"]["verdict"], "FAIL");
  const nlohmann::json& c = s["batches"][0]["cases"][6];
  EXPECT_EQ(c["kernel"], "planted.combine_tight_claim");
  EXPECT_EQ(c["verdict"], "FAIL");
  EXPECT_GT(c["breaches"].get<std::int64_t>(), 0);
  EXPECT_NE(c["failure"].get<std::string>().find("outside the claim"), std::string::npos);
  EXPECT_EQ(check_combine_section(s), "");
  const std::string md = render_combine_markdown(s);
  EXPECT_NE(md.find("**FAIL**: 3 of 30 combine cases outside their kernel's claim."), std::string::npos);
  EXPECT_EQ(occurrences(md, "| **FAIL** |"), 3u);
  EXPECT_NE(md.find("### Failing elements"), std::string::npos);
  EXPECT_NE(md.find("bf16 k=8 hidden=256 scale=2.5, `planted.combine_tight_claim` (claim 1 ULP, floor 0 s), its first "
                    "failing element:\n\n```\ntoken "),
            std::string::npos)
      << md;

  const std::string html = render_combine_html(s);
  EXPECT_EQ(html.rfind("<h2 id=\"combine\">moe_combine</h2>", 0), 0u) << html.substr(0, 200);
  EXPECT_EQ(occurrences(html, "<h4>bf16</h4>"), 1u);
  EXPECT_EQ(occurrences(html, "<h4>fp16</h4>"), 1u);
  EXPECT_EQ(occurrences(html, "<tr class=\"fail\">"), 3u) << html;
  EXPECT_EQ(occurrences(html, "<details open><summary>First failing element: bf16 "), 3u);
  EXPECT_NE(html.find("<code>planted.combine_tight_claim</code>"), std::string::npos);
}

}  // namespace
}  // namespace ulpcheck
