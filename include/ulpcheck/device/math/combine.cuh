// The per-element arithmetic of the combine kernels (reference/combine.hpp), shared by the
// host and CUDA builds so both compute the same bits. Each step is one fp32 operation,
// rounded once (hd.cuh's *_rn: never contracted, nvcc would fuse a * b + c), or a rounding
// to the storage format (storage.cuh's round_to_format: the conversion instructions on the
// GPU, which CudaStorageExhaustive pins to the host's portable rounding on all 2^32
// floats), written where the engines it models round.
#pragma once

#include <cstdint>

#include "ulpcheck/device/math/hd.cuh"
#include "ulpcheck/device/math/storage.cuh"
#include "ulpcheck/reference/format.hpp"

namespace ulpcheck::math {

/// Where the routed scaling factor goes.
enum class ScalePlacement : std::uint8_t {
  fold_weights,   ///< into the router's weights (w' = rsf * w in fp32) before the sum
  routed_output,  ///< onto the routed sum: rsf * sum_k w_k y_k
  fp16_guard,     ///< shared / rsf added to the unscaled routed sum, the caller rescales by rsf
};
/// What the sum over k is kept in.
enum class Accumulation : std::uint8_t {
  fp32,     ///< fp32 fused multiply-adds
  storage,  ///< each weighted row rounded to storage (the GEMM epilogue), summed in storage
};
/// Where the shared output joins.
enum class SharedAdd : std::uint8_t {
  fp32,     ///< in fp32, before the one rounding to storage (a fused epilogue)
  storage,  ///< to the routed output once it is rounded to storage (a separate add)
};

struct CombineShape {
  Format format;
  int topk;
  int hidden;
  float rsf;
  ScalePlacement scale;
  Accumulation accumulation;
  SharedAdd shared_add;
};

/// One output element: y(k) is the k-th routed output's value at this element, w[k] its
/// weight, shared the shared output's value (each already a value of its format).
template <class RoutedAt>
ULPCHECK_HD float combine_element(const CombineShape& c, RoutedAt y, const float* w, float shared) {
  const bool fold = c.scale == ScalePlacement::fold_weights;
  float acc = 0.0f;
  for (int k = 0; k < c.topk; ++k) {
    const float wk = fold ? mul_rn(c.rsf, w[k]) : w[k];
    if (c.accumulation == Accumulation::fp32)
      acc = fma_rn(wk, y(k), acc);
    else
      acc = round_to_format(c.format, add_rn(acc, round_to_format(c.format, mul_rn(wk, y(k)))));
  }
  const Format f = c.format;
  switch (c.scale) {
    case ScalePlacement::fold_weights:
      if (c.shared_add == SharedAdd::fp32) return round_to_format(f, add_rn(acc, shared));
      return round_to_format(f, add_rn(round_to_format(f, acc), shared));
    case ScalePlacement::routed_output:
      if (c.shared_add == SharedAdd::fp32) return round_to_format(f, add_rn(mul_rn(c.rsf, acc), shared));
      return round_to_format(f, add_rn(round_to_format(f, mul_rn(round_to_format(f, acc), c.rsf)), shared));
    case ScalePlacement::fp16_guard: break;
  }
  // DeepSeek-V2's fp16 path: routed + shared * (1 / rsf) in storage, the whole residual
  // stream kept divided by rsf; the rescale by rsf is the caller's, done here last.
  const float inverse = div_rn(1.0f, c.rsf);
  const float guarded = round_to_format(f, add_rn(round_to_format(f, acc), round_to_format(f, mul_rn(shared, inverse))));
  return round_to_format(f, mul_rn(guarded, c.rsf));
}

}  // namespace ulpcheck::math
