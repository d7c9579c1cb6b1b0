// The tables of elementwise cases, built once from case objects (precision_report.hpp's
// to_json) and written by the Markdown and the HTML alike. Internal to reports/.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "reports/table.hpp"

namespace ulpcheck::case_tables {

/// The summary of many cases: dtype, op, parameters, kernel (linking to "#case-N" in
/// HTML, N counted from 1), budget, max ULP, max ULP outside the floor region, correctly
/// rounded, p99, breaches and verdict.
report_table::Table summary(const nlohmann::json& cases);

/// A case's "ranges_input" or "ranges_result" rows; `what` heads the range column.
report_table::Table ranges(const nlohmann::json& rows, const std::string& what);

/// A case's "special_values" rows.
report_table::Table special_values(const nlohmann::json& c);

/// Element rows ("worst", "breaches", ...): position (with `with_call`, the kernel call
/// first, counted from 1), inputs, output and correctly rounded result as bits and decimal,
/// the exact value, the ULP error and the verdict. `gated`: arity 2 (gate and up columns).
report_table::Table elements(bool gated, const nlohmann::json& rows, bool with_call);

/// The element rows of case `c`, with a call column when the case made several calls.
report_table::Table elements_of(const nlohmann::json& c, const nlohmann::json& rows);

}  // namespace ulpcheck::case_tables
