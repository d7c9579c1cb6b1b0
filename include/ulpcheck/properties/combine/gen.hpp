// Generators of combine cases: configurations over the whole valid space (small topk
// frequent, odd hidden sizes, DeepSeek-V3's factor and any fp32 factor in [2^-4, 2^4]);
// routed and shared outputs of both signs over several binades, so that terms cancel, with
// zeros and tiny values; weights as routers give them, renormalised to sum 1 or not (so a
// kernel that renormalises again shows); now and then a NaN or infinite input. And fp16
// batches built to overflow where the scaling factor is applied before the shared output
// joins, while the exact result is well inside fp16's range.
#pragma once

#include <rapidcheck.h>

#include <cstdint>
#include <iosfwd>
#include <string_view>

#include "ulpcheck/properties/combine/combine_case.hpp"

namespace ulpcheck {

/// Valid configurations: topk in [1, 32] (1 to 8 most often), hidden in [1, 97] (1 to 17
/// as often as larger: odd sizes, sizes below and just past a vector width), and a scaling
/// factor of 2.5, 1, 0.1f or any fp32 value in [2^-4, 2^4).
rc::Gen<CombineConfig> gen_combine_config();

/// A case in `format`: 1 to 4 tokens (1 in the first quarter of a run), gen_combine_config()'s
/// topk and factor, hidden 1 to 97 (small sizes more often: RapidCheck sizes the list of
/// hidden elements). Routed and shared
/// values are +-m * 2^e with e in [-8, 8], a tenth of them zero and a few near the
/// format's smallest normal; weights are fp32 sigmoid scores, renormalised to sum 1 for
/// half the cases, raw for the others (a few of them 0). An eighth of the cases carry 1 to
/// 3 non-finite inputs (a NaN or infinite routed or shared value, a NaN or infinite weight,
/// a zero weight on an infinite output). Shrinks by dropping the tokens and hidden elements
/// a failure does not need (keeping the others as they were), toward a smaller topk, fewer
/// non-finite inputs, factors, weights and values of magnitude 1 (exponents toward 0).
rc::Gen<CombineCase> gen_combine_case(Format format);

/// fp16 cases near overflow: per element the routed outputs (all of one sign, about 26000
/// to 39000 for the factor 2.5 and up to 64000 for 1.5, the unscaled weighted sum below
/// 65504) scale to rsf * sum beyond fp16's largest value, and a shared output of the opposite sign brings the exact
/// result back below 2^15: the pattern DeepSeek-V2's fp16 path guards against. Weights are
/// renormalised to sum 1; the factor is 2.5 or an fp32 value in [1.5, 3]; 1 to 3 tokens,
/// topk 1 to 8, hidden 1 to 16.
rc::Gen<CombineCase> gen_fp16_near_overflow_case();

/// A batch for reports and golden files: the same bits for the same arguments
/// (std::mt19937_64's raw output, no library distribution, seeded with `seed` mixed with
/// the config and format, so that batches of one report seeded alike differ). Routed and
/// shared values +-m * 2^e with e uniform in [-8, 8] (a sixteenth of them 0), weights fp32
/// sigmoid scores of N(0, 1) logits, renormalised to sum 1 on even tokens and raw on odd
/// ones. No NaN or infinity. Throws std::invalid_argument for an invalid config or
/// negative tokens.
CombineInputs combine_inputs(const CombineConfig& config, Format format, std::int64_t tokens, std::uint64_t seed);

/// What combine_inputs draws, for a report's "inputs" line.
inline constexpr std::string_view kCombineInputsText =
    "routed and shared outputs of either sign, magnitudes (1 + m/4096) * 2^e with e uniform in [-8, 8] (one in 16 "
    "values 0); router weights sigmoid(N(0, 1)) in fp32, renormalised to sum 1 on even tokens and raw (not summing "
    "to 1) on odd ones";

/// The configuration, the weights of each token and every routed and shared value that is
/// not +0 as index and value: what a shrunk counterexample needs to be read.
void showValue(const CombineCase& c, std::ostream& os);

}  // namespace ulpcheck
