// Routing batches drawn from distributions like real gates: logits N(mean, sd) and biases
// like those of real checkpoints, each rounded to its storage format; or uniform bit
// patterns, which reach NaN, inf and subnormals.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ulpcheck/reference/routing.hpp"

namespace ulpcheck {

struct Distribution {
  enum class Kind : std::uint8_t { normal, bits } kind = Kind::normal;
  double mean = 0.0;
  double sd = 1.0;
  /// "N(2.5, 0.5^2)" or "uniform bit patterns".
  std::string label() const;
  static Distribution normal(double mean, double sd) { return {Kind::normal, mean, sd}; }
  static Distribution bits() { return {Kind::bits, 0.0, 0.0}; }
};

/// Bias distributions like those of real checkpoints' e_score_correction_bias: DeepSeek-V3's
/// are all >= 2.02 with a spread of about 0.5; other models sit around 7 with a spread of
/// about 0.25; a freshly initialised gate is around 0.
struct NamedBias {
  std::string_view name;
  Distribution distribution;
};
inline constexpr NamedBias kCheckpointBiases[] = {
    {"deepseek_v3", {Distribution::Kind::normal, 2.5, 0.5}},
    {"around_7", {Distribution::Kind::normal, 7.0, 0.25}},
    {"around_0", {Distribution::Kind::normal, 0.0, 0.5}},
};

/// A batch of `tokens` tokens: logits drawn from `logits` and rounded to `logits_format`,
/// one bias vector drawn from `bias` and rounded to `bias_format`. The same seed gives the
/// same bits everywhere (std::mt19937_64 and a Box-Muller transform of its output).
RoutingInputs routing_batch(const RoutingConfig& config, Format logits_format, Format bias_format, std::int64_t tokens,
                            const Distribution& logits, const Distribution& bias, std::uint64_t seed);

/// The same batch with its bias rounded to another format (its logits unchanged), as a
/// kernel that casts the bias to the gate's dtype sees it.
RoutingInputs with_bias_in(const RoutingInputs& inputs, Format bias_format);

/// Bit patterns of `from` rounded to nearest even in `to`.
std::vector<std::uint32_t> rounded_bits(const std::vector<std::uint32_t>& bits, Format from, Format to);

}  // namespace ulpcheck
