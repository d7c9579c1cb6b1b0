#include "ulpcheck/device/bias_cast_kernel.hpp"

#include <fmt/format.h>

namespace ulpcheck {

std::uint32_t round_bias_nearest_even(Format target, float value, std::int64_t) {
  return encode(target, round_to(target, value));
}

BiasCastPerCall::BiasCastPerCall(const RoutingKernel& inner, std::function<Format(std::int64_t)> target,
                                 BiasRounding rounding)
    : inner_(inner),
      target_(std::move(target)),
      rounding_(std::move(rounding)),
      name_(fmt::format("{}+bias_cast_per_call", inner.name())),
      description_(fmt::format("{}, the fp32 bias cast to the gate's dtype inside every call", inner.description())) {}

std::optional<RoutingClaim> BiasCastPerCall::claim(const RoutingConfig& c, Format logits, Format bias) const {
  if (bias != Format::fp32) return std::nullopt;
  return inner_.claim(c, logits, bias);
}

void BiasCastPerCall::run(const RoutingConfig& c, const RoutingInputs& in, RoutingOutputs& out) const {
  if (in.bias_format != Format::fp32)
    throw KernelError(fmt::format("{}: the bias must come in fp32 (as the checkpoint stores it), not {}", name_,
                                  ulpcheck::name(in.bias_format)));
  const std::int64_t call = calls_.fetch_add(1);
  const Format target = target_(call);
  RoutingInputs cast = in;
  cast.bias_format = target;
  for (std::size_t e = 0; e < in.bias.size(); ++e)
    cast.bias[e] = rounding_(target, static_cast<float>(decode(Format::fp32, in.bias[e])), call);
  inner_.run(c, cast, out);
}

}  // namespace ulpcheck
