// The tables of an "<op> vs <approximated op>" section, built once from its typed objects
// (approximation_document.hpp) and written by the Markdown and the HTML alike. Internal to
// reports/.
#pragma once

#include "reports/elementwise/approximation_document.hpp"
#include "reports/table.hpp"

namespace ulpcheck::approximation_tables {

/// Per dtype, how often the correctly rounded results of the two ops differ (over all
/// inputs and outside the floor region), their largest difference in ULP of the exact op,
/// and where it is reached outside the floor region.
report_table::Table rounded(const approximation_document::Section& s);

/// Dtype entry `d`'s kernel pairs as a matrix: kernels of the exact op as rows, kernels of
/// the approximation as columns, each in order of first appearance; a cell gives the share
/// of outputs that differ and the largest difference over all outputs and outside the floor
/// region, "-" for a pair not measured.
report_table::Table kernels(const approximation_document::Section& s, const approximation_document::Dtype& d);

}  // namespace ulpcheck::approximation_tables
