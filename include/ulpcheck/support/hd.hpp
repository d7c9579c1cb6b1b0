// ULPCHECK_HD marks arithmetic that host and CUDA code share, so both compile the same
// lines and can be compared bit for bit: the kernels' per-element math (device/math/) and
// the oracle's double and double-double tiers (reference/), which the GPU sweep runs.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

#if defined(__CUDACC__)
#define ULPCHECK_HD __host__ __device__ __forceinline__
#else
#define ULPCHECK_HD inline
#endif

namespace ulpcheck::hd {

/// a + b, a * b and a * b + c, each rounded once, never contracted: error-free transforms
/// rely on each operation's own rounding, and nvcc fuses a * b + c into one FMA by default
/// (the host compiler, for x86-64 without -mfma, does not), so written plainly the GPU
/// would compute other bits.
ULPCHECK_HD double add(double a, double b) {
#if defined(__CUDA_ARCH__)
  return __dadd_rn(a, b);
#else
  return a + b;
#endif
}
ULPCHECK_HD double mul(double a, double b) {
#if defined(__CUDA_ARCH__)
  return __dmul_rn(a, b);
#else
  return a * b;
#endif
}

/// Whether x is a normal double (not zero, subnormal, infinite or NaN), written out: with
/// std::isnormal the double tier compiled for an H200 (CUDA 13) left every element it
/// should decide undecided, while the same lines on the host decided them.
ULPCHECK_HD bool is_normal(double x) {
  const double a = x < 0 ? -x : x;
  return a >= 0x1p-1022 && a <= 0x1.fffffffffffffp+1023;
}

/// 2^k for -1074 <= k <= 1023, exactly: the power of two built from its bits (a normal
/// double's exponent field, or a subnormal's one mantissa bit), where std::ldexp(1.0, k) on
/// the device is a library call with range checks.
ULPCHECK_HD double pow2(int k) {
  const std::uint64_t bits = k >= -1022 ? static_cast<std::uint64_t>(k + 1023) << 52 : std::uint64_t{1} << (k + 1074);
#if defined(__CUDA_ARCH__)
  return __longlong_as_double(static_cast<long long>(bits));
#else
  double d;
  std::memcpy(&d, &bits, sizeof d);
  return d;
#endif
}

/// std::ilogb and std::ldexp, with the device taking normal doubles (every value the sweep's
/// hot path sees) straight from the exponent field; zeros, subnormals, infinities, NaN and
/// results out of the normal range go to the library functions, so the answers are theirs.
/// The host calls the library functions throughout.
ULPCHECK_HD int ilogb(double x) {
#if defined(__CUDA_ARCH__)
  const int e = static_cast<int>((static_cast<unsigned long long>(__double_as_longlong(x)) >> 52) & 0x7ff);
  if (e != 0 && e != 0x7ff) return e - 1023;
  return ::ilogb(x);
#else
  return std::ilogb(x);
#endif
}
ULPCHECK_HD double ldexp(double x, int n) {
#if defined(__CUDA_ARCH__)
  const long long bits = __double_as_longlong(x);
  const int e = static_cast<int>((static_cast<unsigned long long>(bits) >> 52) & 0x7ff);
  if (e != 0 && e != 0x7ff && n > -e && n < 0x7ff - e) return __longlong_as_double(bits + (static_cast<long long>(n) << 52));
  return ::ldexp(x, n);
#else
  return std::ldexp(x, n);
#endif
}

}  // namespace ulpcheck::hd
