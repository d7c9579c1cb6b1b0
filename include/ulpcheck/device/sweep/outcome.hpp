// One element of an exhaustive sweep, checked: what the case's figures need of it (its ULP
// error, flags, and where it goes in the tables), computed alike on the GPU, for the
// 2^32 elements of a sweep, and on the host, for the few the GPU oracle leaves to MPFR.
#pragma once

#include <cmath>
#include <cstdint>

#include "ulpcheck/reference/element_check.hpp"

namespace ulpcheck::sweep {

/// The element space: 65536 rows of 65536 elements. Gated ops on a 16-bit format: element
/// (row, col) is the pair gate = col, up = row (bit patterns); unary ops on fp32: the input
/// whose bits are row * 65536 + col. A kernel call takes a run of whole rows.
inline constexpr std::int64_t kRowElements = 65536, kRows = 65536;

/// Buckets of the tables by binade (properties/case_figures.hpp lays rows out alike):
/// binades -160 .. 159 take slots 0 .. 319 (below the smallest fp32 subnormal to past the
/// largest fp32 value). Input buckets: negative inputs by slot, then positive ones, then zero
/// and non-finite; result buckets: |exact| by slot, then zero, underflow (below the format's
/// smallest subnormal) and non-finite.
inline constexpr int kBinadeOffset = 160, kBinadeSlots = 320;
inline constexpr int kInputZero = 2 * kBinadeSlots, kInputNonFinite = kInputZero + 1, kInputBuckets = kInputZero + 2;
inline constexpr int kResultZero = kBinadeSlots, kResultUnderflow = kResultZero + 1,
                     kResultNonFinite = kResultZero + 2, kResultBuckets = kResultZero + 3;

/// Input classes of the special-value table, as properties' ValueClass orders them.
inline constexpr int kValueClasses = 6;  // NaN, +inf, -inf, zero, subnormal, normal
ULPCHECK_HD int value_class(Format f, double v) {
  if (std::isnan(v)) return 0;
  if (std::isinf(v)) return v > 0 ? 1 : 2;
  if (v == 0.0) return 3;
  return std::fabs(v) < hd::pow2(format_shape(f).emin) ? 4 : 5;
}

/// Log-scale ULP bins of properties' ulp_histogram: [0, 2^-8), [2^k, 2^(k+1)) for k = -8..31,
/// [2^32, inf).
inline constexpr int kHistogramBins = 42;
ULPCHECK_HD int histogram_bin(float e) {
  if (!(e >= 0x1p-8f)) return 0;  // properties' ulp_histogram bins the float figure too
  if (!(e < 0x1p32f)) return kHistogramBins - 1;  // inf too: a double figure past float's range
  return hd::ilogb(e) + 9;
}

struct Outcome {
  static constexpr std::uint8_t kNumeric = 1, kCorrectlyRounded = 2, kInFloor = 4, kBreach = 8, kSemantic = 16,
                                kViolation = 32;
  double ulp = 0.0;  ///< 0 when not numeric
  std::uint8_t flags = 0;
  std::int16_t input_bucket = 0, result_bucket = 0;  ///< meaningful for numeric elements
  std::uint8_t x0_class = 0, x1_class = 0;

  ULPCHECK_HD bool has(std::uint8_t f) const { return (flags & f) != 0; }
};

/// The outcome of `got` against `exact` for an element with inputs x0 (input or gate) and
/// x1 (up; ignored for unary ops), as check_element judges it.
ULPCHECK_HD Outcome outcome_of(Format f, bool gated, double x0, double x1, double got, const Exact& exact,
                               double floor_scale, const Budget& budget) {
  const bool finite_inputs = std::isfinite(x0) && (!gated || std::isfinite(x1));
  const ElementCheck c = check_element(f, got, exact, finite_inputs, floor_scale, budget);
  Outcome o;
  o.x0_class = static_cast<std::uint8_t>(value_class(f, x0));
  o.x1_class = static_cast<std::uint8_t>(gated ? value_class(f, x1) : 0);
  if (c.correctly_rounded) o.flags |= Outcome::kCorrectlyRounded;
  if (c.semantics != Semantics::agree) o.flags |= Outcome::kSemantic;
  if (c.semantic_violation) o.flags |= Outcome::kViolation;
  if (!c.within_budget) o.flags |= Outcome::kBreach;
  if (!c.numeric) return o;
  o.flags |= Outcome::kNumeric;
  if (c.in_floor_region) o.flags |= Outcome::kInFloor;
  o.ulp = c.ulp_error;
  if (!std::isfinite(x0))
    o.input_bucket = kInputNonFinite;
  else if (x0 == 0.0)
    o.input_bucket = kInputZero;
  else
    o.input_bucket = static_cast<std::int16_t>((std::signbit(x0) ? 0 : kBinadeSlots) + hd::ilogb(x0) + kBinadeOffset);
  const DoubleDouble& r = exact.value;
  if (r.hi == 0.0) {
    o.result_bucket = kResultZero;
  } else if (!std::isfinite(r.hi)) {
    o.result_bucket = kResultNonFinite;
  } else {
    const int b = hd::ilogb(r.hi);  // as ErrorStats records it
    const FormatShape s = format_shape(f);
    const int slot = b + kBinadeOffset;
    o.result_bucket = static_cast<std::int16_t>(b < s.emin - s.precision + 1 ? kResultUnderflow
                                                                              : (slot < kBinadeSlots ? slot : kBinadeSlots - 1));
  }
  return o;
}

}  // namespace ulpcheck::sweep
