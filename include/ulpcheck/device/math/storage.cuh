// Rounding an fp32 value to a storage format, to nearest with ties to even. The portable
// form is float arithmetic that host and GPU evaluate identically; device code uses the
// conversion instructions (__float2bfloat16_rn, __float2half_rn) as production kernels do,
// and a GPU test pins that both give the same value for all 2^32 floats.
#pragma once

#include <cmath>

#if defined(__CUDACC__)
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#endif

#include "ulpcheck/device/math/hd.cuh"
#include "ulpcheck/reference/format.hpp"

namespace ulpcheck::math {

template <Format F>
struct StorageTraits;
template <>
struct StorageTraits<Format::bf16> {
  static constexpr int precision = 8, emin = -126, emax = 127;
};
template <>
struct StorageTraits<Format::fp16> {
  static constexpr int precision = 11, emin = -14, emax = 15;
};

/// x rounded to F and returned as the float of the same value. fp32 is the identity.
template <Format F>
ULPCHECK_HD float round_to_storage_portable(float x) {
  if constexpr (F == Format::fp32) {
    return x;
  } else {
    using T = StorageTraits<F>;
    if (!(fabsf(x) <= 0x1.fffffep+127f) || x == 0.0f) return x;  // NaN, inf, +-0
    int e = ilogbf(x);
    if (e < T::emin) e = T::emin;
    const int q = e - T::precision + 1;
    // x * 2^-q is exact (it has at most p integer bits and stays a normal float), so rintf,
    // which rounds ties to even, is the whole rounding.
    const float r = ldexpf(rintf(ldexpf(x, -q)), q);
    if (fabsf(r) >= ldexpf(1.0f, T::emax + 1)) return copysignf(HUGE_VALF, x);
    return r;
  }
}

/// round_to_storage_portable on the host; the conversion instructions on the GPU.
template <Format F>
ULPCHECK_HD float round_to_storage(float x) {
#if defined(__CUDA_ARCH__)
  if constexpr (F == Format::bf16) return __bfloat162float(__float2bfloat16_rn(x));
  if constexpr (F == Format::fp16) return __half2float(__float2half_rn(x));
  return x;
#else
  return round_to_storage_portable<F>(x);
#endif
}

/// x rounded to a format chosen at run time.
ULPCHECK_HD float round_to_format(Format f, float x) {
  switch (f) {
    case Format::bf16: return round_to_storage<Format::bf16>(x);
    case Format::fp16: return round_to_storage<Format::fp16>(x);
    default: return x;
  }
}

/// The value of element i of a storage-format array chosen at run time.
ULPCHECK_HD float load_format(const void* p, Format f, std::int64_t i) {
  switch (f) {
    case Format::bf16: {
      const std::uint32_t bits = static_cast<const std::uint16_t*>(p)[i];
      return float_from_bits(bits << 16);
    }
    case Format::fp16: {
#if defined(__CUDA_ARCH__)
      return __half2float(static_cast<const __half*>(p)[i]);
#else
      // fp16 -> fp32 is exact: rebuild the value from its fields.
      const std::uint32_t h = static_cast<const std::uint16_t*>(p)[i];
      const std::uint32_t sign = (h & 0x8000u) << 16, e = (h >> 10) & 0x1f, m = h & 0x3ff;
      if (e == 0x1f) return float_from_bits(sign | 0x7f800000u | (m << 13));
      const float mag = e == 0 ? static_cast<float>(m) * 0x1p-24f : float_from_bits(((e + 112) << 23) | (m << 13));
      return sign ? -mag : mag;
#endif
    }
    default: return static_cast<const float*>(p)[i];
  }
}

}  // namespace ulpcheck::math
