#include "kernels/silu_and_mul.hpp"

#include <bit>
#include <cmath>

namespace mykernels {
namespace {

/// bf16 is the top half of an fp32: widening is exact.
float bf16_to_float(std::uint16_t h) { return std::bit_cast<float>(static_cast<std::uint32_t>(h) << 16); }

/// fp32 -> bf16 to nearest, ties to even: adding 0x7fff plus the lowest kept bit rounds the
/// dropped half, a carry into the exponent giving inf or the smallest normal as it should.
/// A NaN is made quiet instead, since the carry could turn it into inf.
std::uint16_t float_to_bf16(float f) {
  std::uint32_t b = std::bit_cast<std::uint32_t>(f);
  if ((b & 0x7fffffffu) > 0x7f800000u) return static_cast<std::uint16_t>((b >> 16) | 0x0040u);
  b += 0x7fffu + ((b >> 16) & 1u);
  return static_cast<std::uint16_t>(b >> 16);
}

/// e^x as Schraudolph's trick computes it: x / ln 2 scaled by 2^23 and added to the exponent
/// bias lands in the exponent field, the fraction field interpolating linearly between powers
/// of two. 12102203 = 2^23 / ln 2; 1064866805 is the bias 127 * 2^23 less his shift for the
/// least RMS relative error. Outside [-87, 87] the sum would leave the exponent field (and
/// the conversion overflow near 177), so there it defers to std::exp: what remains wrong is
/// the approximation alone, not overflow or NaN handling.
float bit_trick_exp(float x) {
  if (!(std::fabs(x) <= 87.0f)) return std::exp(x);
  return std::bit_cast<float>(static_cast<std::int32_t>(12102203.0f * x) + 1064866805);
}

template <float (*Exp)(float)>
void silu_and_mul_rows(const std::uint16_t* gate_up, std::uint16_t* out, std::int64_t tokens, std::int64_t d) {
  for (std::int64_t t = 0; t < tokens; ++t) {
    for (std::int64_t j = 0; j < d; ++j) {
      const float g = bf16_to_float(gate_up[t * 2 * d + j]);
      const float u = bf16_to_float(gate_up[t * 2 * d + d + j]);
      out[t * d + j] = float_to_bf16(g / (1.0f + Exp(-g)) * u);
    }
  }
}

float libm_exp(float x) { return std::exp(x); }

}  // namespace

void silu_and_mul_bf16(const std::uint16_t* gate_up, std::uint16_t* out, std::int64_t tokens, std::int64_t d) {
  silu_and_mul_rows<libm_exp>(gate_up, out, tokens, d);
}

void silu_and_mul_bf16_bit_trick_exp(const std::uint16_t* gate_up, std::uint16_t* out, std::int64_t tokens,
                                     std::int64_t d) {
  silu_and_mul_rows<bit_trick_exp>(gate_up, out, tokens, d);
}

}  // namespace mykernels
