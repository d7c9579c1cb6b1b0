// Per-element SiLU-family math as production kernels write it: fp32 compute on values
// loaded from the storage format. The variants differ only in where they round to storage.
#pragma once

#include "ulpcheck/device/math/exp.cuh"
#include "ulpcheck/device/math/storage.cuh"

namespace ulpcheck::math {

/// silu(t) = t / (1 + e^-t) in fp32, the formula of vLLM, SGLang and PyTorch's opmath.
/// For t < -88.72, e^-t overflows and the quotient is -0: the tail budgets' floors exist
/// for exactly that flush.
ULPCHECK_HD float silu_fp32(float t) { return t / (1.0f + exp_fp32(-t)); }

/// min(g, L) that keeps a NaN gate NaN (fminf(NaN, L) would return L and hide it).
ULPCHECK_HD float clamp_gate(float g, float limit) { return g > limit ? limit : g; }

/// clamp(u, -L, L) that keeps a NaN up NaN.
ULPCHECK_HD float clamp_up(float u, float limit) {
  return u > limit ? limit : (u < -limit ? -limit : u);
}

/// Fused, one rounding: clamp and SiLU and the product in fp32, rounded once at the end
/// (FlashInfer's and PyTorch's fused style).
template <Format F>
ULPCHECK_HD float silu_and_mul_single_rounding(float g, float u, float limit) {
  return round_to_storage<F>(silu_fp32(clamp_gate(g, limit)) * clamp_up(u, limit));
}

/// Fused, two roundings: silu(g) rounded to storage before the multiply, as eager
/// frameworks do (F.silu(g) * u), which vLLM's kernel reproduces to match them bit for bit.
template <Format F>
ULPCHECK_HD float silu_and_mul_double_rounding(float g, float u, float limit) {
  const float s = round_to_storage<F>(silu_fp32(clamp_gate(g, limit)));
  return round_to_storage<F>(s * clamp_up(u, limit));
}

/// Framework composite: torch.clamp, F.silu and the multiply as separate ops, each
/// writing a storage-format tensor; the clamped values are rounded too, so a limit that
/// the format cannot hold (7.3 in bf16 is 7.3125) moves the result.
template <Format F>
ULPCHECK_HD float silu_and_mul_composite(float g, float u, float limit) {
  const float gc = round_to_storage<F>(clamp_gate(g, limit));
  const float uc = round_to_storage<F>(clamp_up(u, limit));
  const float s = round_to_storage<F>(silu_fp32(gc));
  return round_to_storage<F>(s * uc);
}

}  // namespace ulpcheck::math
