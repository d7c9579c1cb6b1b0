// The MoE combine step: the routed experts' outputs weighted by the router, scaled by the
// routed scaling factor, plus the shared expert's output, per token and hidden element:
//
//   out[t, h] = rsf * sum_k w[t, k] * y[t, k, h] + shared[t, h]
//
// y and shared are in the layer's storage format (bf16, fp16 or fp32), w is fp32 (the
// router's weights, without the factor), rsf an fp32 value used exactly. The exact answer is
// taken on those quantized inputs in exact arithmetic. Engines place rsf in different
// places (folded into the weights, applied to the routed sum, or the shared output divided
// by it in fp16); device/combine_variants.hpp derives what each placement can cost.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ulpcheck/reference/exact.hpp"
#include "ulpcheck/reference/format.hpp"

namespace ulpcheck {

/// The op's name wherever an op is named (commands, golden files, reports).
inline constexpr std::string_view kCombineOpName = "moe_combine";
/// Its definition, for listings.
inline constexpr std::string_view kCombineFormula = "out = routed_scaling_factor * sum_k w_k * y_k + shared";

struct CombineConfig {
  int topk = 8;
  int hidden = 64;
  /// An fp32 value, used exactly (kernels receive a float). DeepSeek-V3's is 2.5.
  double routed_scaling_factor = 2.5;

  /// Empty when valid, else what is wrong: topk in [1, 32], hidden in [1, 65536], the factor
  /// a finite fp32 value > 0.
  std::string validate() const;
  /// "k=8 hidden=64 scale=2.5"
  std::string label() const;
  friend bool operator==(const CombineConfig&, const CombineConfig&) = default;
};

/// One batch, as bit patterns: routed [tokens, topk, hidden] and shared [tokens, hidden] in
/// `format`, weights [tokens, topk] as fp32 values.
struct CombineInputs {
  Format format = Format::bf16;
  std::int64_t tokens = 0;
  std::vector<std::uint32_t> routed;
  std::vector<float> weights;
  std::vector<std::uint32_t> shared;
};

/// Empty when the inputs are sized for the config, else what is wrong (names each tensor).
std::string check_sizes(const CombineConfig& config, const CombineInputs& inputs);

/// The oracle's answer for every output element [tokens, hidden].
///
/// Non-finite inputs follow IEEE arithmetic on the exact products: a NaN input, 0 * inf
/// (a zero weight on an infinite output, or the reverse), or infinities of both signs among
/// the terms make the element NaN; otherwise an infinite term makes it that infinity. A
/// finite exact value is never NaN or infinite, however large; it may round to inf.
/// `scale` is rsf * sum_k |w_k y_k| + |shared|: the magnitude the accumulation errors of a
/// kernel scale with (the budget floor's scale for the element); +inf when a term is not
/// finite.
struct CombineExact {
  std::vector<Exact> out;
  std::vector<double> scale;
  /// Whether every input of the element (its y_k, w_k and shared) is finite.
  std::vector<std::uint8_t> finite_inputs;
};

/// The exact combine. Each element is one exact sum in MPFR (mpfr_sum at a precision that
/// holds every term's bits), then rounded once to the format and to a double-double: no
/// error bound is involved. Throws std::invalid_argument for an invalid config or inputs
/// sized wrong (the message says what). `threads` as for parallel_for.
CombineExact combine_exact(const CombineConfig& config, const CombineInputs& inputs, int threads = 0);

}  // namespace ulpcheck
