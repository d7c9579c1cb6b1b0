// The CUDA routing kernels, written the way production routing kernels are (SGLang's
// moe_fused_gate, TensorRT-LLM's noaux_tc): for the DeepSeek-V3 shape (256 experts in 8
// groups, sigmoid scoring) one warp per token, each lane holding 8 consecutive experts from
// one 16-byte load, group top-two by shuffles within the 4 lanes of a group, selections by
// warp-wide arg-max; for every other valid config a general path, one thread per token,
// running the host's per-token loop. Both paths give the host kernels' bits: selections
// compare exactly with ties to the lower index, and the weights are summed in pick order.
// The Kernel around these launches is in routing_kernel.cpp (host compiler).
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include "ulpcheck/device/cuda/routing_launch.hpp"
#include "ulpcheck/device/math/routing.cuh"

namespace ulpcheck::cuda {

namespace {

using math::RoutingShape;

/// The general path's largest config (RoutingConfig::validate's limits).
constexpr int kMaxExperts = 512, kMaxGroups = 32;

template <class Sigmoid, bool Epsilon>
__global__ void route_general(RoutingLaunch l) {
  const std::int64_t t = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (t >= l.tokens) return;
  const RoutingShape& c = l.shape;
  float logits[kMaxExperts], bias[kMaxExperts], s[kMaxExperts], b[kMaxExperts], group_score[kMaxGroups];
  bool kept[kMaxGroups], taken[kMaxExperts];
  for (int e = 0; e < c.experts; ++e) {
    logits[e] = math::load_format(l.logits, l.logits_format, t * c.experts + e);
    bias[e] = math::load_format(l.bias, l.bias_format, e);
  }
  math::route_token<Sigmoid, Epsilon>(c, logits, bias, s, b, group_score, kept, taken, l.ids + t * c.topk,
                                      l.weights + t * c.topk);
}

// ---------------------------------------------------------------- the warp fast path

// The warp path's shape (warp_path() in routing_launch.hpp): 256 experts, 8 per lane, a group of 32
// experts on 4 lanes.
constexpr int kFastExperts = 256, kPerLane = 8, kLanesPerGroup = 4;

/// A candidate of a warp-wide arg-max: candidates beat non-candidates; among candidates
/// math::ranks_before decides.
struct Candidate {
  bool valid;
  float value;
  int index;
};

__device__ __forceinline__ bool beats(const Candidate& a, const Candidate& b) {
  if (a.valid != b.valid) return a.valid;
  return a.valid && math::ranks_before(a.value, a.index, b.value, b.index);
}

__device__ __forceinline__ Candidate warp_best(Candidate c) {
  for (int offset = 16; offset > 0; offset /= 2) {
    const Candidate o{__shfl_xor_sync(0xffffffffu, c.valid, offset) != 0, __shfl_xor_sync(0xffffffffu, c.value, offset),
                      __shfl_xor_sync(0xffffffffu, c.index, offset)};
    if (beats(o, c)) c = o;
  }
  return c;
}

/// The 8 logits of a lane as floats, from one 16-byte load (two for fp32).
template <Format L>
__device__ __forceinline__ void load_lane(const void* row, int lane, float* x) {
  if constexpr (L == Format::fp32) {
    const float4* p = static_cast<const float4*>(row) + 2 * lane;
    const float4 a = p[0], b = p[1];
    x[0] = a.x, x[1] = a.y, x[2] = a.z, x[3] = a.w, x[4] = b.x, x[5] = b.y, x[6] = b.z, x[7] = b.w;
  } else {
    const uint4 v = static_cast<const uint4*>(row)[lane];
    const std::uint32_t w[4] = {v.x, v.y, v.z, v.w};
    for (int i = 0; i < 4; ++i) {
      if constexpr (L == Format::bf16) {
        x[2 * i] = __bfloat162float(__ushort_as_bfloat16(static_cast<unsigned short>(w[i] & 0xffffu)));
        x[2 * i + 1] = __bfloat162float(__ushort_as_bfloat16(static_cast<unsigned short>(w[i] >> 16)));
      } else {
        x[2 * i] = __half2float(__ushort_as_half(static_cast<unsigned short>(w[i] & 0xffffu)));
        x[2 * i + 1] = __half2float(__ushort_as_half(static_cast<unsigned short>(w[i] >> 16)));
      }
    }
  }
}

template <Format L, class Sigmoid, bool Epsilon>
__global__ void route_deepseek_v3(RoutingLaunch l) {
  const int lane = threadIdx.x % 32;
  const std::int64_t t = static_cast<std::int64_t>(blockIdx.x) * (blockDim.x / 32) + threadIdx.x / 32;
  if (t >= l.tokens) return;  // whole warps leave together
  const RoutingShape& c = l.shape;
  const std::size_t row_bytes = kFastExperts * (L == Format::fp32 ? 4 : 2);
  float x[kPerLane], s[kPerLane], b[kPerLane];
  load_lane<L>(static_cast<const char*>(l.logits) + t * row_bytes, lane, x);
  math::TopTwo top;
  for (int i = 0; i < kPerLane; ++i) {
    const int e = lane * kPerLane + i;
    math::sigmoid_score<Sigmoid>(c, x[i], math::load_format(l.bias, l.bias_format, e), s[i], b[i]);
    top.add(b[i], e);
  }
  // The group's top two across its 4 lanes.
  for (int offset = 1; offset < kLanesPerGroup; offset *= 2) {
    const float v1 = __shfl_xor_sync(0xffffffffu, top.v1, offset), v2 = __shfl_xor_sync(0xffffffffu, top.v2, offset);
    const int i1 = __shfl_xor_sync(0xffffffffu, top.i1, offset), i2 = __shfl_xor_sync(0xffffffffu, top.i2, offset);
    top.add(v1, i1);
    top.add(v2, i2);
  }
  const int group = lane / kLanesPerGroup;
  const float group_score = math::top_two_sum(c, top.v1, top.v2);
  unsigned kept = 0;
  for (int k = 0; k < c.topk_group; ++k) {
    const bool leader = lane % kLanesPerGroup == 0 && !(kept >> group & 1u);
    kept |= 1u << warp_best({leader, group_score, group}).index;
  }
  // Experts, best first; lane k keeps pick k.
  unsigned taken = 0;
  std::int32_t my_id = 0;
  float my_s = 0.0f;
  for (int k = 0; k < c.topk; ++k) {
    Candidate mine{false, 0.0f, 0};
    if (kept >> group & 1u)
      for (int i = 0; i < kPerLane; ++i) {
        const Candidate cand{!(taken >> i & 1u), b[i], lane * kPerLane + i};
        if (beats(cand, mine)) mine = cand;
      }
    const Candidate best = warp_best(mine);
    const int owner = best.index / kPerLane;
    if (lane == owner) taken |= 1u << (best.index % kPerLane);
    float owner_s = 0.0f;
    for (int i = 0; i < kPerLane; ++i)
      if (lane == owner && i == best.index % kPerLane) owner_s = s[i];
    owner_s = __shfl_sync(0xffffffffu, owner_s, owner);
    if (lane == k) {
      my_id = best.index;
      my_s = owner_s;
    }
  }
  // The renormalising sum in pick order, as the host sums.
  float sum = 0.0f;
  for (int k = 0; k < c.topk; ++k) sum += __shfl_sync(0xffffffffu, my_s, k);
  if (Epsilon) sum += 1e-20f;
  if (lane < c.topk) {
    l.ids[t * c.topk + lane] = my_id;
    l.weights[t * c.topk + lane] = c.renormalize ? my_s / sum * c.scale : my_s * c.scale;
  }
}

template <class Sigmoid, bool Epsilon>
cudaError_t launch(const RoutingLaunch& l, bool fast) {
  if (l.tokens == 0) return cudaSuccess;
  if (fast) {
    constexpr int kWarps = 4;
    const auto blocks = static_cast<unsigned>((l.tokens + kWarps - 1) / kWarps);
    switch (l.logits_format) {
      case Format::bf16: route_deepseek_v3<Format::bf16, Sigmoid, Epsilon><<<blocks, 32 * kWarps>>>(l); break;
      case Format::fp16: route_deepseek_v3<Format::fp16, Sigmoid, Epsilon><<<blocks, 32 * kWarps>>>(l); break;
      case Format::fp32: route_deepseek_v3<Format::fp32, Sigmoid, Epsilon><<<blocks, 32 * kWarps>>>(l); break;
    }
  } else {
    constexpr int kThreads = 64;
    route_general<Sigmoid, Epsilon><<<static_cast<unsigned>((l.tokens + kThreads - 1) / kThreads), kThreads>>>(l);
  }
  return cudaGetLastError();
}

}  // namespace

int launch_routing(const RoutingLaunch& l, bool tanh_sigmoid, bool epsilon, bool warp_path) {
  if (tanh_sigmoid)
    return epsilon ? launch<math::SigmoidTanh, true>(l, warp_path) : launch<math::SigmoidTanh, false>(l, warp_path);
  return epsilon ? launch<math::SigmoidExp, true>(l, warp_path) : launch<math::SigmoidExp, false>(l, warp_path);
}

}  // namespace ulpcheck::cuda
