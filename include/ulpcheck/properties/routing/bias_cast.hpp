// Casting the bias once against casting it inside every call. An engine that casts the
// checkpoint's fp32 bias to the gate's dtype once, at load time, routes bit for bit like one
// that casts it on every forward pass, as long as that dtype never changes. Where it does
// (engines that switch the gate's output between fp32 and bf16 by batch size), the bias cast
// once is in the wrong dtype on every call of the other one, and some tokens change experts.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ulpcheck/device/bias_cast_kernel.hpp"
#include "ulpcheck/properties/routing/expert_sets.hpp"

namespace ulpcheck {

/// One call compared.
struct BiasCastCall {
  Format target = Format::fp32;  ///< the dtype this call casts the bias to
  std::int64_t tokens = 0;
  std::int64_t tokens_differ = 0;  ///< tokens whose ids or weight bits differ between the two ways
  std::int64_t sets_differ = 0;    ///< tokens whose expert set differs
  bool identical() const { return tokens_differ == 0; }
};

struct BiasCastComparison {
  Format cast_once_to = Format::fp32;
  std::vector<BiasCastCall> calls;
  /// The first differing token, explained (empty when every call is identical).
  std::string first_difference;

  std::int64_t identical_calls() const;
  /// Over every call: tokens, tokens whose bits differ, tokens whose expert set differs.
  std::int64_t tokens() const;
  std::int64_t tokens_differ() const;
  std::int64_t sets_differ() const;
  /// Over the calls whose target is `f`.
  std::int64_t calls_with_target(Format f) const;
  SetDifference sets_differ_on(Format target) const;
  bool bit_identical() const { return tokens_differ() == 0; }
};

/// Runs the batch (bias in fp32) through `kernel` as consecutive calls of `call_tokens`
/// tokens (the last may be shorter), two ways: with the bias cast once to `once` beforehand
/// (with_bias_in), and through BiasCastPerCall with `target` and `rounding`; compares each
/// call's ids and weights bit for bit. Throws std::invalid_argument for a bias not in fp32
/// or call_tokens < 1, KernelError when the kernel cannot run.
BiasCastComparison compare_bias_cast(const RoutingKernel& kernel, const RoutingConfig& config,
                                     const RoutingInputs& inputs, Format once,
                                     const std::function<Format(std::int64_t call)>& target, std::int64_t call_tokens,
                                     const BiasRounding& rounding = round_bias_nearest_even);

}  // namespace ulpcheck
