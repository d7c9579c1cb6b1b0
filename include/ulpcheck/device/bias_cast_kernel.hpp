// A routing kernel as an engine runs it when it keeps the correction bias in fp32, as the
// checkpoints store it, and casts it to the gate's output dtype inside every forward pass
// instead of once at load time. Casting once and casting per call agree bit for bit only
// while that dtype never changes; some engines switch the gate's output between fp32 and
// bf16 by batch size.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "ulpcheck/device/routing_kernel.hpp"

namespace ulpcheck {

/// Rounds one fp32 bias value to `target` on the `call`-th call (0, 1, ...), giving bits of
/// `target`. The call index lets a test plant a cast that misbehaves only now and then.
using BiasRounding = std::function<std::uint32_t(Format target, float value, std::int64_t call)>;

/// Round to nearest, ties to even, whatever the call: a framework's dtype cast, and what
/// with_bias_in does once.
std::uint32_t round_bias_nearest_even(Format target, float value, std::int64_t call);

class BiasCastPerCall final : public RoutingKernel {
 public:
  /// `target(call)` is the gate's output dtype on the call-th call: the bias is cast to it.
  BiasCastPerCall(const RoutingKernel& inner, std::function<Format(std::int64_t call)> target,
                  BiasRounding rounding = round_bias_nearest_even);
  /// "<inner>+bias_cast_per_call".
  std::string_view name() const override { return name_; }
  std::string_view description() const override { return description_; }
  /// The inner kernel's claim, for a bias in fp32 only (what this wrapper receives).
  std::optional<RoutingClaim> claim(const RoutingConfig& config, Format logits, Format bias) const override;
  /// Casts the fp32 bias of `inputs` to this call's target and runs the inner kernel on it.
  /// Throws KernelError for a bias that is not fp32.
  void run(const RoutingConfig& config, const RoutingInputs& inputs, RoutingOutputs& outputs) const override;
  /// Calls so far.
  std::int64_t calls() const { return calls_.load(); }

 private:
  const RoutingKernel& inner_;
  std::function<Format(std::int64_t)> target_;
  BiasRounding rounding_;
  std::string name_, description_;
  mutable std::atomic<std::int64_t> calls_{0};
};

}  // namespace ulpcheck
