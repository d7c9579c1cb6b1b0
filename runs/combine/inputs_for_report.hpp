// TEMPORARY: the inputs of the report's combine batches until properties/combine/gen.hpp's
// combine_inputs(config, format, tokens, seed) lands; it has the same signature, so swapping
// it in replaces the one call in runs/combine/report.cpp and deletes these two files.
// Internal to runs/.
#pragma once

#include <cstdint>
#include <string_view>

#include "ulpcheck/reference/combine.hpp"

namespace ulpcheck::temporary {

/// What report_combine_inputs draws, for the report's "inputs" line.
inline constexpr std::string_view kReportCombineInputs =
    "routed and shared outputs of either sign, magnitudes uniform over the binades 2^-6 to 2^6 (one in 16 "
    "shared outputs 0), router weights uniform in (0, 1) drawn apart (their sum is not 1)";

/// A batch of `tokens` tokens for `config` in `format`, the same for the same arguments
/// (std::mt19937_64 seeded with `seed`, mixed with the config and format so that two batches
/// of one report differ). Mixed signs make some elements cancel, so the floor region of a
/// claim shows; every value is finite.
CombineInputs report_combine_inputs(const CombineConfig& config, Format format, std::int64_t tokens,
                                    std::uint64_t seed);

}  // namespace ulpcheck::temporary
