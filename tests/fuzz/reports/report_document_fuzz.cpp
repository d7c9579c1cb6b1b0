// libFuzzer harness of the report JSON reader: what `ulpcheck report --diff OLD NEW` does
// with the two files (parse, check_report, diff_reports, then the diff as JSON and as
// Markdown).
//
// The input is one report document, or two separated by a NUL byte (which JSON text cannot
// hold): old, then new. One document is diffed against itself, against an empty report and
// the empty report against it, so that matched, removed and added cases are all rendered.
//
// Text that is not JSON (a parse_error), a number beyond double's range (out_of_range, as
// the command's reader also takes it) and a document check_report refuses are the expected
// answers to bad input. Anything else is a finding: a crash, a sanitizer report, an
// exception escaping from check_report, or from the diff and its rendering of documents
// check_report accepted (the command would exit 3, an internal error, where it promises
// exit 2 naming the file).
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <vector>

#include "ulpcheck/reports/report_diff.hpp"
#include "ulpcheck/reports/report_document.hpp"

namespace {

using namespace ulpcheck;

/// The document in `text`, when it parses and check_report accepts it.
std::optional<nlohmann::json> report_in(const std::uint8_t* begin, const std::uint8_t* end) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(begin, end);
  } catch (const nlohmann::json::parse_error&) {
    return std::nullopt;
  } catch (const nlohmann::json::out_of_range&) {  // a number beyond double's range
    return std::nullopt;
  }
  if (!check_report(doc).empty()) return std::nullopt;
  return doc;
}

void diff_and_render(const nlohmann::json& old_doc, const nlohmann::json& new_doc) {
  const ReportDiff d = diff_reports(old_doc, new_doc, "old.json", "new.json");
  report_json_text(d.json);
  render_diff_markdown(d.json);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::uint8_t* end = data + size;
  const std::uint8_t* nul = std::find(data, end, std::uint8_t{0});
  const std::optional<nlohmann::json> first = report_in(data, nul);
  if (!first) return 0;
  if (nul != end) {
    const std::optional<nlohmann::json> second = report_in(nul + 1, end);
    if (second) diff_and_render(*first, *second);
    return 0;
  }
  static const nlohmann::json empty = report_document({}, {}, ReportSettings{});
  diff_and_render(*first, *first);
  diff_and_render(empty, *first);
  diff_and_render(*first, empty);
  return 0;
}
