// A combine kernel's output against the exact oracle, element by element, under the rule of
// its claim (device/combine_kernel.hpp): the ULP figures and the floor region as for the
// elementwise ops, with the floor scaled by each element's terms.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ulpcheck/device/combine_kernel.hpp"
#include "ulpcheck/properties/error_stats.hpp"
#include "ulpcheck/reference/combine.hpp"

namespace ulpcheck {

/// Runs the kernel on a poisoned output [tokens, hidden] and returns it.
std::vector<std::uint32_t> run_combine_kernel(const CombineKernel& kernel, const CombineConfig& config,
                                              const CombineInputs& inputs);

/// Element e = t * hidden + h of out checked against exact (ElementCheck's rule, with the
/// floor claim.floor(exact.scale[e])).
ElementCheck check_combine_element(const CombineClaim& claim, Format f, const CombineExact& exact,
                                   const std::vector<std::uint32_t>& out, std::size_t e);

/// Every element checked, as the elementwise figures: row is the token, col the hidden
/// index, x0_bits the shared output's bits (arity 1: the routed outputs are too many to
/// carry; explain_combine_element shows them).
ErrorStats compare_combine(const CombineConfig& config, const CombineClaim& claim, const CombineInputs& inputs,
                           const CombineExact& exact, const std::vector<std::uint32_t>& out);

/// One element for a person: its terms (w_k, y_k), the shared output, the output beside the
/// exact value and its correct rounding, the ULP error and the floor it was held to.
std::string explain_combine_element(const CombineConfig& config, const CombineClaim& claim,
                                    const CombineInputs& inputs, const CombineExact& exact,
                                    const std::vector<std::uint32_t>& out, std::int64_t token, std::int64_t h);

}  // namespace ulpcheck
