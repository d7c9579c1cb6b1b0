// The tables of the moe_combine section, built once from its typed objects and written by
// the Markdown (and the HTML page, once it holds the section) alike. Internal to reports/.
#pragma once

#include <string>
#include <vector>

#include "reports/combine/combine_document.hpp"
#include "reports/table.hpp"

namespace ulpcheck::combine_tables {

/// The storage formats of the section's batches, in their order.
std::vector<std::string> dtypes(const combine_document::SectionWithBatches& section);

/// A claim as the tables show it: "1 ULP, floor 1.2e-06 s", with "+ 2.8e-45" when it has an
/// absolute part.
std::string claim_text(const combine_document::Claim& claim);

/// Every kernel on every config of the batches in `dtype`: max ULP, max ULP outside the
/// floor region, p99 ULP, correctly rounded, elements in the floor region, breaches
/// (failing NaN/inf differences added), the claim and the verdict; failing rows marked.
report_table::Table cases(const combine_document::SectionWithBatches& section, const std::string& dtype);

/// Each kernel once: where it puts the routed scaling factor (its description), from which
/// its claim is derived.
report_table::Table placements(const combine_document::SectionWithBatches& section);

}  // namespace ulpcheck::combine_tables
