// A precision report of one measurement (op, kernel, format, parameters): its case object,
// the JSON that every renderer reads, and its Markdown.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "ulpcheck/properties/case_figures.hpp"
#include "ulpcheck/reports/report_document.hpp"

namespace ulpcheck {

/// The case object of one measurement: what was measured (op, formula, dtype, kernel,
/// parameters and their label, inputs, their stored "shape" [rows, arity * d] and the
/// kernel "calls" [[rows, arity * d], ...] they were handed over in, budget, oracle
/// provenance), every figure, the worst inputs (each with its call "batch", from 0, its
/// "row" and "col" in that call, and its "index" in the inputs), the special-value table,
/// and where the error lives: at full resolution per sign and binade of the input (gate)
/// and per binade of the exact result ("binades_input", "binades_result"; exact results
/// below the smallest subnormal, which round to 0 or to it whatever the kernel does, form
/// one "underflow" row), as a ULP histogram in powers of
/// two, and grouped into a few ranges for text ("ranges_input", "ranges_result"). A row
/// has "count", "max_ulp", "max_ulp_above_floor", "p99_ulp", "not_correctly_rounded",
/// "in_floor_region" and "breaches". Ranges: consecutive binades of one sign merge while
/// their maximum ULP errors outside the floor region stay within a factor of two of each
/// other (exact binades apart), they lie mostly in the floor region or mostly outside it,
/// have breaches or none, and are all subnormal or all normal; then, while there are more
/// than 14 ranges, the two neighbours of one sign whose maxima are closest merge. Empty binades
/// are left out. Non-finite numbers are the strings "nan", "inf", "-inf". It keeps nothing
/// per element, so a report of many measurements holds their case objects, not the
/// measurements.
nlohmann::json to_json(const CaseResult& r);
/// to_json of m with its figures (case_figures).
nlohmann::json to_json(const Measurement& m);

/// The elementwise family's part of a document: its cases and approximation sections.
void section_parts(DocumentParts& parts, const ElementwiseReport& report);

/// The Markdown of a case object. level 1: a document of its own ("# Precision report:
/// op / dtype / kernel"); level n > 1: a section headed by the kernel at heading level n,
/// for a report of many cases, whose enclosing section already named the op, the inputs and
/// the oracle (so the case leaves them out unless `with_case_lines`).
std::string render_case_markdown(const nlohmann::json& c, int level = 1, bool with_case_lines = true);

/// render_case_markdown(to_json(m), level).
std::string render_markdown(const Measurement& m, int level = 1);

}  // namespace ulpcheck
