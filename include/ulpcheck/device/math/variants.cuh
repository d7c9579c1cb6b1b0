// Where a kernel rounds: the arithmetic variants production kernels choose between, as
// functors over any activation. Act::eval(t) computes the activation in fp32; each variant's
// operator()(x0, x1, limit) returns the output already rounded to F. Unary ops call them
// with x1 = 1 and limit = +inf; ops without a clamp pass limit = +inf too.
#pragma once

#include "ulpcheck/device/math/storage.cuh"

namespace ulpcheck::math {

/// min(g, L) that keeps a NaN gate NaN (fminf(NaN, L) would return L and hide it).
ULPCHECK_HD float clamp_gate(float g, float limit) { return g > limit ? limit : g; }

/// clamp(u, -L, L) that keeps a NaN up NaN.
ULPCHECK_HD float clamp_up(float u, float limit) { return u > limit ? limit : (u < -limit ? -limit : u); }

/// Unary act(x): fp32 compute, one rounding.
template <Format F, class Act>
struct UnaryRounding {
  ULPCHECK_HD float operator()(float x, float, float) const { return round_to_storage<F>(Act::eval(x)); }
};

/// Fused, one rounding: clamp, activation and product in fp32, rounded once at the end
/// (FlashInfer's and PyTorch's fused style).
template <Format F, class Act>
struct GatedSingleRounding {
  ULPCHECK_HD float operator()(float g, float u, float limit) const {
    return round_to_storage<F>(Act::eval(clamp_gate(g, limit)) * clamp_up(u, limit));
  }
};

/// Fused, two roundings: act(g) rounded to storage before the multiply, as eager
/// frameworks do (F.silu(g) * u), which vLLM's kernels reproduce to match them bit for bit.
template <Format F, class Act>
struct GatedDoubleRounding {
  ULPCHECK_HD float operator()(float g, float u, float limit) const {
    const float a = round_to_storage<F>(Act::eval(clamp_gate(g, limit)));
    return round_to_storage<F>(a * clamp_up(u, limit));
  }
};

/// Framework composite: clamp, activation and multiply as separate ops, each writing a
/// storage-format tensor; the clamped values are rounded too, so a limit the format cannot
/// hold (7.3 in bf16 is 7.3125) moves the result.
template <Format F, class Act>
struct GatedComposite {
  ULPCHECK_HD float operator()(float g, float u, float limit) const {
    const float gc = round_to_storage<F>(clamp_gate(g, limit));
    const float uc = round_to_storage<F>(clamp_up(u, limit));
    const float a = round_to_storage<F>(Act::eval(gc));
    return round_to_storage<F>(a * uc);
  }
};

}  // namespace ulpcheck::math
