// The cases of the MoE combine golden file: which configurations and storage formats it
// pins, and how a case's inputs follow from its seed and token count.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ulpcheck/reference/combine.hpp"

namespace ulpcheck::golden {

/// One case: group /<dtype>/<name>.
struct CombineCaseSpec {
  std::string name;  ///< "deepseek_v3", "topk=32", "odd_hidden=77", "scale=0.1", ...
  Format format = Format::bf16;
  CombineConfig config;
  std::int64_t tokens = 1;  ///< tokens regen writes (small: a case's routed outputs are tokens * topk * hidden)
  /// "/bf16/deepseek_v3"
  std::string group() const;
};

/// Every case, in file order (bf16, fp16, fp32, each with the same configurations):
/// DeepSeek-V3's top 8 with factor 2.5, a single expert, the widest top-k (32), a hidden
/// size no vector width divides, and the factors 1 (no scaling: the placements agree) and
/// 0.1f (not a power of two and not exact in binary, so folding it into the weights rounds).
std::vector<CombineCaseSpec> combine_case_specs();

/// What golden_combine_inputs draws, as the case attribute `input` records it.
std::string golden_combine_input_label();

/// The inputs of a case, from one std::mt19937_64(seed): the routed outputs [tokens, topk,
/// hidden], then the weights [tokens, topk], then the shared outputs [tokens, hidden], each
/// row-major. Outputs are of either sign over several binades (sign, exponent and 52
/// mantissa bits drawn, then rounded to `format`); weights are fp32 in (0, 1), drawn
/// independently, so a token's weights do not sum to 1 (as the factor's placement must not
/// assume). Deterministic on every platform: only integer draws and exact scalings.
CombineInputs golden_combine_inputs(const CombineConfig& config, Format format, std::int64_t tokens,
                                    std::uint64_t seed);

}  // namespace ulpcheck::golden
