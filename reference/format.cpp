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

constexpr FormatInfo info_of(std::string_view name, Format f) {
  const FormatShape s = format_shape(f);
  return {name, s.storage_bits, s.precision, s.emin, s.emax};
}
constexpr std::array<FormatInfo, 3> kFormats{
    {info_of("bf16", Format::bf16), info_of("fp16", Format::fp16), info_of("fp32", Format::fp32)}};
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
