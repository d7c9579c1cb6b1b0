// Inputs for the combine kernels' tests, host and CUDA alike: routed and shared outputs of
// mixed signs over 2^-6 .. 2^6 (so the terms cancel), weights in (0, 1) as a router gives
// them, not summing to 1.
#pragma once

#include <cmath>
#include <random>

#include "ulpcheck/reference/combine.hpp"

namespace ulpcheck::testing {

inline CombineInputs random_combine_inputs(const CombineConfig& c, Format f, std::int64_t tokens, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> value(0.0, 1.0);
  std::uniform_real_distribution<double> binade(-6.0, 6.0), weight(0.0, 1.0);
  const auto draw = [&] { return encode(f, round_to(f, value(rng) * std::exp2(std::floor(binade(rng))))); };
  CombineInputs in{f, tokens, {}, {}, {}};
  for (std::int64_t i = 0; i < tokens * c.topk * c.hidden; ++i) in.routed.push_back(draw());
  for (std::int64_t i = 0; i < tokens * c.topk; ++i) in.weights.push_back(static_cast<float>(weight(rng)));
  for (std::int64_t i = 0; i < tokens * c.hidden; ++i) in.shared.push_back(draw());
  return in;
}

}  // namespace ulpcheck::testing
