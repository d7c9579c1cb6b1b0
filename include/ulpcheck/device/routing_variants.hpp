// The routing variants production kernels differ in, and what each claims: shared by the
// host and CUDA builds of the same arithmetic, with the derivations beside the numbers.
#pragma once

#include <optional>
#include <string_view>

#include "ulpcheck/device/math/routing.cuh"
#include "ulpcheck/device/routing_kernel.hpp"

namespace ulpcheck::routing_variants {

enum class Sigmoid : std::uint8_t { exp, tanh };

struct Variant {
  std::string_view suffix;       ///< "fp32", "input_dtype", "tanh_sigmoid", "no_eps"
  std::string_view description;
  bool input_dtype_arithmetic;   ///< scores and sums kept in the logits' format
  Sigmoid sigmoid;
  bool epsilon;                  ///< + 1e-20 in the renormalising sum
};

/// fp32 arithmetic, 1 / (1 + e^-x), epsilon: Hugging Face's DeepSeek-V3 reference.
inline constexpr Variant kFp32{"fp32", "fp32 scores and sums, sigmoid 1/(1+e^-x), + 1e-20 in the renormalising sum "
                                       "(Hugging Face DeepSeek-V3, SGLang fp32 path)",
                               false, Sigmoid::exp, true};
inline constexpr Variant kInputDtype{"input_dtype", "scores, biased scores and group sums kept in the logits' dtype "
                                                    "(an SGLang kernel for bf16 gates)",
                                     true, Sigmoid::exp, true};
inline constexpr Variant kTanhSigmoid{"tanh_sigmoid", "sigmoid as 0.5 tanh(x/2) + 0.5 (cancels for x < 0)", false,
                                      Sigmoid::tanh, true};
inline constexpr Variant kNoEpsilon{"no_eps", "renormalising sum without the epsilon: 0/0 = NaN weights when every "
                                              "picked score vanishes (vLLM grouped_topk)",
                                    false, Sigmoid::exp, false};
inline constexpr Variant kAll[] = {kFp32, kInputDtype, kTanhSigmoid, kNoEpsilon};

/// The claim of a variant for a config and input formats; nullopt for an invalid config.
std::optional<RoutingClaim> claim(const Variant& v, const RoutingConfig& config, Format logits, Format bias);

/// The flattened parameters the per-token math takes.
math::RoutingShape shape(const Variant& v, const RoutingConfig& config, Format logits);

}  // namespace ulpcheck::routing_variants
