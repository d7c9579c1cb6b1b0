// The certified element oracles (reference/certified/element_oracles.hpp) compiled for the
// GPU and run on arrays, for the tests that pin them to the host oracle.
#pragma once

#include <cstdint>
#include <vector>

#include "ulpcheck/reference/certified/element_oracles.hpp"
#include "ulpcheck/reference/tiers/special_values.hpp"

namespace ulpcheck::test {

/// pair_exact on the GPU for each (gate bits, up bits): the rounded result, and NaN with
/// decided false where the oracle left it undecided.
std::vector<Decided> pair_exact_on_gpu(ActivationKind kind, Format f, const std::vector<PreparedGate>& gates,
                                       const std::vector<double>& ups, const std::vector<std::uint32_t>& gate_bits,
                                       const std::vector<std::uint32_t>& up_bits);

/// unary_exact on the GPU for each input (values of f).
std::vector<Decided> unary_exact_on_gpu(ActivationKind kind, Format f, const std::vector<double>& x);

}  // namespace ulpcheck::test
