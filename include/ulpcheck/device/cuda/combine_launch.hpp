// The host-side view of one combine launch: device pointers and the flattened config. No
// CUDA headers, so the host compiler builds the Kernel around it.
#pragma once

#include <cstdint>

#include "ulpcheck/device/math/combine.cuh"

namespace ulpcheck::cuda {

struct CombineLaunch {
  const void* routed;    ///< [tokens, topk, hidden] in shape.format's storage layout
  const float* weights;  ///< [tokens, topk]
  const void* shared;    ///< [tokens, hidden]
  std::int64_t tokens;
  math::CombineShape shape;
  float* out;            ///< [tokens, hidden]: values of shape.format, as fp32
};

/// Enqueues the combine of every token; returns the cudaError_t of the launch (0 = success).
int launch_combine(const CombineLaunch& launch);

}  // namespace ulpcheck::cuda
