// TEMPORARY (see inputs_for_report.hpp): replaced by properties/combine/gen.hpp's
// combine_inputs once it lands.
#include "inputs_for_report.hpp"

#include <cmath>
#include <random>

namespace ulpcheck::temporary {

namespace {

/// A value of either sign, its binade uniform in [-6, 6], its significand uniform in [1, 2),
/// rounded to `format` (all of these are normal and finite in bf16, fp16 and fp32).
std::uint32_t report_combine_value(std::mt19937_64& rng, Format format) {
  std::uniform_int_distribution<int> binade(-6, 6);
  std::uniform_real_distribution<double> significand(1.0, 2.0);
  const double magnitude = std::ldexp(significand(rng), binade(rng));
  const double v = (rng() & 1u) ? -magnitude : magnitude;
  return encode(format, round_to(format, v));
}

}  // namespace

CombineInputs report_combine_inputs(const CombineConfig& c, Format format, std::int64_t tokens, std::uint64_t seed) {
  // The seed mixed with what tells batches apart, so that each (config, format) draws its own.
  std::seed_seq mix{seed, static_cast<std::uint64_t>(c.topk), static_cast<std::uint64_t>(c.hidden),
                    static_cast<std::uint64_t>(std::llround(c.routed_scaling_factor * 1024.0)),
                    static_cast<std::uint64_t>(format)};
  std::mt19937_64 rng(mix);
  CombineInputs in;
  in.format = format;
  in.tokens = tokens;
  const auto T = static_cast<std::size_t>(tokens), K = static_cast<std::size_t>(c.topk),
             H = static_cast<std::size_t>(c.hidden);
  in.routed.resize(T * K * H);
  in.weights.resize(T * K);
  in.shared.resize(T * H);
  // Weights in (0, 1): the nextafter keeps 0 itself out.
  std::uniform_real_distribution<float> weight(std::nextafter(0.0f, 1.0f), 1.0f);
  for (float& w : in.weights) w = weight(rng);
  for (std::uint32_t& y : in.routed) y = report_combine_value(rng, format);
  for (std::uint32_t& s : in.shared) s = (rng() % 16 == 0) ? encode(format, 0.0) : report_combine_value(rng, format);
  return in;
}

}  // namespace ulpcheck::temporary
