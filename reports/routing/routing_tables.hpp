// Pieces of the routing section that the Markdown and the HTML share: counts with their
// share of the tokens, the bias of a batch, the tables built once. Internal to reports/.
#pragma once

#include <cstdint>
#include <string>

#include "reports/routing/routing_document.hpp"
#include "reports/table.hpp"

namespace ulpcheck::routing_tables {

/// "0", or "3 (0.0732%)".
std::string count_share(std::int64_t n, std::int64_t of);

/// "8.2764% (678)".
std::string share_count(std::int64_t n, std::int64_t of);

/// A batch's or study bias's bias: its name, then its distribution where that differs
/// ("deepseek_v3 normal:..."; the distribution muted in HTML).
report_table::Cell bias(const routing_document::Batch& b);
report_table::Cell bias(const routing_document::StudyBias& b);

/// Every kernel of every batch of the section: routing errors, near-ties, invalid ids, the
/// shares of tokens whose group and expert margins lie within the kernel's tie band, the
/// weights' errors, and the verdict.
report_table::Table cases(const routing_document::SectionWithBatches& section);

/// The precision study's rounding of logits and bias: per (logits, bias) dtype pair, under
/// each bias, the share of tokens whose expert set differs from the truth, by the oracle
/// and by the kernel.
report_table::Table input_rounding(const routing_document::Study& study);

/// The precision study's runs casting the bias once or on every call, a row per target
/// dtype of each run; in HTML a run whose target never changes and whose tokens differ is
/// marked failing.
report_table::Table bias_cast(const routing_document::Study& study);

/// The precision study's tokens whose expert set flips between the bias in fp32 and in
/// bf16: a row per bias, a column per logits dtype.
report_table::Table flips(const routing_document::Study& study);

}  // namespace ulpcheck::routing_tables
