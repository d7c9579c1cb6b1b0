#include "ulpcheck/reports/report_document.hpp"

#include <fmt/format.h>

#include <initializer_list>
#include <string_view>

#include "reports/elementwise/case_tables.hpp"
#include "reports/report_check.hpp"
#include "reports/report_model.hpp"
#include "reports/report_text.hpp"
#include "reports/combine/combine_document.hpp"
#include "reports/routing/routing_document.hpp"
#include "ulpcheck/reports/elementwise/approximation_report.hpp"
#include "ulpcheck/reports/elementwise/precision_report.hpp"
#include "ulpcheck/reports/combine/combine_report.hpp"
#include "ulpcheck/reports/routing/routing_report.hpp"

namespace ulpcheck {

nlohmann::json report_document(std::vector<nlohmann::json> cases, const std::vector<SkippedCase>& skipped,
                               const ReportSettings& settings, std::vector<nlohmann::json> approximations,
                               std::optional<nlohmann::json> routing, std::optional<nlohmann::json> combine) {
  report_model::Document doc{kReportSchema, kReportVersion, {settings.seed, settings.samples}, {}, {}, {}, {}, {}, {}};
  std::int64_t passed = 0, did_not_run = 0, routing_cases = 0;
  bool routing_pass = true;
  std::int64_t combine_cases = 0;
  bool combine_pass = true;
  if (combine) {
    const auto cs = combine->at("summary").get<combine_document::Summary>();
    combine_cases = cs.cases;
    passed += cs.passed;
    combine_pass = cs.pass;
  }
  for (const nlohmann::json& c : cases) {
    doc.cases.push_back(c.get<case_document::Case>());
    passed += doc.cases.back().pass;
  }
  if (routing) {
    const auto rs = routing->at("summary").get<routing_document::Summary>();
    routing_cases = rs.cases;
    passed += rs.passed;
    routing_pass = rs.pass;
  }
  for (const SkippedCase& s : skipped) {
    did_not_run += s.did_not_run;
    doc.skipped.push_back({s.op, s.dtype, s.params_label, s.kernel, s.reason, s.did_not_run});
  }
  const auto n = static_cast<std::int64_t>(cases.size()) + routing_cases + combine_cases;
  const bool pass = passed == n && did_not_run == 0 && routing_pass && combine_pass;
  doc.summary = {n, passed, n - passed, static_cast<std::int64_t>(skipped.size()), did_not_run, pass,
                 pass ? "PASS" : "FAIL"};
  for (const nlohmann::json& a : approximations) doc.approximations.push_back(a.get<approximation_document::Section>());
  doc.routing = std::move(routing);
  doc.combine = std::move(combine);
  return doc;
}

// --- checking a document read from a file ------------------------------------------------

namespace {

using report_check::check_fields;
using report_check::check_rows;
using report_check::Field;
using report_check::Kind;

std::string check_case(const nlohmann::json& c, const std::string& at) {
  if (!c.is_object()) return fmt::format("{}: expected an object", at);
  std::string where = at;
  if (c.contains("op") && c.contains("dtype") && c.contains("kernel"))
    where = fmt::format("{} ({} {} {})", at, c["op"].dump(), c["dtype"].dump(), c["kernel"].dump());
  std::string p = check_fields(
      c, where,
      {{"op", Kind::string}, {"formula", Kind::string}, {"arity", Kind::integer}, {"dtype", Kind::string},
       {"kernel", Kind::string}, {"kernel_description", Kind::string}, {"params", Kind::object},
       {"params_label", Kind::string}, {"inputs", Kind::string}, {"shape", Kind::array}, {"budget", Kind::object},
       {"oracle", Kind::object}, {"count", Kind::integer}, {"numeric", Kind::integer}, {"max_ulp", Kind::number},
       {"max_ulp_above_floor", Kind::number}, {"correctly_rounded", Kind::integer},
       {"fraction_correctly_rounded", Kind::number}, {"above_floor", Kind::integer},
       {"correctly_rounded_above_floor", Kind::integer}, {"fraction_correctly_rounded_above_floor", Kind::number},
       {"off_by_one_ulp", Kind::integer}, {"fraction_off_by_one_ulp", Kind::number},
       {"in_floor_region", Kind::integer}, {"semantic_differences", Kind::integer},
       {"semantic_violations", Kind::integer}, {"budget_breaches", Kind::integer}, {"p50_ulp", Kind::number},
       {"p99_ulp", Kind::number}, {"p99_9_ulp", Kind::number}, {"pass", Kind::boolean}, {"verdict", Kind::string},
       {"binades_input", Kind::array}, {"binades_result", Kind::array}, {"ranges_input", Kind::array},
       {"ranges_result", Kind::array}, {"special_values", Kind::array}, {"ulp_histogram", Kind::array},
       {"worst", Kind::array}, {"worst_in_floor", Kind::array}, {"semantic", Kind::array},
       {"breaches", Kind::array}});
  if (!p.empty()) return p;
  if (const int a = c["arity"].get<int>(); a != 1 && a != 2) return fmt::format("{}: \"arity\" is {}, expected 1 or 2", where, a);
  if (c["shape"].size() != 2 || !c["shape"][0].is_number_integer() || !c["shape"][1].is_number_integer())
    return fmt::format("{}: \"shape\" must be [rows, columns]", where);
  if (c.contains("calls") && !report_text::is_calls(c["calls"]))
    return fmt::format("{}: \"calls\" must be [[rows, columns], ...], one per kernel call", where);
  if (p = check_fields(c["budget"], where + ".budget", {{"max_ulp", Kind::number}, {"abs_floor", Kind::number}});
      !p.empty())
    return p;
  if (p = check_fields(c["oracle"], where + ".oracle",
                       {{"special", Kind::integer}, {"double_tier", Kind::integer}, {"mpfr_tier", Kind::integer},
                        {"mpfr_retries", Kind::integer}});
      !p.empty())
    return p;
  const std::initializer_list<Field> binade_fields{{"binade", Kind::number}, {"count", Kind::integer},
                                                   {"max_ulp", Kind::number}, {"max_ulp_above_floor", Kind::number},
                                                   {"p99_ulp", Kind::number}, {"not_correctly_rounded", Kind::integer},
                                                   {"in_floor_region", Kind::integer}, {"breaches", Kind::integer}};
  const std::initializer_list<Field> range_fields{
      {"label", Kind::string},         {"count", Kind::integer},   {"max_ulp", Kind::number},
      {"max_ulp_above_floor", Kind::number}, {"p99_ulp", Kind::number}, {"not_correctly_rounded", Kind::integer},
      {"in_floor_region", Kind::integer}, {"breaches", Kind::integer}};
  const bool gated = c["arity"] == 2;
  auto element_fields = [&]() -> std::initializer_list<Field> {
    static const std::initializer_list<Field> unary{
        {"row", Kind::integer},          {"col", Kind::integer},         {"x0_bits", Kind::string},
        {"x0", Kind::number},            {"got_bits", Kind::string},     {"got", Kind::number},
        {"exact_hi", Kind::number},      {"correctly_rounded_bits", Kind::string}, {"correctly_rounded", Kind::number},
        {"semantics", Kind::string},     {"semantic_violation", Kind::boolean},    {"within_budget", Kind::boolean}};
    static const std::initializer_list<Field> binary{
        {"row", Kind::integer},          {"col", Kind::integer},         {"x0_bits", Kind::string},
        {"x0", Kind::number},            {"x1_bits", Kind::string},      {"x1", Kind::number},
        {"got_bits", Kind::string},      {"got", Kind::number},          {"exact_hi", Kind::number},
        {"correctly_rounded_bits", Kind::string}, {"correctly_rounded", Kind::number}, {"semantics", Kind::string},
        {"semantic_violation", Kind::boolean},    {"within_budget", Kind::boolean}};
    return gated ? binary : unary;
  };
  // "binade" is an exponent or one of the strings "zero", "underflow", "non-finite":
  // Kind::number takes none of them, so binade rows check it apart.
  for (const char* key : {"binades_input", "binades_result"}) {
    std::size_t i = 0;
    for (const nlohmann::json& row : c[key]) {
      const std::string at_row = fmt::format("{}.{}[{}]", where, key, i++);
      if (!row.is_object() || !row.contains("binade") ||
          !(row["binade"].is_number_integer() || row["binade"] == "zero" || row["binade"] == "underflow" ||
            row["binade"] == "non-finite"))
        return fmt::format("{}: \"binade\" must be an integer, \"zero\", \"underflow\" or \"non-finite\"", at_row);
      nlohmann::json copy = row;
      copy["binade"] = 0;
      if (p = check_fields(copy, at_row, binade_fields); !p.empty()) return p;
    }
  }
  // A range row is a region ("binade": "zero", ...) or a range of binades ("binade_lo" and
  // "binade_hi", integers): the diff reads one or the other.
  for (const char* key : {"ranges_input", "ranges_result"}) {
    if (p = check_rows(c, key, where, range_fields); !p.empty()) return p;
    std::size_t i = 0;
    for (const nlohmann::json& row : c[key]) {
      const std::string at_row = fmt::format("{}.{}[{}]", where, key, i++);
      if (row.contains("binade")) {
        if (!row["binade"].is_string()) return fmt::format("{}: \"binade\" is {}, expected a string", at_row, row["binade"].type_name());
      } else if (p = check_fields(row, at_row, {{"binade_lo", Kind::integer}, {"binade_hi", Kind::integer}}); !p.empty()) {
        return p;
      }
    }
  }
  if (p = check_rows(c, "ulp_histogram", where,
                     {{"lo", Kind::number}, {"hi", Kind::number}, {"count", Kind::integer},
                      {"in_floor_region", Kind::integer}});
      !p.empty())
    return p;
  if (p = check_rows(c, "special_values", where,
                     gated ? std::initializer_list<Field>{{"gate", Kind::string}, {"up", Kind::string},
                                                          {"count", Kind::integer},
                                                          {"semantic_differences", Kind::integer},
                                                          {"breaches", Kind::integer}}
                           : std::initializer_list<Field>{{"x", Kind::string}, {"count", Kind::integer},
                                                          {"semantic_differences", Kind::integer},
                                                          {"breaches", Kind::integer}});
      !p.empty())
    return p;
  for (const char* key : {"worst", "worst_in_floor", "semantic", "breaches"})
    if (p = check_rows(c, key, where, element_fields()); !p.empty()) return p;
  // What the fields' kinds leave open (a value the typed case reads differently), as the
  // diff reads it: a document accepted here is one the diff can read.
  try {
    (void)c.get<case_document::Case>();
  } catch (const nlohmann::json::exception& e) {
    return fmt::format("{}: {}", where, e.what());
  }
  return {};
}

}  // namespace

std::string check_report(const nlohmann::json& doc) {
  if (!doc.is_object()) return fmt::format("expected a JSON object (an ulpcheck report), found {}", doc.type_name());
  if (!doc.contains("schema") || doc["schema"] != kReportSchema)
    return fmt::format("not an ulpcheck report: \"schema\" is {}, expected \"{}\" (write one with 'ulpcheck report "
                       "--format json')",
                       doc.contains("schema") ? doc["schema"].dump() : "missing", kReportSchema);
  if (!doc.contains("version") || !doc["version"].is_number_integer() || doc["version"] != kReportVersion)
    return fmt::format("report schema version {}, this ulpcheck reads version {}; write both reports with the same "
                       "ulpcheck",
                       doc.contains("version") ? doc["version"].dump() : "missing", kReportVersion);
  if (std::string p = check_fields(doc, "report", {{"settings", Kind::object}, {"summary", Kind::object},
                                                   {"cases", Kind::array}, {"skipped", Kind::array}});
      !p.empty())
    return p;
  if (std::string p = check_fields(doc["settings"], "settings", {{"seed", Kind::integer}, {"samples", Kind::integer}});
      !p.empty())
    return p;
  if (std::string p = check_fields(doc["summary"], "summary",
                                   {{"cases", Kind::integer}, {"passed", Kind::integer}, {"failed", Kind::integer},
                                    {"skipped", Kind::integer}, {"did_not_run", Kind::integer}, {"pass", Kind::boolean},
                                    {"verdict", Kind::string}});
      !p.empty())
    return p;
  std::size_t i = 0;
  for (const nlohmann::json& c : doc["cases"])
    if (std::string p = check_case(c, fmt::format("cases[{}]", i++)); !p.empty()) return p;
  if (doc.contains("approximations")) {
    if (!doc["approximations"].is_array())
      return fmt::format("report: \"approximations\" is {}, expected an array", doc["approximations"].type_name());
    i = 0;
    for (const nlohmann::json& a : doc["approximations"])
      if (std::string p = check_approximation_section(a, fmt::format("approximations[{}]", i++)); !p.empty()) return p;
  }
  if (doc.contains("routing") && !doc["routing"].is_null())
    if (std::string p = check_routing_section(doc["routing"]); !p.empty()) return p;
  if (doc.contains("combine") && !doc["combine"].is_null())
    if (std::string p = check_combine_section(doc["combine"]); !p.empty()) return p;
  i = 0;
  for (const nlohmann::json& s : doc["skipped"])
    if (std::string p = check_fields(s, fmt::format("skipped[{}]", i++),
                                     {{"op", Kind::string}, {"dtype", Kind::string}, {"params_label", Kind::string},
                                      {"kernel", Kind::string}, {"reason", Kind::string},
                                      {"did_not_run", Kind::boolean}});
        !p.empty())
      return p;
  return {};
}

// --- JSON text -----------------------------------------------------------------------------

namespace {

std::string scalar_text(const nlohmann::json& j) {
  // Invalid UTF-8 (a plugin's description, say) is replaced rather than thrown on.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

bool flat(const nlohmann::json& j) {
  for (const nlohmann::json& v : j)
    if (v.is_structured()) return false;
  return true;
}

void write_json(std::string& out, const nlohmann::json& j, int indent) {
  if (!j.is_structured()) {
    out += scalar_text(j);
    return;
  }
  const bool object = j.is_object();
  if (j.empty()) {
    out += object ? "{}" : "[]";
    return;
  }
  if (flat(j)) {
    out += object ? '{' : '[';
    bool first = true;
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (!first) out += ", ";
      first = false;
      if (object) out += scalar_text(it.key()) + ": ";
      out += scalar_text(*it);
    }
    out += object ? '}' : ']';
    return;
  }
  const std::string pad(static_cast<std::size_t>(indent + 2), ' ');
  out += object ? "{\n" : "[\n";
  bool first = true;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (!first) out += ",\n";
    first = false;
    out += pad;
    if (object) out += scalar_text(it.key()) + ": ";
    write_json(out, *it, indent + 2);
  }
  out += '\n';
  out += std::string(static_cast<std::size_t>(indent), ' ');
  out += object ? '}' : ']';
}

}  // namespace

std::string report_json_text(const nlohmann::json& doc) {
  std::string out;
  write_json(out, doc, 0);
  out += '\n';
  return out;
}

// --- Markdown ------------------------------------------------------------------------------

namespace {

/// Same op, dtype and parameters: cases measured on the same inputs and oracle answers.
bool same_group(const case_document::Case& a, const case_document::Case& b) {
  return a.op == b.op && a.dtype == b.dtype && a.params_label == b.params_label;
}

/// The cases asked for but not measured, as a list; empty for none.
std::string not_measured(const std::vector<report_model::Skipped>& skipped) {
  if (skipped.empty()) return {};
  std::string out = "Not measured:\n\n";
  for (const report_model::Skipped& s : skipped)
    out += fmt::format("- {} {} {}{}: {}{}\n", s.dtype, s.op, s.params_label.empty() ? "" : s.params_label + " ",
                       s.kernel, s.did_not_run ? "**did not run**: " : "", s.reason);
  return out + '\n';
}

}  // namespace

std::string render_report_markdown(const nlohmann::json& doc_json) {
  const auto doc = doc_json.get<report_model::Document>();
  const std::vector<case_document::Case>& cases = doc.cases;
  const bool routing = doc.has_routing(), combine = doc.has_combine();
  if (cases.size() == 1 && doc.skipped.empty() && doc.approximations.empty() && !routing && !combine)
    return render_case_markdown(doc_json.at("cases")[0], 1);

  const report_model::Summary& sum = doc.summary;
  std::string out = "# Precision report\n\n";
  if (sum.pass)
    out += fmt::format("**PASS**: all {} cases within their kernel's budget.\n\n", sum.cases);
  else if (sum.failed == 0 && sum.did_not_run == 0)
    out += fmt::format("**FAIL**: all {} cases within their kernel's budget, but casting the routing bias once and on "
                       "every call differ (see {}).\n\n",
                       sum.cases, kRoutingOpName);
  else
    out += fmt::format("**FAIL**: {} of {} cases breach their kernel's budget{}.\n\n", sum.failed, sum.cases,
                       sum.did_not_run ? fmt::format("; {} did not run", sum.did_not_run) : "");
  if (cases.empty()) {  // a report of routing alone
    out += not_measured(doc.skipped);
    if (routing) out += render_routing_markdown(*doc.routing, 2);
    if (combine) out += render_combine_markdown(*doc.combine, 2);
    return out;
  }
  out += fmt::format("Inputs: unary ops in a 16-bit dtype on all 65536 values, everything else on {} uniformly random "
                     "bit patterns (seed {}); every kernel of a case is measured on the same inputs against the same "
                     "oracle answers. Figures in ULP of the exact result.\n\n",
                     doc.settings.samples, doc.settings.seed);

  out += "## Summary\n\n";
  out += report_table::render_markdown(case_tables::summary(cases));
  out += not_measured(doc.skipped);
  for (const approximation_document::Section& a : doc.approximations)
    out += render_approximation_markdown(nlohmann::json(a), 2);
  if (routing) out += render_routing_markdown(*doc.routing, 2);
  if (combine) out += render_combine_markdown(*doc.combine, 2);

  for (std::size_t i = 0; i < cases.size(); ++i) {
    const case_document::Case& c = cases[i];
    if (i == 0 || cases[i - 1].dtype != c.dtype) out += fmt::format("## {}\n\n", c.dtype);
    if (i == 0 || !same_group(cases[i - 1], c)) {
      const case_document::Oracle& o = c.oracle;
      out += fmt::format("### {}{}, {}\n\n", c.op, c.params_label.empty() ? "" : ", " + c.params_label, c.dtype);
      out += fmt::format("- op: `{}`: {}\n", c.op, c.formula);
      out += fmt::format("- inputs: {}, {}\n", c.inputs, case_document::calls_text(c));
      out += fmt::format("- oracle: {} special-value rules, {} double tier (proven bound), {} MPFR (Ziv's loop, {} "
                         "re-evaluations at higher precision)\n\n",
                         o.special, o.double_tier, o.mpfr_tier, o.mpfr_retries);
    }
    out += render_case_markdown(doc_json.at("cases")[i], 4, false);
  }
  return out;
}

nlohmann::json report_document(const ReportResults& results) {
  DocumentParts parts;
  for (const FamilyReport& family : results.families)
    std::visit([&](const auto& report) { section_parts(parts, report); }, family);
  return report_document(std::move(parts.cases), results.skipped, results.settings, std::move(parts.approximations),
                         std::move(parts.routing), std::move(parts.combine));
}

}  // namespace ulpcheck
