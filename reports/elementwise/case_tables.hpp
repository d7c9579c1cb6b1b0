// The tables of elementwise cases, built once from typed case objects (case_document.hpp)
// and written by the Markdown and the HTML alike. Internal to reports/.
#pragma once

#include <string>
#include <vector>

#include "reports/elementwise/case_document.hpp"
#include "reports/table.hpp"

namespace ulpcheck::case_tables {

/// The summary of many cases: dtype, op, parameters, kernel (linking to "#case-N" in
/// HTML, N counted from 1), budget, max ULP, max ULP outside the floor region, correctly
/// rounded, p99, breaches and verdict.
report_table::Table summary(const std::vector<case_document::Case>& cases);

/// A case's headline figures, a row each: max ULP error (all outputs and outside the floor
/// region, large in HTML), correctly rounded, off by >= 1 ULP, in the floor region, the
/// percentiles, semantic differences, budget breaches and compliance. Markdown, read as text
/// in a pull request, lists the percentiles after the semantic differences and ends with the
/// verdict; HTML sets the values as numbers.
report_table::Table figures(const case_document::Case& c);

/// A case's "ranges_input" or "ranges_result" rows; `what` heads the range column.
report_table::Table ranges(const std::vector<case_document::RangeRow>& rows, const std::string& what);

/// A case's "special_values" rows.
report_table::Table special_values(const case_document::Case& c);

/// Element rows ("worst", "breaches", ...): position (with `with_call`, the kernel call
/// first, counted from 1), inputs, output and correctly rounded result as bits and decimal,
/// the exact value, the ULP error and the verdict. `gated`: arity 2 (gate and up columns).
report_table::Table elements(bool gated, const std::vector<case_document::Element>& rows, bool with_call);

/// The element rows of case `c`, with a call column when the case made several calls.
report_table::Table elements_of(const case_document::Case& c, const std::vector<case_document::Element>& rows);

}  // namespace ulpcheck::case_tables
