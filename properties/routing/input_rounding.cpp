#include "ulpcheck/properties/routing/input_rounding.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "ulpcheck/properties/routing/inputs.hpp"
#include "ulpcheck/properties/routing/measure.hpp"

namespace ulpcheck {

RoutingInputs with_logits_in(const RoutingInputs& in, Format logits_format) {
  RoutingInputs out = in;
  out.logits_format = logits_format;
  out.logits = rounded_bits(in.logits, in.logits_format, logits_format);
  return out;
}

RoutingInputs rounded_to(const RoutingInputs& in, Format logits_format, Format bias_format) {
  return with_logits_in(with_bias_in(in, bias_format), logits_format);
}

std::span<const std::pair<Format, Format>> input_rounding_grid() {
  static constexpr std::pair<Format, Format> kGrid[] = {
      {Format::fp32, Format::fp32}, {Format::fp32, Format::bf16}, {Format::fp32, Format::fp16},
      {Format::bf16, Format::fp32}, {Format::bf16, Format::bf16}, {Format::bf16, Format::fp16},
  };
  return kGrid;
}

InputRoundingCell input_rounding_cell(const RoutingConfig& config, const std::vector<TokenRouting>& truth,
                                      Format logits, Format bias, const std::vector<TokenRouting>& rounded,
                                      const RoutingOutputs& kernel_outputs) {
  return {logits, bias, expert_sets_differ(truth, rounded), expert_sets_differ(truth, kernel_outputs, config.topk)};
}

std::vector<InputRoundingCell> input_rounding_study(const RoutingConfig& config, const RoutingInputs& fp32_inputs,
                                                    const RoutingKernel& kernel,
                                                    std::span<const std::pair<Format, Format>> grid) {
  if (fp32_inputs.logits_format != Format::fp32 || fp32_inputs.bias_format != Format::fp32)
    throw std::invalid_argument(fmt::format("input_rounding_study: the inputs must be drawn in fp32 (logits {}, bias "
                                            "{}); the truth is their exact routing",
                                            name(fp32_inputs.logits_format), name(fp32_inputs.bias_format)));
  const std::vector<TokenRouting> truth = route_exact(config, fp32_inputs);
  std::vector<InputRoundingCell> cells;
  for (const auto& [logits, bias] : grid) {
    const RoutingInputs rounded = rounded_to(fp32_inputs, logits, bias);
    const std::vector<TokenRouting> exact =
        logits == Format::fp32 && bias == Format::fp32 ? truth : route_exact(config, rounded);
    cells.push_back(
        input_rounding_cell(config, truth, logits, bias, exact, run_routing_kernel(kernel, config, rounded)));
  }
  return cells;
}

}  // namespace ulpcheck
