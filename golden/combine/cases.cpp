#include "ulpcheck/golden/combine/cases.hpp"

#include <fmt/format.h>

#include <cmath>
#include <random>

namespace ulpcheck::golden {

namespace {

/// Outputs of either sign with exponents in [kLowestExponent, kHighestExponent]: 14 binades,
/// so terms of one element differ in magnitude by up to 2^13 and the roundings of the small
/// ones matter; the largest sum (32 terms of 2^4 at factor 2.5) stays far inside fp16.
constexpr int kLowestExponent = -10, kHighestExponent = 3;

/// A value of either sign with a uniformly drawn binade and 52 drawn mantissa bits, rounded
/// to `format` (ties to even). std::ldexp of an integer is exact, so every platform draws
/// the same value.
std::uint32_t combine_golden_value(std::mt19937_64& rng, Format format) {
  const std::uint64_t draw = rng();
  const bool negative = (draw >> 63) != 0;
  const int binades = kHighestExponent - kLowestExponent + 1;
  const int exponent = kLowestExponent + static_cast<int>((draw >> 52 & 0x7ff) % static_cast<unsigned>(binades));
  const double mantissa = static_cast<double>((draw & ((std::uint64_t{1} << 52) - 1)) | (std::uint64_t{1} << 52));
  const double value = std::ldexp(mantissa, exponent - 52);
  return encode(format, round_to(format, negative ? -value : value));
}

/// An fp32 weight in (0, 1): (2u + 1) / 2^24 for u drawn from 23 bits, exact in fp32.
float combine_golden_weight(std::mt19937_64& rng) {
  const std::uint64_t u = rng() >> 41;
  return static_cast<float>(std::ldexp(static_cast<double>(2 * u + 1), -24));
}

}  // namespace

std::string CombineCaseSpec::group() const { return fmt::format("/{}/{}", ulpcheck::name(format), name); }

std::vector<CombineCaseSpec> combine_case_specs() {
  struct Shape {
    const char* name;
    CombineConfig config;
    std::int64_t tokens;
  };
  const Shape shapes[] = {
      // DeepSeek-V3: 8 routed experts per token, factor 2.5 (hidden 7168 there; 256 keeps the
      // file small and still spans whole vector widths).
      {"deepseek_v3", {8, 256, 2.5}, 2},
      // One expert: the sum is a single product, so every placement rounds the same terms.
      {"topk=1", {1, 128, 2.5}, 4},
      // The widest top-k the op takes: the longest sums, the largest accumulated error.
      {"topk=32", {32, 64, 2.5}, 2},
      // 77 is odd and no vector width (2, 4, 8) divides it: the kernels' tail paths.
      {"odd_hidden=77", {6, 77, 16.0}, 3},
      // No scaling at all: the placements of the factor agree but for their roundings.
      {"scale=1", {8, 64, 1.0}, 4},
      // A factor below 1 that binary cannot hold: 0.1f as the kernels receive it.
      {"scale=0.1", {8, 64, static_cast<double>(0.1f)}, 4},
  };
  std::vector<CombineCaseSpec> out;
  for (Format f : {Format::bf16, Format::fp16, Format::fp32})
    for (const Shape& s : shapes) out.push_back({s.name, f, s.config, s.tokens});
  return out;
}

std::string golden_combine_input_label() {
  return fmt::format("std::mt19937_64(seed): routed, then weights, then shared; outputs +-[2^{}, 2^{}) uniform binade "
                     "and 52 mantissa bits rounded to the format; weights (2u+1)/2^24, u of 23 bits",
                     kLowestExponent, kHighestExponent + 1);
}

CombineInputs golden_combine_inputs(const CombineConfig& c, Format f, std::int64_t tokens, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  CombineInputs in;
  in.format = f;
  in.tokens = tokens;
  const auto T = static_cast<std::size_t>(tokens), K = static_cast<std::size_t>(c.topk),
             H = static_cast<std::size_t>(c.hidden);
  in.routed.resize(T * K * H);
  for (std::uint32_t& y : in.routed) y = combine_golden_value(rng, f);
  in.weights.resize(T * K);
  for (float& w : in.weights) w = combine_golden_weight(rng);
  in.shared.resize(T * H);
  for (std::uint32_t& s : in.shared) s = combine_golden_value(rng, f);
  return in;
}

}  // namespace ulpcheck::golden
