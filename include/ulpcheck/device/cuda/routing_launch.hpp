// The host-side view of one routing launch: device pointers, formats and the config. No
// CUDA headers, so the host compiler builds the Kernel around it.
#pragma once

#include <cstdint>

#include "ulpcheck/device/math/routing.cuh"

namespace ulpcheck::cuda {

struct RoutingLaunch {
  const void* logits;  ///< [tokens, experts] in logits_format
  const void* bias;    ///< [experts] in bias_format
  Format logits_format;
  Format bias_format;
  std::int64_t tokens;
  math::RoutingShape shape;
  std::int32_t* ids;   ///< [tokens, topk]
  float* weights;      ///< [tokens, topk]
};

/// Whether the warp-per-token path takes a config: 256 experts in 8 groups, sigmoid scoring,
/// at most 32 picks (one per lane).
inline bool warp_path(const math::RoutingShape& c) {
  return c.experts == 256 && c.n_group == 8 && !c.softmax && c.topk <= 32;
}

/// Enqueues the routing of every token; returns the cudaError_t of the launch (0 = success).
int launch_routing(const RoutingLaunch& launch, bool tanh_sigmoid, bool epsilon, bool warp_path);

}  // namespace ulpcheck::cuda
