// The batch sizes fuzz cases reach: production kernels change code path with the batch
// (vLLM's activation kernel takes 256-bit loads only above 128 tokens; routing kernels pick
// an implementation by token count; split-K and persistent kernels by size), so every
// family's cases and batch-independence properties draw from the same sizes.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace ulpcheck {

/// The largest batch a fuzz case has.
inline constexpr std::int64_t kMaxTokens = 4096;

/// Batch sizes at which production kernels switch code path, with their neighbours:
/// 1, 2, 127, 128, 129, 255, 256, 1024, 4096.
std::span<const std::int64_t> dispatch_batch_sizes();

/// The rows of a batch that the batch properties run alone (a launch each): up to 8,
/// spread evenly, the first and the last included.
std::vector<std::int64_t> rows_run_alone(std::int64_t rows);

}  // namespace ulpcheck
