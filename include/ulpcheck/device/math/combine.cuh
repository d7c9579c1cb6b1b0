// The per-element arithmetic of the combine kernels (reference/combine.hpp), shared by the
// host and CUDA builds so both compute the same bits. Each step is one fp32 operation,
// rounded once (never contracted: nvcc would fuse a * b + c), or a rounding to the storage
// format, written where the engines it models round.
#pragma once

#include <cstdint>

#include "ulpcheck/reference/format.hpp"
#include "ulpcheck/support/hd.hpp"

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

ULPCHECK_HD float f32_add(float a, float b) {
#if defined(__CUDA_ARCH__)
  return __fadd_rn(a, b);
#else
  return a + b;
#endif
}
ULPCHECK_HD float f32_mul(float a, float b) {
#if defined(__CUDA_ARCH__)
  return __fmul_rn(a, b);
#else
  return a * b;
#endif
}
ULPCHECK_HD float f32_fma(float a, float b, float c) {
#if defined(__CUDA_ARCH__)
  return __fmaf_rn(a, b, c);
#else
  return std::fma(a, b, c);
#endif
}
ULPCHECK_HD float f32_div(float a, float b) {
#if defined(__CUDA_ARCH__)
  return __fdiv_rn(a, b);
#else
  return a / b;
#endif
}
/// x rounded to the storage format (once: every fp32 value is exactly a double).
ULPCHECK_HD float to_storage(Format f, float x) {
  return f == Format::fp32 ? x : static_cast<float>(round_to(f, static_cast<double>(x)));
}

/// One output element: y(k) is the k-th routed output's value at this element, w[k] its
/// weight, shared the shared output's value (each already a value of its format).
template <class RoutedAt>
ULPCHECK_HD float combine_element(const CombineShape& c, RoutedAt y, const float* w, float shared) {
  const bool fold = c.scale == ScalePlacement::fold_weights;
  float acc = 0.0f;
  for (int k = 0; k < c.topk; ++k) {
    const float wk = fold ? f32_mul(c.rsf, w[k]) : w[k];
    if (c.accumulation == Accumulation::fp32)
      acc = f32_fma(wk, y(k), acc);
    else
      acc = to_storage(c.format, f32_add(acc, to_storage(c.format, f32_mul(wk, y(k)))));
  }
  const Format f = c.format;
  switch (c.scale) {
    case ScalePlacement::fold_weights:
      if (c.shared_add == SharedAdd::fp32) return to_storage(f, f32_add(acc, shared));
      return to_storage(f, f32_add(to_storage(f, acc), shared));
    case ScalePlacement::routed_output:
      if (c.shared_add == SharedAdd::fp32) return to_storage(f, f32_add(f32_mul(c.rsf, acc), shared));
      return to_storage(f, f32_add(to_storage(f, f32_mul(to_storage(f, acc), c.rsf)), shared));
    case ScalePlacement::fp16_guard: break;
  }
  // DeepSeek-V2's fp16 path: routed + shared * (1 / rsf) in storage, the whole residual
  // stream kept divided by rsf; the rescale by rsf is the caller's, done here last.
  const float inverse = f32_div(1.0f, c.rsf);
  const float guarded = to_storage(f, f32_add(to_storage(f, acc), to_storage(f, f32_mul(shared, inverse))));
  return to_storage(f, f32_mul(guarded, c.rsf));
}

}  // namespace ulpcheck::math
