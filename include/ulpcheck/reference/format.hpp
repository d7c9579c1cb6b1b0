// Output and input number formats: bf16, fp16, fp32 as bit-exact values.
//
// A value is its storage bits; every value of every format is exactly a double, so the
// conversions below are exact in one direction (decode) and correctly rounded, ties to
// even, in the other (round_to). Rounding from an MPFR value lives in mpfr_rounding.hpp.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

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

/// The value of a bit pattern (the low storage_bits bits of `bits`), exactly.
double decode(Format f, std::uint32_t bits);

/// The bit pattern of `value`, which must be representable in `f` (a result of round_to or
/// decode); NaN becomes the canonical quiet NaN. Throws std::invalid_argument otherwise.
std::uint32_t encode(Format f, double value);

/// `x` rounded to `f`, to nearest with ties to even: subnormals at the bottom of the range,
/// +-inf once the rounded magnitude reaches 2^(emax+1), signs of zero kept, NaN stays NaN.
double round_to(Format f, double x);

/// floor(log2 |x|) clamped below at emin, minus (precision - 1): the exponent of one unit
/// in the last place of `f` at magnitude |x|. Defined for finite x, including 0.
int ulp_exponent(Format f, double x);

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
