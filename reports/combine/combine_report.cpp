#include "ulpcheck/reports/combine/combine_report.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "reports/combine/combine_document.hpp"
#include "reports/combine/combine_tables.hpp"
#include "reports/report_check.hpp"
#include "reports/report_text.hpp"
#include "ulpcheck/support/escape.hpp"

namespace ulpcheck {

namespace cdoc = combine_document;

nlohmann::json combine_case_json(const CombineCaseResult& r) {
  const ErrorStats& s = r.stats;
  const bool pass = s.passes();
  cdoc::Case c;
  c.kernel = std::string(r.kernel->name());
  c.kernel_description = std::string(r.kernel->description());
  c.claim = {{r.claim.max_ulp}, {r.claim.relative}, {r.claim.absolute}};
  c.count = s.count;
  c.numeric = s.numeric;
  c.correctly_rounded = s.correctly_rounded;
  c.in_floor_region = s.in_floor_region;
  c.semantic_differences = s.semantic_differences;
  c.semantic_violations = s.semantic_violations;
  c.breaches = s.budget_breaches;
  c.max_ulp = {s.max_ulp};
  c.max_ulp_above_floor = {s.max_ulp_above_floor};
  c.p99_ulp = {s.percentile(0.99)};
  c.fraction_correctly_rounded = s.fraction(s.correctly_rounded);
  c.failure = r.failure;
  c.pass = pass;
  c.verdict = pass ? "PASS" : "FAIL";
  return c;
}

nlohmann::json combine_batch_json(const CombineConfig& config, Format format, std::int64_t tokens,
                                  std::vector<nlohmann::json> cases) {
  cdoc::BatchWithCases b{{std::string(name(format)),
                          {config.topk, config.hidden, config.routed_scaling_factor, config.label()},
                          tokens},
                         {}};
  for (const nlohmann::json& c : cases) b.cases.push_back(c.get<cdoc::Case>());
  return b;
}

nlohmann::json combine_section_json(std::int64_t tokens, std::uint64_t seed, const std::string& inputs,
                                    std::vector<nlohmann::json> batches) {
  cdoc::SectionWithBatches s;
  for (const nlohmann::json& b : batches) s.batches.push_back(b.get<cdoc::BatchWithCases>());
  std::int64_t cases = 0, passed = 0;
  for (const cdoc::BatchWithCases& b : s.batches)
    for (const cdoc::Case& c : b.cases) ++cases, passed += c.pass;
  const bool pass = passed == cases;
  s.section = {std::string(kCombineOpName), std::string(kCombineFormula), inputs, tokens, seed,
               {cases, passed, cases - passed, pass, pass ? "PASS" : "FAIL"}};
  return s;
}

nlohmann::json combine_section_json(const CombineReport& report) {
  std::vector<nlohmann::json> batches;
  for (const CombineBatchResult& b : report.batches) {
    std::vector<nlohmann::json> cases;
    for (const CombineCaseResult& c : b.cases) cases.push_back(combine_case_json(c));
    batches.push_back(combine_batch_json(b.config, b.format, b.tokens, std::move(cases)));
  }
  nlohmann::json section = combine_section_json(report.tokens, report.seed, report.inputs, std::move(batches));
  if (report.blocks.empty()) return section;
  // Each measured block counts as a case of the section: it passes when every stage kept
  // its own outputs within its claim.
  nlohmann::json blocks = nlohmann::json::array();
  auto summary = section["summary"].get<cdoc::Summary>();
  for (const MoeBlockReport& b : report.blocks) {
    blocks.push_back(moe_block_json(b));
    if (!b.measured) continue;
    ++summary.cases;
    (b.own_within_claims() ? summary.passed : summary.failed) += 1;
  }
  summary.pass = summary.failed == 0;
  summary.verdict = summary.pass ? "PASS" : "FAIL";
  section["summary"] = summary;
  section["moe_blocks"] = std::move(blocks);
  return section;
}

// --- checking ----------------------------------------------------------------------------

namespace {

using report_check::check_shape;
using report_check::Kind;
using report_check::Shape;
using report_text::to_int;

const Shape kCombineClaim{{{"max_ulp", Kind::number}, {"relative", Kind::number}, {"absolute", Kind::number}}};

/// What the kinds do not say: the counts fit in the case, and its verdict is its figures'.
std::string check_combine_case_counts(const nlohmann::json& c, const std::string& where) {
  const std::int64_t count = to_int(c["count"]);
  for (const char* key : {"numeric", "correctly_rounded", "in_floor_region", "semantic_differences", "breaches"})
    if (to_int(c[key]) < 0 || to_int(c[key]) > count)
      return fmt::format("{}: \"{}\" is {}, outside [0, count = {}]", where, key, to_int(c[key]), count);
  const bool pass = to_int(c["breaches"]) == 0 && to_int(c["semantic_violations"]) == 0;
  if (c["pass"].get<bool>() != pass)
    return fmt::format("{}: \"pass\" is {} with {} breaches and {} semantic violations", where, c["pass"].dump(),
                       to_int(c["breaches"]), to_int(c["semantic_violations"]));
  return {};
}

const Shape kCombineCase{
    {{"kernel", Kind::string}, {"kernel_description", Kind::string}, {"claim", Kind::object, &kCombineClaim},
     {"count", Kind::integer}, {"numeric", Kind::integer}, {"correctly_rounded", Kind::integer},
     {"fraction_correctly_rounded", Kind::number}, {"in_floor_region", Kind::integer},
     {"semantic_differences", Kind::integer}, {"semantic_violations", Kind::integer}, {"breaches", Kind::integer},
     {"max_ulp", Kind::number}, {"max_ulp_above_floor", Kind::number}, {"p99_ulp", Kind::number},
     {"failure", Kind::string}, {"pass", Kind::boolean}, {"verdict", Kind::string}},
    [](const nlohmann::json& c) { return c.contains("kernel") ? fmt::format(" ({})", c["kernel"].dump()) : std::string(); },
    check_combine_case_counts};

const Shape kCombineConfig{{{"topk", Kind::integer}, {"hidden", Kind::integer},
                            {"routed_scaling_factor", Kind::number}, {"label", Kind::string}}};

const Shape kCombineBatch{{{"dtype", Kind::string}, {"config", Kind::object, &kCombineConfig},
                           {"tokens", Kind::integer}, {"cases", Kind::array, &kCombineCase}},
                          [](const nlohmann::json& b) {
                            if (!b.contains("dtype") || !b.contains("config") || !b["config"].is_object() ||
                                !b["config"].contains("label"))
                              return std::string();
                            return fmt::format(" ({} {})", b["dtype"].dump(), b["config"]["label"].dump());
                          }};

const Shape kCombineSummary{{{"cases", Kind::integer}, {"passed", Kind::integer}, {"failed", Kind::integer},
                             {"pass", Kind::boolean}, {"verdict", Kind::string}}};

const Shape kCombineSection{{{"op", Kind::string}, {"formula", Kind::string}, {"inputs", Kind::string},
                             {"tokens", Kind::integer}, {"seed", Kind::integer},
                             {"summary", Kind::object, &kCombineSummary}, {"batches", Kind::array, &kCombineBatch}}};

}  // namespace

std::string check_combine_section(const nlohmann::json& section, const std::string& where) {
  if (std::string problem = check_shape(section, where, kCombineSection); !problem.empty()) return problem;
  // What the fields' kinds leave open, as the diff reads the section.
  try {
    (void)section.get<combine_document::SectionWithBatches>();
  } catch (const nlohmann::json::exception& e) {
    return fmt::format("{}: {}", where, e.what());
  }
  if (!section.contains("moe_blocks")) return {};
  if (!section["moe_blocks"].is_array()) return fmt::format("{}: \"moe_blocks\" is not an array", where);
  for (std::size_t i = 0; i < section["moe_blocks"].size(); ++i) {
    try {
      moe_block_from_json(section["moe_blocks"][i]);
    } catch (const nlohmann::json::exception& e) {
      return fmt::format("{}.moe_blocks[{}]: {}", where, i, e.what());
    }
  }
  return {};
}

// --- tables shared by the Markdown and the HTML --------------------------------------------

namespace combine_tables {

namespace {

/// "0", or "22 (1.0742%)".
std::string combine_count_share(std::int64_t n, std::int64_t of) {
  if (n == 0 || of == 0) return std::to_string(n);
  return fmt::format("{} ({:.4f}%)", n, 100.0 * static_cast<double>(n) / static_cast<double>(of));
}

}  // namespace

std::vector<std::string> dtypes(const cdoc::SectionWithBatches& section) {
  std::vector<std::string> out;
  for (const cdoc::BatchWithCases& b : section.batches)
    if (std::find(out.begin(), out.end(), b.batch.dtype) == out.end()) out.push_back(b.batch.dtype);
  return out;
}

std::string claim_text(const cdoc::Claim& c) {
  std::string out = fmt::format("{:g} ULP, floor {:.3g} s", c.max_ulp.value, c.relative.value);
  if (c.absolute.value != 0.0) out += fmt::format(" + {:.3g}", c.absolute.value);
  return out;
}

report_table::Table cases(const cdoc::SectionWithBatches& section, const std::string& dtype) {
  using report_table::flag;
  using report_table::right;
  report_table::Table t{{{"kernel"}, {"config"}, right("max ULP"), right("max ULP outside floor"), right("p99 ULP"),
                         right("correctly rounded"), right("in floor region"), right("breaches"), {"claim"},
                         {"verdict"}}};
  for (const cdoc::BatchWithCases& batch : section.batches) {
    if (batch.batch.dtype != dtype) continue;
    for (const cdoc::Case& c : batch.cases) {
      report_table::Cell breaches = c.breaches ? flag(std::to_string(c.breaches)) : "0";
      if (c.semantic_violations)
        breaches.spans.insert(breaches.spans.end(),
                              {" + ", flag(std::to_string(c.semantic_violations)), " NaN/inf"});
      t.rows.push_back({{report_table::name(c.kernel), report_table::param(batch.batch.config.label),
                         report_text::ulp(c.max_ulp.value), report_text::ulp(c.max_ulp_above_floor.value),
                         report_text::ulp(c.p99_ulp.value), report_text::percent(c.fraction_correctly_rounded),
                         combine_count_share(c.in_floor_region, c.count), std::move(breaches),
                         report_table::math(claim_text(c.claim)), report_table::verdict(c.pass)},
                        !c.pass});
    }
  }
  return t;
}

report_table::Table placements(const cdoc::SectionWithBatches& section) {
  report_table::Table t{{{"kernel"}, {"where the factor goes, and the roundings its claim covers"}}};
  std::vector<std::string> seen;
  for (const cdoc::BatchWithCases& batch : section.batches)
    for (const cdoc::Case& c : batch.cases) {
      if (std::find(seen.begin(), seen.end(), c.kernel) != seen.end()) continue;
      seen.push_back(c.kernel);
      t.rows.push_back({{report_table::name(c.kernel), c.kernel_description}});
    }
  return t;
}

}  // namespace combine_tables

// --- Markdown ------------------------------------------------------------------------------

std::string render_combine_markdown(const nlohmann::json& section, int level) {
  const auto whole = section.get<cdoc::SectionWithBatches>();
  const cdoc::Section& s = whole.section;
  const cdoc::Summary& sum = s.summary;
  const std::string h(static_cast<std::size_t>(std::clamp(level, 1, 4)), '#');
  std::string out;
  if (whole.batches.empty()) {  // the MoE block alone
    if (section.contains("moe_blocks"))
      for (const nlohmann::json& block : section["moe_blocks"]) out += moe_block_markdown(moe_block_from_json(block)) + "\n";
    return out;
  }
  out += fmt::format("{} {}\n\n", h, s.op);
  out += fmt::format("- op: `{}`: {}\n", s.op, s.formula);
  out += fmt::format("- inputs: {} tokens per config and dtype; {} (seed {}); every kernel of a config and dtype runs "
                     "on the same inputs against the same exact sums\n",
                     s.tokens, s.inputs, s.seed);
  out += "- oracle: one exact MPFR sum per element, rounded once to the dtype\n\n";
  out += sum.pass ? fmt::format("**PASS**: all {} combine cases within their kernel's claim.\n\n", sum.cases)
                  : fmt::format("**FAIL**: {} of {} combine cases outside their kernel's claim.\n\n", sum.failed,
                                sum.cases);
  out += "An output y with exact value r passes when |y - r| <= max(max_ulp * ulp(r), relative * s + absolute), where "
         "s = rsf * sum_k |w_k y_k| + |shared| is the size of the terms: the roundings before the last one scale with "
         "the terms, not with their sum, so where the terms cancel r is small and only the floor can hold the error. "
         "Elements in the floor region are those where the floor is the larger bound; \"max ULP outside floor\" is "
         "the largest error of the others. Breaches are elements outside the claim (+ NaN/inf results where the "
         "exact sum is finite).\n\n";
  for (const std::string& dtype : combine_tables::dtypes(whole)) {
    out += fmt::format("{}# {}\n\n", h, dtype);
    out += report_table::render_markdown(combine_tables::cases(whole, dtype));
  }
  out += fmt::format("{}# Where each kernel puts the factor\n\n", h);
  out += "Each claim is derived from the roundings the kernel's placement of rsf makes before its last rounding "
         "(device/combine_variants.cpp): their count, times the unit of the format each rounds to, bounds the floor.\n\n";
  out += report_table::render_markdown(combine_tables::placements(whole));

  bool any_failure = false;
  for (const cdoc::BatchWithCases& batch : whole.batches)
    for (const cdoc::Case& c : batch.cases) {
      if (c.failure.empty()) continue;
      if (!any_failure) out += fmt::format("{}# Failing elements\n\n", h);
      any_failure = true;
      out += fmt::format("{} {}, `{}` (claim {}), its first failing element:\n\n```\n{}\n```\n\n", batch.batch.dtype,
                         batch.batch.config.label, c.kernel, combine_tables::claim_text(c.claim), c.failure);
    }
  if (section.contains("moe_blocks"))
    for (const nlohmann::json& block : section["moe_blocks"]) out += moe_block_markdown(moe_block_from_json(block)) + "\n";
  return out;
}

// --- HTML ----------------------------------------------------------------------------------

std::string render_combine_html(const nlohmann::json& section) {
  const auto whole = section.get<cdoc::SectionWithBatches>();
  const cdoc::Section& s = whole.section;
  const cdoc::Summary& sum = s.summary;
  std::string out = fmt::format("<h2 id=\"combine\">{}</h2>", html_escape(s.op));
  out += fmt::format("<section class=\"card\"><div class=\"head\"><h3>{}</h3>{}</div>", html_escape(s.op),
                     report_table::badge_html(sum.pass));
  out += "<dl class=\"facts\">";
  out += fmt::format("<dt>op</dt><dd><code>{}</code>: {}</dd>", html_escape(s.op), html_escape(s.formula));
  out += fmt::format("<dt>inputs</dt><dd>{} tokens per config and dtype; {} (seed {}); every kernel of a config and "
                     "dtype runs on the same inputs against the same exact sums</dd>",
                     s.tokens, report_table::pow_html(s.inputs), s.seed);
  out += "<dt>oracle</dt><dd>one exact MPFR sum per element, rounded once to the dtype</dd>";
  out += fmt::format("<dt>verdict</dt><dd>{} of {} cases within their kernel&#39;s claim</dd></dl>", sum.passed,
                     sum.cases);
  out += "<p class=\"muted\">An output y with exact value r passes when |y &minus; r| &le; max(max_ulp &middot; ulp(r), "
         "relative &middot; s + absolute), s = rsf &middot; &sum;<sub>k</sub> |w<sub>k</sub> y<sub>k</sub>| + |shared|: "
         "the roundings before the last scale with the terms, not with their sum. Elements in the floor region are "
         "those where the floor is the larger bound.</p>";
  for (const std::string& dtype : combine_tables::dtypes(whole)) {
    out += fmt::format("<h4>{}</h4>", html_escape(dtype));
    out += report_table::render_html(combine_tables::cases(whole, dtype));
  }
  out += "<h4>Where each kernel puts the factor</h4>";
  out += report_table::render_html(combine_tables::placements(whole));
  for (const cdoc::BatchWithCases& batch : whole.batches)
    for (const cdoc::Case& c : batch.cases)
      if (!c.failure.empty())
        out += fmt::format("<details open><summary>First failing element: {} {}, <code>{}</code></summary><pre>{}</pre>"
                           "</details>",
                           html_escape(batch.batch.dtype), html_escape(batch.batch.config.label), html_escape(c.kernel),
                           html_escape(c.failure));
  if (section.contains("moe_blocks"))
    for (const nlohmann::json& block : section["moe_blocks"])
      out += fmt::format("<pre>{}</pre>", html_escape(moe_block_markdown(moe_block_from_json(block))));
  return out + "</section>";
}

}  // namespace ulpcheck
