#include "ulpcheck/reports/html_report.hpp"

#include <fmt/format.h>

#include <cmath>

#include "reports/elementwise/approximation_tables.hpp"
#include "reports/elementwise/case_tables.hpp"
#include "reports/plots.hpp"
#include "reports/report_model.hpp"
#include "reports/report_text.hpp"
#include "reports/routing/routing_document.hpp"
#include "ulpcheck/reports/combine/combine_report.hpp"
#include "reports/routing/routing_tables.hpp"
#include "ulpcheck/properties/compare.hpp"
#include "ulpcheck/reference/routing.hpp"
#include "ulpcheck/support/escape.hpp"

namespace ulpcheck {

namespace {

// Light page, dark text; colours from one palette so that plots and tables agree. Fonts
// are the system's: nothing is fetched.
constexpr const char* kStyle = R"css(
:root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--soft:#f6f8fa;--pass:#1a7f37;--pass-bg:#dafbe1;
--fail:#cf222e;--fail-bg:#ffebe9;--accent:#0969da}
*{box-sizing:border-box}
body{margin:0;background:#eef1f4;color:var(--fg);
font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","DejaVu Sans",sans-serif}
main{max-width:1340px;margin:0 auto;padding:28px 20px 64px}
h1{font-size:28px;margin:0 0 6px;letter-spacing:-.01em}
h2{font-size:22px;margin:40px 0 8px}
h3{font-size:18px;margin:0}
h4{font-size:14px;margin:22px 0 8px}
a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}
.meta{color:var(--muted);margin:4px 0 14px;max-width:1000px}
.verdict{display:inline-block;padding:8px 16px;border-radius:8px;font-weight:650;font-size:15px}
.verdict.pass{background:var(--pass-bg);color:var(--pass)}.verdict.fail{background:var(--fail-bg);color:var(--fail)}
.card{background:#fff;border:1px solid var(--line);border-radius:10px;padding:20px 24px;margin:18px 0;
box-shadow:0 1px 3px rgba(31,35,40,.06)}
table{border-collapse:collapse;font-variant-numeric:tabular-nums}
th,td{padding:5px 10px;border-bottom:1px solid #eaeef2;text-align:left;vertical-align:top;white-space:nowrap}
th{font-weight:600;color:var(--muted);font-size:12.5px;background:var(--soft);border-bottom:1px solid var(--line);white-space:normal}
td.n,th.n{text-align:right}
tbody tr:hover td{background:#f6f8fa}
tr.fail td{background:#fff5f4}
table.elements td{white-space:normal}
.badge{display:inline-block;padding:1px 9px;border-radius:999px;font-size:12px;font-weight:700;letter-spacing:.03em}
.badge.pass{background:var(--pass-bg);color:var(--pass)}.badge.fail{background:var(--fail-bg);color:var(--fail)}
.badge.skip{background:#eaeef2;color:var(--muted)}
code{font:12.5px ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono",monospace;background:var(--soft);
padding:1px 4px;border-radius:4px}
.chip{display:inline-block;font-size:13px;font-weight:600;padding:1px 8px;border-radius:6px;background:#ddf4ff;
color:#0550ae;margin-left:6px;vertical-align:2px}
.chip.param{background:#fbefff;color:#6e40c9}
.kernel{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono",monospace;font-size:15px;
color:var(--muted);margin-left:10px}
.head{display:flex;align-items:center;justify-content:space-between;gap:16px;border-bottom:1px solid #eaeef2;
padding-bottom:10px;margin-bottom:10px}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:8px 0 16px;color:var(--fg)}
dl.facts dt{color:var(--muted)}dl.facts dd{margin:0}
.row{display:flex;flex-wrap:wrap;gap:20px 28px;align-items:flex-start}
.figures td:first-child{color:var(--muted)}
.figures td.big{font-weight:650}
figure{margin:0}
svg.plot{max-width:100%;height:auto;display:block}
svg text{font-family:inherit;fill:#1f2328;font-size:11px}
svg text.title{font-size:14px;font-weight:650}
svg text.sub,svg text.tick,svg text.axis{fill:#59636e}
svg text.tick{font-size:10.5px}
svg text.panel{font-weight:600;font-size:12px}
svg text.note{fill:#cf222e;font-weight:600}
details{margin:12px 0}summary{cursor:pointer;font-weight:600;margin-bottom:6px}
.scroll{overflow-x:auto;max-width:100%}
.muted{color:var(--muted)}
ul.skipped{margin:6px 0;padding-left:20px;color:var(--muted)}
footer{color:var(--muted);font-size:12px;margin-top:32px}
)css";

std::string esc(const std::string& s) { return html_escape(s); }

using report_table::pow_html;

std::string badge(bool pass) { return report_table::badge_html(pass); }

void ranges_table(std::string& out, const std::vector<case_document::RangeRow>& rows, const std::string& what) {
  out += report_table::render_html(case_tables::ranges(rows, what));
}

void element_table(std::string& out, const case_document::Case& c, const std::vector<case_document::Element>& rows) {
  out += report_table::render_html(case_tables::elements_of(c, rows));
}

std::string case_title(const case_document::Case& c) {
  return fmt::format("{}<span class=\"chip\">{}</span>{}<span class=\"kernel\">{}</span>", esc(c.op), esc(c.dtype),
                     c.params_label.empty() ? "" : "<span class=\"chip param\">" + esc(c.params_label) + "</span>",
                     esc(c.kernel));
}

/// A case's card.
void case_section(std::string& out, const case_document::Case& c, std::size_t index) {
  const bool gated = c.arity == 2;
  const case_document::Oracle& o = c.oracle;
  out += fmt::format("<section class=\"card\" id=\"case-{}\"><div class=\"head\"><h3>{}</h3>{}</div>", index,
                     case_title(c), badge(c.pass));
  out += "<dl class=\"facts\">";
  out += fmt::format("<dt>op</dt><dd><code>{}</code>: {}</dd>", esc(c.op), esc(c.formula));
  out += fmt::format("<dt>kernel</dt><dd><code>{}</code>: {}</dd>", esc(c.kernel), esc(c.kernel_description));
  out += fmt::format("<dt>inputs</dt><dd>{}, {}</dd>", esc(c.inputs), html_escape(case_document::calls_text(c)));
  out += fmt::format("<dt>oracle</dt><dd>{} special-value rules, {} double tier (proven bound), {} MPFR (Ziv's loop, "
                     "{} re-evaluations at higher precision)</dd>",
                     o.special, o.double_tier, o.mpfr_tier, o.mpfr_retries);
  out += fmt::format("<dt>budget</dt><dd>{}{}</dd>", pow_html(report_text::budget(c.budget)),
                     gated && c.budget.abs_floor.value > 0 ? " (floor scaled by |up|)" : "");
  out += "</dl>";
  out += "<div class=\"row\">";
  out += report_table::render_html(case_tables::figures(c));
  out += "<figure>" + plots::ulp_histogram_svg(c) + "</figure></div>";
  if (const std::string svg = plots::error_by_input_svg(c); !svg.empty())
    out += "<figure style=\"margin-top:18px\">" + svg + "</figure>";

  out += "<h4>Where the error lives</h4><p class=\"muted\">Outputs with a ULP figure, by ranges of the input and of "
         "the exact result: binades of like error merged (the plot above and the JSON report have every "
         "binade).</p>";
  out += "<div class=\"row\"><div>";
  ranges_table(out, c.ranges_input, gated ? "gate" : "x");
  out += "</div><div>";
  ranges_table(out, c.ranges_result, "|exact result|");
  out += "</div></div>";

  if (!c.breaches.empty()) {
    out += fmt::format("<h4>Budget breaches (first {} of {})</h4>", c.breaches.size(), c.budget_breaches);
    element_table(out, c, c.breaches);
  }
  if (!c.worst.empty()) {
    out += "<h4>Worst inputs outside the floor region</h4>";
    element_table(out, c, c.worst);
  }
  auto folded = [&](const char* title, const std::vector<case_document::Element>& rows, const std::string& note) {
    if (rows.empty()) return;
    out += fmt::format("<details><summary>{} ({})</summary>{}", title, rows.size(), note);
    element_table(out, c, rows);
    out += "</details>";
  };
  folded("Worst inputs in the floor region", c.worst_in_floor, "");
  folded("Semantic differences (NaN/inf)", c.semantic,
         fmt::format("<p class=\"muted\">First {} of {}. Differences that need an infinite input are reported, not "
                     "failed: t / (1 + e<sup>&minus;t</sup>) gives NaN for t = &minus;inf where the limit is "
                     "&minus;0.</p>",
                     c.semantic.size(), c.semantic_differences));
  if (!c.special_values.empty()) {
    out += fmt::format("<details><summary>Special values ({} classes of input)</summary>", c.special_values.size());
    out += report_table::render_html(case_tables::special_values(c));
    out += "</details>";
  }
  out += "</section>";
}

void approximation_section(std::string& out, const approximation_document::Section& s, std::size_t index) {
  const std::string &op = s.op, &exact = s.approximates;
  const bool gated = s.arity == 2;
  const approximation_document::RealDifference& real = s.real_difference;
  const bool symmetric = real.symmetric;
  const double x = real.x.value;
  out += fmt::format("<section class=\"card\" id=\"approximation-{}\"><div class=\"head\"><h3>{} vs {}</h3></div>",
                     index, esc(op), esc(exact));
  out += fmt::format("<p class=\"muted\"><code>{0}</code> approximates <code>{1}</code>: what running one where the "
                     "other is meant costs, on this report&#39;s inputs.</p>",
                     esc(op), esc(exact));
  out += "<dl class=\"facts\">";
  out += fmt::format("<dt>{}</dt><dd>{}</dd>", esc(exact), esc(s.approximates_formula));
  out += fmt::format("<dt>{}</dt><dd>{}</dd>", esc(op), esc(s.formula));
  out += fmt::format("<dt>real functions</dt><dd>max |{} &minus; {}| = <strong>{}</strong>{} at {} = {}{} ({} {} {} "
                     "there); sought over [&minus;{:g}, {:g}] to a step of 2<sup>{}</sup></dd>",
                     esc(op), esc(exact), html_escape(fmt::format("{:.4e}", real.max_abs_difference.value)),
                     gated ? " per unit of up" : "", gated ? "gate" : "x", symmetric ? "&plusmn;" : "",
                     html_escape(fmt::format("{:.6g}", symmetric ? std::fabs(x) : x)), esc(op),
                     real.difference.value > 0 ? "above" : "below", esc(exact), real.radius.value, real.radius.value,
                     std::ilogb(real.step.value));
  out += "</dl>";
  std::string floors;
  for (const approximation_document::Dtype& d : s.dtypes) {
    const double a = d.abs_floor.value;
    floors += fmt::format("{}{} {}", floors.empty() ? "" : ", ", esc(d.dtype),
                          a > 0 && std::isfinite(a) ? pow_html(fmt::format("2^{}", std::ilogb(a)))
                                                    : html_escape(fmt::format("{:g}", a)));
  }
  out += fmt::format("<h4>Correctly rounded results</h4><p class=\"muted\">How often <code>{0}</code> and "
                     "<code>{1}</code> round to different values, and how far the correctly rounded <code>{0}</code> "
                     "is from the exact <code>{1}</code>, in ULP of the exact <code>{1}</code> (where they round alike, "
                     "at most 0.5). The floor region is where |exact <code>{1}</code>| is below <code>{1}</code>&#39;s "
                     "budget floor{2} ({3}): the negative tail and inputs near 0.</p>",
                     esc(op), esc(exact), gated ? " times |up|" : "", floors);
  out += report_table::render_html(approximation_tables::rounded(s));
  for (const approximation_document::Dtype& d : s.dtypes) {
    const std::string what = esc(d.dtype) + (d.params_label.empty() ? "" : ", " + esc(d.params_label));
    if (const std::string svg = plots::difference_by_input_svg(d.rounded.binades_input, gated); !svg.empty())
      out += fmt::format("<h4>{}: correctly rounded <code>{}</code> against exact <code>{}</code></h4><figure>{}"
                         "</figure>",
                         what, esc(op), esc(exact), svg);
    if (d.kernel_pairs.empty()) continue;
    out += fmt::format("<h4>{}: kernels</h4><p class=\"muted\">The output of each <code>{}</code> kernel (row) against "
                       "each <code>{}</code> kernel (column) on the same inputs: the share of outputs that differ, and "
                       "the largest difference |a &minus; b| in ULP of the exact <code>{}</code>, over all outputs and "
                       "outside the floor region.</p>",
                       what, esc(exact), esc(op), esc(exact));
    out += report_table::render_html(approximation_tables::kernels(s, d));
  }
  out += "</section>";
}

std::string bias_html(const routing_document::Batch& b) { return report_table::cell_html(routing_tables::bias(b)); }

void routing_study(std::string& out, const routing_document::Section& section, const routing_document::Study& s) {
  out += "<section class=\"card\" id=\"routing-study\"><div class=\"head\"><h3>Precision study: rounding the logits "
         "and the bias</h3></div>";
  out += fmt::format("<p class=\"muted\">Logits ({}) and bias drawn in fp32; the exact routing of those fp32 inputs "
                     "is the truth. Each (logits, bias) pair rounds them first, to nearest even, then routes them "
                     "with the oracle (what the rounding alone does) and with <code>{}</code> (what a kernel then "
                     "picks). Share of the {} tokens whose expert set differs from the truth; {}.</p>",
                     pow_html(section.logits), esc(s.kernel), section.tokens, esc(section.config.label));
  out += report_table::render_html(routing_tables::input_rounding(s));

  out += fmt::format("<h4>Casting the bias once or on every call {}</h4>", badge(s.holds));
  out += fmt::format("<p class=\"muted\"><code>{}</code> on the fp32 logits, in calls of {} tokens, two ways: the "
                     "fp32 bias cast once, before the calls, and cast inside every call to that call&#39;s target "
                     "dtype (the gate&#39;s output dtype). While the target stays the dtype cast to once, the two "
                     "must route bit for bit alike; where it alternates between fp32 and bf16 (engines that switch "
                     "the gate&#39;s output dtype by batch size), the bias cast once to bf16 is wrong on every fp32 "
                     "call.</p>",
                     esc(s.kernel), s.call_tokens);
  out += report_table::render_html(routing_tables::bias_cast(s));
  out += "<h4>Tokens whose expert set flips between the bias in fp32 and in bf16</h4>";
  out += report_table::render_html(routing_tables::flips(s));
  for (const routing_document::StudyBias& b : s.biases)
    for (const routing_document::BiasCast& run : b.bias_cast)
      if (!run.first_difference.empty() && run.targets.size() == 1)
        out += fmt::format("<details open><summary>First difference, {}</summary><pre>{}</pre></details>",
                           esc(b.bias_name), esc(run.first_difference));
  out += "</section>";
}

void routing_section(std::string& out, const nlohmann::json& section) {
  const auto whole = section.get<routing_document::SectionWithBatches>();
  const routing_document::Section& s = whole.section;
  const routing_document::Summary& sum = s.summary;
  out += fmt::format("<h2 id=\"routing\">{}</h2>", esc(s.op));
  out += fmt::format("<section class=\"card\"><div class=\"head\"><h3>{}<span class=\"chip param\">{}</span></h3>{}</div>",
                     esc(s.op), esc(s.config.label), badge(sum.pass));
  std::int64_t comparisons = 0, dbl = 0, ties = 0, mpfr = 0;
  for (const routing_document::BatchWithCases& b : whole.batches) {
    comparisons += b.batch.oracle.comparisons;
    dbl += b.batch.oracle.double_tier;
    ties += b.batch.oracle.exact_ties;
    mpfr += b.batch.oracle.mpfr_tier;
  }
  out += "<dl class=\"facts\">";
  out += fmt::format("<dt>op</dt><dd><code>{}</code>: {}</dd>", esc(s.op), esc(s.formula));
  out += fmt::format("<dt>config</dt><dd>{}</dd>", esc(s.config.label));
  out += fmt::format("<dt>inputs</dt><dd>{} tokens per batch; logits {} and the bias drawn in fp32 (seed {}), then "
                     "rounded to the batch&#39;s dtypes; every kernel of a batch runs on the same inputs against the "
                     "same exact routing</dd>",
                     s.tokens, pow_html(s.logits), html_escape(std::to_string(s.seed)));
  out += fmt::format("<dt>oracle</dt><dd>{} comparisons: {} double tier (proven bound), {} exact ties, {} MPFR</dd>",
                     comparisons, dbl, ties, mpfr);
  out += fmt::format("<dt>verdict</dt><dd>{} of {} cases within their kernel&#39;s claim</dd>", sum.passed, sum.cases);
  out += "</dl>";
  out += "<p class=\"muted\">Routing errors are different expert sets with no near-tie to explain them; near-ties "
         "are different sets where the exact margin at a boundary lies within the tie band of the kernel&#39;s "
         "arithmetic. Weights in fp32 ULP of the exact weight, on tokens routed alike and outside the weight floor.</p>";
  out += report_table::render_html(routing_tables::cases(whole));
  out += "<h4>Decision margins</h4><p class=\"muted\">The oracle&#39;s exact margins per token: between the last kept "
         "and the best dropped group score, and between the last picked and the best unpicked biased score. A kernel "
         "computing in fp32 resolves gaps down to about 2 ulps of |b| (2<sup>&minus;22</sup> at |b| near 3).</p>";
  out += "<div class=\"row\">";
  for (const routing_document::BatchWithCases& batch : whole.batches) {
    const routing_document::Batch& b = batch.batch;
    out += fmt::format("<figure><figcaption>{} logits, {} {} bias</figcaption>{}</figure>", esc(b.logits_dtype),
                       esc(b.bias_dtype), bias_html(b), plots::margin_histogram_svg(b.margin_histogram));
  }
  out += "</div>";
  for (const routing_document::BatchWithCases& batch : whole.batches)
    for (const routing_document::Case& k : batch.cases) {
      if (k.failures.empty()) continue;
      std::string text;
      for (const std::string& f : k.failures) text += f;
      out += fmt::format("<details open><summary>Failing tokens: {} logits, {} bias, <code>{}</code></summary><pre>{}"
                         "</pre></details>",
                         esc(batch.batch.logits_dtype), esc(batch.batch.bias_dtype), esc(k.kernel), esc(text));
    }
  out += "</section>";
  if (whole.precision_study) routing_study(out, s, *whole.precision_study);
}

}  // namespace

std::string render_report_html(const nlohmann::json& doc_json) {
  const auto doc = doc_json.get<report_model::Document>();
  const std::vector<case_document::Case>& cases = doc.cases;
  const report_model::Summary& sum = doc.summary;
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">";
  const bool routing = doc.has_routing();
  std::string title = "Precision report";
  if (cases.size() == 1 && !routing) title += fmt::format(": {} / {} / {}", cases[0].op, cases[0].dtype, cases[0].kernel);
  out += fmt::format("<title>{} · ulpcheck</title><style>{}</style></head><body><main>", esc(title), kStyle);
  out += fmt::format("<header><h1>{}</h1>", esc(title));
  const std::int64_t n = sum.cases, failed = sum.failed, not_run = sum.did_not_run;
  out += fmt::format("<p class=\"meta\">{} case{}.", n, n == 1 ? "" : "s");
  if (!cases.empty())
    out += fmt::format(" Unary ops in a 16-bit dtype on all 65536 values, everything else on {} uniformly random bit "
                       "patterns (seed {}); every kernel of an op, dtype and parameter set runs on the same inputs "
                       "against the same correctly rounded oracle answers. Errors are in ULP of the exact result.",
                       doc.settings.samples, doc.settings.seed);
  if (routing) {
    const auto rs = doc.routing->get<routing_document::Section>();
    out += fmt::format(" <a href=\"#routing\">{}</a>: {} tokens per batch drawn like real gates, against the exact "
                       "routing.",
                       esc(rs.op), rs.tokens);
  }
  out += "</p>";
  if (sum.pass && n == 1)
    out += "<div class=\"verdict pass\">PASS &mdash; within the kernel&#39;s budget</div>";
  else if (sum.pass)
    out += fmt::format("<div class=\"verdict pass\">PASS &mdash; all {} cases within their kernel&#39;s budget</div>", n);
  else if (n == 1 && failed == 1)
    out += "<div class=\"verdict fail\">FAIL &mdash; outside the kernel&#39;s budget</div>";
  else if (failed == 0 && not_run == 0)
    out += "<div class=\"verdict fail\">FAIL &mdash; casting the routing bias once and on every call differ</div>";
  else
    out += fmt::format("<div class=\"verdict fail\">FAIL &mdash; {} of {} cases breach their kernel&#39;s budget{}</div>",
                       failed, n, not_run ? fmt::format("; {} did not run", not_run) : "");
  out += "</header>";

  if (cases.size() > 1 || (!cases.empty() && routing) || !doc.skipped.empty()) {
    out += "<section class=\"card\"><h3>Summary</h3>";
    if (!cases.empty()) out += report_table::render_html(case_tables::summary(cases));
    if (!doc.skipped.empty()) {
      out += "<h4>Not measured</h4><ul class=\"skipped\">";
      for (const report_model::Skipped& s : doc.skipped)
        out += fmt::format("<li>{} {} {}<code>{}</code>: {}{}</li>", esc(s.dtype), esc(s.op),
                           s.params_label.empty() ? "" : esc(s.params_label) + " ", esc(s.kernel),
                           s.did_not_run ? "<strong>did not run</strong>: " : "", esc(s.reason));
      out += "</ul>";
    }
    out += "</section>";
  }
  for (std::size_t i = 0; i < doc.approximations.size(); ++i) approximation_section(out, doc.approximations[i], i + 1);
  if (routing) routing_section(out, *doc.routing);
  if (doc.has_combine()) out += render_combine_html(*doc.combine);

  for (std::size_t i = 0; i < cases.size(); ++i) {
    const case_document::Case& c = cases[i];
    if ((cases.size() > 1 || routing) && (i == 0 || cases[i - 1].dtype != c.dtype))
      out += fmt::format("<h2>{}</h2>", esc(c.dtype));
    case_section(out, c, i + 1);
  }
  out += "<footer>Written by ulpcheck report. Plots and tables are drawn from the report&#39;s JSON; 'ulpcheck report "
         "--format json' gives every binade.</footer></main></body></html>\n";
  return out;
}

}  // namespace ulpcheck
