#include "ulpcheck/reference/format.hpp"

#include <array>
#include <bit>
#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace ulpcheck {
namespace {

constexpr std::array<FormatInfo, 3> kFormats{{
    {"bf16", 16, 8, -126, 127},
    {"fp16", 16, 11, -14, 15},
    {"fp32", 32, 24, -126, 127},
}};
constexpr std::array kAll{Format::bf16, Format::fp16, Format::fp32};

int exponent_bits(const FormatInfo& fi) { return fi.storage_bits - fi.precision; }
int bias(const FormatInfo& fi) { return fi.emax; }

}  // namespace

const FormatInfo& info(Format f) { return kFormats[static_cast<int>(f)]; }
std::string_view name(Format f) { return info(f).name; }
std::span<const Format> all_formats() { return kAll; }

std::optional<Format> parse_format(std::string_view text) {
  for (Format f : kAll)
    if (name(f) == text) return f;
  return std::nullopt;
}

double decode(Format f, std::uint32_t bits) {
  const FormatInfo& fi = info(f);
  const int mant_bits = fi.precision - 1;
  const std::uint32_t mant = bits & ((1u << mant_bits) - 1);
  const std::uint32_t exp_field = (bits >> mant_bits) & ((1u << exponent_bits(fi)) - 1);
  const bool negative = (bits >> (fi.storage_bits - 1)) & 1u;
  const std::uint32_t exp_all_ones = (1u << exponent_bits(fi)) - 1;
  double magnitude;
  if (exp_field == exp_all_ones) {
    magnitude = mant ? std::numeric_limits<double>::quiet_NaN()
                     : std::numeric_limits<double>::infinity();
  } else if (exp_field == 0) {
    magnitude = std::ldexp(static_cast<double>(mant), fi.emin - mant_bits);
  } else {
    magnitude = std::ldexp(static_cast<double>(mant | (1u << mant_bits)),
                           static_cast<int>(exp_field) - bias(fi) - mant_bits);
  }
  return negative ? -magnitude : magnitude;
}

int ulp_exponent(Format f, double x) {
  const FormatInfo& fi = info(f);
  const int e = (x == 0.0) ? fi.emin : std::max(std::ilogb(x), fi.emin);
  return e - fi.precision + 1;
}

double round_to(Format f, double x) {
  if (!std::isfinite(x) || x == 0.0) return x;
  const FormatInfo& fi = info(f);
  const int q = ulp_exponent(f, x);
  // x * 2^-q is exact: it only moves the exponent and stays inside double's normal range
  // (|x| < 2^1024 and q >= emin - p + 1 >= -149). nearbyint rounds ties to even in the
  // default rounding mode, which is what makes the whole function round to nearest even.
  const double n = std::nearbyint(std::ldexp(x, -q));
  const double r = std::ldexp(n, q);
  if (std::fabs(r) >= std::ldexp(1.0, fi.emax + 1)) return std::copysign(HUGE_VAL, x);
  return r == 0.0 ? std::copysign(0.0, x) : r;
}

std::uint32_t encode(Format f, double value) {
  const FormatInfo& fi = info(f);
  const int mant_bits = fi.precision - 1;
  const std::uint32_t sign = std::signbit(value) ? (1u << (fi.storage_bits - 1)) : 0u;
  const std::uint32_t exp_all_ones = (1u << exponent_bits(fi)) - 1;
  if (std::isnan(value)) return (exp_all_ones << mant_bits) | (1u << (mant_bits - 1));
  if (std::isinf(value)) return sign | (exp_all_ones << mant_bits);
  if (value == 0.0) return sign;
  if (round_to(f, value) != value)
    throw std::invalid_argument("encode: " + std::to_string(value) + " is not a " +
                                std::string(fi.name) + " value");
  const double a = std::fabs(value);
  const int e = std::ilogb(a);
  if (e < fi.emin) {
    const auto mant = static_cast<std::uint32_t>(std::ldexp(a, mant_bits - fi.emin));
    return sign | mant;
  }
  const auto mant = static_cast<std::uint32_t>(std::ldexp(a, mant_bits - e)) & ((1u << mant_bits) - 1);
  return sign | (static_cast<std::uint32_t>(e + bias(fi)) << mant_bits) | mant;
}

}  // namespace ulpcheck
