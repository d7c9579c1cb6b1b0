#include "ulpcheck/properties/routing/inputs.hpp"

#include <fmt/format.h>

#include <cmath>
#include <numbers>
#include <random>

namespace ulpcheck {

namespace {

/// A standard normal deviate from two uniform 53-bit draws (Box-Muller): unlike
/// std::normal_distribution, the same on every standard library.
double standard_normal(std::mt19937_64& rng) {
  const auto uniform = [&] { return (static_cast<double>(rng() >> 11) + 0.5) * 0x1p-53; };
  const double u1 = uniform(), u2 = uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

std::uint32_t draw(std::mt19937_64& rng, Format f, const Distribution& d) {
  if (d.kind == Distribution::Kind::bits) {
    const std::uint32_t mask = info(f).storage_bits == 32 ? 0xffffffffu : 0xffffu;
    return static_cast<std::uint32_t>(rng()) & mask;
  }
  return encode(f, round_to(f, d.mean + d.sd * standard_normal(rng)));
}

}  // namespace

std::string Distribution::label() const {
  if (kind == Kind::bits) return "uniform bit patterns";
  return fmt::format("N({:g}, {:g}^2)", mean, sd);
}

RoutingInputs routing_batch(const RoutingConfig& c, Format logits_format, Format bias_format, std::int64_t tokens,
                            const Distribution& logits, const Distribution& bias, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  RoutingInputs in{logits_format, bias_format, tokens, {}, {}};
  in.bias.resize(static_cast<std::size_t>(c.experts));
  for (auto& b : in.bias) b = draw(rng, bias_format, bias);
  in.logits.resize(static_cast<std::size_t>(tokens * c.experts));
  for (auto& x : in.logits) x = draw(rng, logits_format, logits);
  return in;
}

std::vector<std::uint32_t> rounded_bits(const std::vector<std::uint32_t>& bits, Format from, Format to) {
  std::vector<std::uint32_t> out(bits.size());
  for (std::size_t i = 0; i < bits.size(); ++i) out[i] = encode(to, round_to(to, decode(from, bits[i])));
  return out;
}

RoutingInputs with_bias_in(const RoutingInputs& in, Format bias_format) {
  RoutingInputs out = in;
  out.bias_format = bias_format;
  out.bias = rounded_bits(in.bias, in.bias_format, bias_format);
  return out;
}

}  // namespace ulpcheck
