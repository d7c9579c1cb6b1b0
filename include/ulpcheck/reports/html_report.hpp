// A report document (report_document.hpp) as one self-contained HTML page for a person:
// inline CSS, plots as inline SVG drawn here, no script and no reference to anything
// outside the file, so it reads the same offline, attached to a CI run or mailed.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace ulpcheck {

/// The page: the verdict, a summary table linking to each case, the approximation sections
/// (approximation_report.hpp: figures, a table per dtype, the ULP difference per binade of
/// the input, a matrix of kernel pairs), and per case its figures,
/// a histogram of ULP errors (log-scale bins, floor region apart, the budget marked), the
/// max and p99 ULP error per binade of the input for negative and positive inputs (the
/// floor region shaded), the tables of where the error lives and of special values, and
/// the worst inputs. Every text from the document is escaped.
std::string render_report_html(const nlohmann::json& doc);

}  // namespace ulpcheck
