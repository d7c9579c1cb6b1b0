// Generators of routing fuzz cases: configurations over the whole valid space (DeepSeek-V3's
// weighted in), logits and biases of every kind (Gaussian gates, bit patterns with NaN and
// inf, values that make every sigmoid vanish), and near-ties built on purpose: repeated
// logits within and across groups, groups that mirror each other, biases on a coarse grid.
#pragma once

#include <rapidcheck.h>

#include <iosfwd>

#include "ulpcheck/properties/routing/routing_case.hpp"
#include "ulpcheck/reference/routing.hpp"

namespace ulpcheck {

/// Valid configurations: n_group in [1, 32] with 2 to 32 experts per group (experts <= 512),
/// every topk_group from 1 to n_group, topk from 1 to the experts of the kept groups (at
/// most 32), sigmoid or softmax, renormalised or not, a scaling factor of 1, 2.5 or any
/// fp32 in (0, 16]. DeepSeek-V3's configuration a third of the time.
rc::Gen<RoutingConfig> gen_routing_config();

/// One case: a configuration, a batch of 1 to 6 tokens in the given formats.
rc::Gen<RoutingCase> gen_routing_case(Format logits, Format bias);

/// The configuration, each token's logits that are not +0 as index and bits, and the bias:
/// what a shrunk counterexample needs to be read.
void showValue(const RoutingCase& c, std::ostream& os);

}  // namespace ulpcheck
