// The batch sizes fuzz cases reach: production kernels change code path with the batch
// (vLLM's activation kernel takes 256-bit loads only above 128 tokens; routing kernels pick
// an implementation by token count; split-K and persistent kernels by size), so every
// family's cases and batch-independence properties draw from the same sizes.
#pragma once

#include <cstdint>
#include <span>

namespace ulpcheck {

/// The largest batch a fuzz case has.
inline constexpr std::int64_t kMaxTokens = 4096;

/// Batch sizes at which production kernels switch code path, with their neighbours:
/// 1, 2, 127, 128, 129, 255, 256, 1024, 4096.
std::span<const std::int64_t> dispatch_batch_sizes();

}  // namespace ulpcheck
