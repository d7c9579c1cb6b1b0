// One generic elementwise kernel, written the way production activation kernels are
// (vLLM's act_and_mul_kernel, FlashInfer's activation.cuh): one thread block per token,
// 16-byte vector loads of gate and up with packed bf16x2/half2 conversions when d is a
// multiple of the vector width, a scalar loop otherwise, fp32 math per element. The
// per-element function is a template parameter, so every variant shares the tiling.
//
// Unlike those kernels, a block has at most 256 threads and each thread loads kUnroll
// vectors before it computes any: with 1024 threads of one vector each (their sizing at
// d = 8192 in bf16) a block's threads all load, then all compute, one block per SM at
// the register counts of the accurate variants, and the SM's memory pipe idles while they
// compute. On an H200 that tiling held bf16 unary GELU to 63% of the copy bandwidth, this one
// 73%.
#pragma once

#include <array>

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>

#include "ulpcheck/device/cuda/launch.hpp"
#include "ulpcheck/reference/format.hpp"

namespace ulpcheck::cuda {

template <Format F>
struct DeviceStorage;

/// Vectors a thread loads before it computes (see the top of this file).
inline constexpr int kUnroll = 4;

/// A 2-byte storage format: its element and pair types and CUDA's conversions of each,
/// rounding to nearest even on the way in.
template <class Elem, class Pair, float2 (*Unpack2)(Pair), Pair (*Pack2)(float, float), float (*Load)(Elem),
          Elem (*Store)(float)>
struct HalfWidthStorage {
  using T = Elem;
  using T2 = Pair;
  static __device__ __forceinline__ float2 unpack2(T2 v) { return Unpack2(v); }
  static __device__ __forceinline__ T2 pack2(float a, float b) { return Pack2(a, b); }
  static __device__ __forceinline__ float load(T v) { return Load(v); }
  static __device__ __forceinline__ T store(float x) { return Store(x); }
};

template <>
struct DeviceStorage<Format::bf16>
    : HalfWidthStorage<__nv_bfloat16, __nv_bfloat162, __bfloat1622float2, __floats2bfloat162_rn, __bfloat162float,
                       __float2bfloat16_rn> {};

template <>
struct DeviceStorage<Format::fp16>
    : HalfWidthStorage<__half, __half2, __half22float2, __floats2half2_rn, __half2float, __float2half_rn> {};

template <>
struct DeviceStorage<Format::fp32> {
  using T = float;
  using T2 = float2;
  static __device__ __forceinline__ float2 unpack2(T2 v) { return v; }
  static __device__ __forceinline__ T2 pack2(float a, float b) { return make_float2(a, b); }
  static __device__ __forceinline__ float load(T v) { return v; }
  static __device__ __forceinline__ T store(float x) { return x; }
};

/// y[t, i] = fn(x0[t, i], x1[t, i], p0), x0 = gate (or the input), x1 = up (1 when unary), p0
/// the op's parameter (ElementwiseLaunch::params).
/// Offsets are int64: tokens * 2d passes 2^31 on real shapes (a known bug class of kernels
/// that index with int).
template <Format F, class Fn, bool Gated>
__global__ void act_and_mul_kernel(typename DeviceStorage<F>::T* __restrict__ out,
                                   const typename DeviceStorage<F>::T* __restrict__ in, std::int64_t d,
                                   float p0) {
  using S = DeviceStorage<F>;
  using T = typename S::T;
  using T2 = typename S::T2;
  constexpr int kVec = 16 / sizeof(T);
  const std::int64_t token = blockIdx.x;
  const T* x0 = in + token * (Gated ? 2 : 1) * d;
  const T* x1 = x0 + d;
  T* y = out + token * d;
  const Fn fn{};
  if (d % kVec == 0) {
    const std::int64_t n = d / kVec;
    const std::int64_t stride = blockDim.x;
    for (std::int64_t v0 = threadIdx.x; v0 < n; v0 += kUnroll * stride) {
      uint4 a[kUnroll], b[kUnroll];
#pragma unroll
      for (int k = 0; k < kUnroll; ++k) {
        const std::int64_t v = v0 + k * stride;
        a[k] = v < n ? __ldg(reinterpret_cast<const uint4*>(x0) + v) : make_uint4(0, 0, 0, 0);
        b[k] = Gated && v < n ? __ldg(reinterpret_cast<const uint4*>(x1) + v) : make_uint4(0, 0, 0, 0);
      }
#pragma unroll
      for (int k = 0; k < kUnroll; ++k) {
        const std::int64_t v = v0 + k * stride;
        if (v >= n) break;
        uint4 r;
        const T2* a2 = reinterpret_cast<const T2*>(&a[k]);
        const T2* b2 = reinterpret_cast<const T2*>(&b[k]);
        T2* r2 = reinterpret_cast<T2*>(&r);
#pragma unroll
        for (int j = 0; j < kVec / 2; ++j) {
          const float2 g = S::unpack2(a2[j]);
          const float2 u = Gated ? S::unpack2(b2[j]) : make_float2(1.0f, 1.0f);
          r2[j] = S::pack2(fn(g.x, u.x, p0), fn(g.y, u.y, p0));
        }
        reinterpret_cast<uint4*>(y)[v] = r;
      }
    }
  } else {
    for (std::int64_t i = threadIdx.x; i < d; i += blockDim.x)
      y[i] = S::store(fn(S::load(x0[i]), Gated ? S::load(x1[i]) : 1.0f, p0));
  }
}

/// Block = min(vectors per token / kUnroll, 256) threads, at least one warp's worth where
/// the token has it; grid = one block per token.
template <Format F, class Fn, bool Gated>
int launch_act_and_mul(const ElementwiseLaunch& l) {
  using T = typename DeviceStorage<F>::T;
  constexpr std::int64_t kVec = 16 / sizeof(T);
  if (l.tokens == 0 || l.d == 0) return cudaSuccess;
  if (l.tokens > 0x7fffffff) return cudaErrorInvalidConfiguration;  // gridDim.x is at most 2^31 - 1
  const std::int64_t work = l.d % kVec == 0 ? std::max<std::int64_t>((l.d / kVec + kUnroll - 1) / kUnroll, 32) : l.d;
  const int threads = static_cast<int>(std::min<std::int64_t>(work, 256));
  act_and_mul_kernel<F, Fn, Gated><<<static_cast<unsigned>(l.tokens), threads, 0, static_cast<cudaStream_t>(l.stream)>>>(
      static_cast<T*>(l.output), static_cast<const T*>(l.input), l.d, l.params[0]);
  return cudaGetLastError();
}

/// The launch of V<F, Policy> for each storage format, in Format order: what a family's
/// kernel row holds.
template <template <Format, class> class V, class Policy, bool Gated>
constexpr std::array<LaunchFn, 3> launches() {
  return {&launch_act_and_mul<Format::bf16, V<Format::bf16, Policy>, Gated>,
          &launch_act_and_mul<Format::fp16, V<Format::fp16, Policy>, Gated>,
          &launch_act_and_mul<Format::fp32, V<Format::fp32, Policy>, Gated>};
}

}  // namespace ulpcheck::cuda
