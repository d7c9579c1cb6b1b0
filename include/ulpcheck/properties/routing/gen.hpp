// Generators of routing fuzz cases: configurations over the whole valid space (DeepSeek-V3's
// weighted in), logits and biases of every kind (Gaussian gates, bit patterns with NaN and
// inf, values that make every sigmoid vanish), and near-ties built on purpose: repeated
// logits within and across groups, groups that mirror each other, biases on a coarse grid.
#pragma once

#include <rapidcheck.h>

#include <iosfwd>

#include "ulpcheck/properties/gen/batch_sizes.hpp"
#include "ulpcheck/properties/routing/routing_case.hpp"
#include "ulpcheck/reference/routing.hpp"

namespace ulpcheck {

/// Valid configurations: n_group in [1, 32] with 2 to 32 experts per group (experts <= 512),
/// every topk_group from 1 to n_group, topk from 1 to the experts of the kept groups (at
/// most 32), sigmoid or softmax, renormalised or not, a scaling factor of 1, 2.5 or any
/// fp32 in (0, 16]. DeepSeek-V3's configuration a third of the time.
rc::Gen<RoutingConfig> gen_routing_config();

/// Logits a routing case's batch has at most (tokens x experts): what a kernel run costs,
/// so it caps the batch only for the large expert counts (4096 tokens up to E = 16, 256
/// for DeepSeek-V3's 256 experts: both sides of 128).
inline constexpr std::int64_t kMaxRoutingLogits = std::int64_t{1} << 16;

/// One case: a configuration, 1 to 6 distinct tokens in the given formats, and the batch
/// the kernel sees: those tokens alone, or repeated to a batch size production kernels
/// dispatch on (dispatch_batch_sizes(), up to 4096) or any size up to 4096 (a fifth of the
/// cases), within kMaxRoutingLogits. Shrinks the batch size toward the distinct tokens.
rc::Gen<RoutingCase> gen_routing_case(Format logits, Format bias);

/// The batch of `tokens` tokens that repeats the tokens of `inputs` cyclically.
RoutingInputs repeated_tokens(const RoutingInputs& inputs, int experts, std::int64_t tokens);

/// The configuration, each token's logits that are not +0 as index and bits, and the bias:
/// what a shrunk counterexample needs to be read.
void showValue(const RoutingCase& c, std::ostream& os);

}  // namespace ulpcheck
