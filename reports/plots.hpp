// The SVG plots of the HTML report, drawn from the typed objects of a report document: a
// case's tables, an approximation section's binades, a routing batch's margins. Internal to
// reports/.
#pragma once

#include <string>
#include <vector>

#include "reports/elementwise/approximation_document.hpp"
#include "reports/elementwise/case_document.hpp"
#include "reports/routing/routing_document.hpp"

namespace ulpcheck::plots {

/// Outputs per ULP-error bin ([0, 2^-8), then powers of two), on a log count axis, with
/// the floor region's outputs as a bar of their own and the budget's max_ulp as a line.
std::string ulp_histogram_svg(const case_document::Case& c);

/// Max and p99 ULP error per binade of the input (gate), on a log ULP axis: negative
/// inputs on the left with magnitude growing leftwards, positive on the right, so the plot
/// reads as the number line; binades mostly in the floor region are shaded.
std::string error_by_input_svg(const case_document::Case& c);

/// The same plot for an approximation section (approximation_report.hpp): the max ULP
/// difference per binade of the input (gate), over all inputs and outside the floor region,
/// from a dtype entry's "rounded"."binades_input" rows. Empty when there are none.
std::string difference_by_input_svg(const std::vector<approximation_document::Binade>& rows, bool gated);

/// The oracle's decision margins of a routing batch (routing_report.hpp's "margin_histogram"):
/// tokens per binade of the group and of the expert margin side by side on a log count
/// axis, exact ties in a bin at the left and unbounded margins at the right.
std::string margin_histogram_svg(const routing_document::Margins& histogram);

}  // namespace ulpcheck::plots
