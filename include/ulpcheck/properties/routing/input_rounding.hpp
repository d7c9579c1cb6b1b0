// What rounding the gate's inputs to a lower precision does to routing. Logits and bias are
// drawn in fp32; the exact routing of those fp32 inputs is the truth. For each (logits,
// bias) format the inputs are rounded first (the gate's fp32 output cast to its storage
// dtype, the checkpoint's fp32 bias cast to the gate's dtype), then routed by the oracle
// (what the rounding alone costs) and by a kernel (what a real kernel then picks), and the
// share of tokens whose expert set differs from the truth is counted.
#pragma once

#include <span>
#include <utility>
#include <vector>

#include "ulpcheck/device/routing_kernel.hpp"
#include "ulpcheck/properties/routing/expert_sets.hpp"
#include "ulpcheck/reference/routing.hpp"

namespace ulpcheck {

/// The same batch with its logits rounded to another format (its bias unchanged), to
/// nearest with ties to even: with_bias_in's counterpart for the gate's output.
RoutingInputs with_logits_in(const RoutingInputs& inputs, Format logits_format);

/// The same batch with both rounded: with_logits_in(with_bias_in(...)).
RoutingInputs rounded_to(const RoutingInputs& inputs, Format logits_format, Format bias_format);

/// One (logits, bias) format pair against the truth.
struct InputRoundingCell {
  Format logits = Format::fp32;
  Format bias = Format::fp32;
  SetDifference oracle;  ///< route_exact on the rounded inputs
  SetDifference kernel;  ///< the kernel on the rounded inputs
};

/// The pairs the study covers: logits fp32 and bf16, each with the bias in fp32, bf16 and
/// fp16 (checkpoints store it in fp32; engines cast it to the gate's dtype).
std::span<const std::pair<Format, Format>> input_rounding_grid();

/// One cell from routings computed elsewhere (a report shares them with its kernel cases):
/// `truth` routes the fp32 inputs; `rounded` and `kernel_outputs` route the inputs rounded
/// to (logits, bias), by the oracle and by the kernel (for (fp32, fp32), `rounded` is the
/// truth itself).
InputRoundingCell input_rounding_cell(const RoutingConfig& config, const std::vector<TokenRouting>& truth,
                                      Format logits, Format bias, const std::vector<TokenRouting>& rounded,
                                      const RoutingOutputs& kernel_outputs);

/// Every pair of `grid` for one batch whose logits and bias are in fp32: the truth, then per
/// pair the rounded inputs routed by the oracle and by `kernel`. Throws std::invalid_argument
/// when the inputs are not both fp32.
std::vector<InputRoundingCell> input_rounding_study(const RoutingConfig& config, const RoutingInputs& fp32_inputs,
                                                    const RoutingKernel& kernel,
                                                    std::span<const std::pair<Format, Format>> grid);

}  // namespace ulpcheck
