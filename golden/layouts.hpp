// What schema v1 (golden/SCHEMA.md) defines in each group of each family's file, as
// `golden verify` checks it (check_integrity, golden/integrity.hpp) (internal to golden/;
// the fuzz harness of the readers walks files with them too).
#pragma once

#include <string>
#include <vector>

#include "golden/integrity.hpp"
#include "ulpcheck/reference/op.hpp"

namespace ulpcheck::golden {

/// The elementwise file of `op`: its parameters name case attributes and corpus columns.
AllowedMembers elementwise_layout(const ElementwiseOp& op, const std::vector<std::string>& at);
/// The routing file (biased_grouped_topk.h5).
AllowedMembers routing_layout(const std::vector<std::string>& at);
/// The MoE combine file (moe_combine.h5).
AllowedMembers combine_layout(const std::vector<std::string>& at);

}  // namespace ulpcheck::golden
