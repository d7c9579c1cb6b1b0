// Output and input number formats: bf16, fp16, fp32 as bit-exact values.
//
// A value is its storage bits; every value of every format is exactly a double, so the
// conversions below are exact in one direction (decode) and correctly rounded, ties to
// even, in the other (round_to). Rounding from an MPFR value lives in mpfr_rounding.hpp.
#pragma once

#include <cmath>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "ulpcheck/support/hd.hpp"

namespace ulpcheck {

enum class Format : std::uint8_t { bf16, fp16, fp32 };

/// Parameters of an IEEE-style binary format. `precision` counts the implicit bit;
/// normal numbers are m * 2^e with 1 <= m < 2 and emin <= e <= emax.
struct FormatInfo {
  std::string_view name;
  int storage_bits;
  int precision;
  int emin;
  int emax;
};

const FormatInfo& info(Format f);
std::string_view name(Format f);
/// All formats in a fixed order (bf16, fp16, fp32), for loops and help texts.
std::span<const Format> all_formats();
/// "bf16", "fp16" or "fp32"; nullopt for anything else.
std::optional<Format> parse_format(std::string_view text);

/// precision, emin, emax and storage bits of `f`, as constants host and device code both
/// read (info(f) holds the same with the name).
struct FormatShape {
  int storage_bits;
  int precision;
  int emin;
  int emax;
};
ULPCHECK_HD constexpr FormatShape format_shape(Format f) {
  switch (f) {
    case Format::bf16: return {16, 8, -126, 127};
    case Format::fp16: return {16, 11, -14, 15};
    case Format::fp32: break;
  }
  return {32, 24, -126, 127};
}

/// The value of a bit pattern (the low storage_bits bits of `bits`), exactly.
ULPCHECK_HD double decode(Format f, std::uint32_t bits) {
  const FormatShape s = format_shape(f);
  const int mant_bits = s.precision - 1, exponent_bits = s.storage_bits - s.precision;
  const std::uint32_t mant = bits & ((1u << mant_bits) - 1);
  const std::uint32_t exp_all_ones = (1u << exponent_bits) - 1;
  const std::uint32_t exp_field = (bits >> mant_bits) & exp_all_ones;
  const bool negative = (bits >> (s.storage_bits - 1)) & 1u;
  double magnitude;
  if (exp_field == exp_all_ones)
    magnitude = mant ? NAN : HUGE_VAL;
  else if (exp_field == 0)
    magnitude = static_cast<double>(mant) * hd::pow2(s.emin - mant_bits);
  else
    magnitude = static_cast<double>(mant | (1u << mant_bits)) * hd::pow2(static_cast<int>(exp_field) - s.emax - mant_bits);
  return negative ? -magnitude : magnitude;
}

/// floor(log2 |x|) clamped below at emin, minus (precision - 1): the exponent of one unit
/// in the last place of `f` at magnitude |x|. Defined for finite x, including 0.
ULPCHECK_HD int ulp_exponent(Format f, double x) {
  const FormatShape s = format_shape(f);
  const int e = x == 0.0 ? s.emin : hd::ilogb(x);
  return (e > s.emin ? e : s.emin) - s.precision + 1;
}

/// `x` rounded to `f`, to nearest with ties to even: subnormals at the bottom of the range,
/// +-inf once the rounded magnitude reaches 2^(emax+1), signs of zero kept, NaN stays NaN.
ULPCHECK_HD double round_to(Format f, double x) {
  if (!std::isfinite(x) || x == 0.0) return x;
  const int q = ulp_exponent(f, x);
  // x * 2^-q is exact: it only moves the exponent and stays inside double's normal range
  // (|x| < 2^1024 and q >= emin - p + 1 >= -149), and so is the product back. nearbyint
  // rounds ties to even in the default rounding mode, which is what makes the whole
  // function round to nearest even.
  const double r = std::nearbyint(x * hd::pow2(-q)) * hd::pow2(q);
  if (std::fabs(r) >= hd::pow2(format_shape(f).emax + 1)) return std::copysign(HUGE_VAL, x);
  return r == 0.0 ? std::copysign(0.0, x) : r;
}

/// The bit pattern of `value`, which must be representable in `f` (a result of round_to or
/// decode); NaN becomes the canonical quiet NaN. Throws std::invalid_argument otherwise.
std::uint32_t encode(Format f, double value);


/// Typed views for code that knows its format at compile time.
template <Format F>
struct Value {
  static constexpr Format format = F;
  std::uint32_t bits = 0;

  static Value from_bits(std::uint32_t b) { return Value{b}; }
  /// Correctly rounded from any double (one rounding, ties to even).
  static Value nearest(double x) { return Value{encode(F, round_to(F, x))}; }
  double value() const { return decode(F, bits); }
  friend bool operator==(Value, Value) = default;
};

using bf16 = Value<Format::bf16>;
using fp16 = Value<Format::fp16>;
using fp32 = Value<Format::fp32>;

}  // namespace ulpcheck
