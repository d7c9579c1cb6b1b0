// A routing kernel under test: anything that computes biased grouped top-k for some
// configurations and input formats, declaring the arithmetic it does so that the checks
// can tell a legitimate near-tie flip from a routing error.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ulpcheck/device/kernel.hpp"
#include "ulpcheck/reference/budget.hpp"
#include "ulpcheck/reference/routing.hpp"

namespace ulpcheck {

/// What a routing kernel declares about its arithmetic and its output.
struct RoutingClaim {
  /// The format its scores, biased scores and group sums are computed and kept in: fp32,
  /// or the input format (one SGLang kernel adds the bias and sums group scores in bf16
  /// for bf16 inputs). A flip at a boundary whose exact margin lies within what this
  /// arithmetic can resolve is a near-tie, not an error.
  Format arithmetic = Format::fp32;
  /// A bound on the absolute error of each score s beyond what the arithmetic format's
  /// rounding explains (0.5 tanh(x/2) + 0.5 is off by up to 2^-22 wherever tanh is near
  /// -1): it widens the tie band the same way.
  double score_abs_error = 0.0;
  /// Each fp32 weight w with exact value r passes when |w - r| <= max(max_ulp ulp(r),
  /// abs_floor * routed_scaling_factor).
  Budget weights{.max_ulp = 16.0, .abs_floor = 0.0};
  /// A weight whose own exact score, or whose token's picked scores summed, is below this
  /// is not held to `weights`: the arithmetic cannot represent such scores (fp32's sigmoid
  /// reaches its subnormals near logit -87 and 0 below -104; softmax scores one by one).
  /// They are counted apart, like the floor region of the elementwise ops.
  double min_score_sum = 0x1p-120;
  /// Renormalising without an epsilon gives 0/0 = NaN weights when every picked score is 0
  /// in the kernel's arithmetic; a kernel that does so declares it, and the checks then
  /// expect NaN there rather than fail it.
  bool nan_weights_when_scores_vanish = false;
  /// Whether ids come out best first (decreasing biased score); if not, only the set counts.
  bool sorted = true;
};

/// Output of one batch: ids and weights [tokens, topk], row-major.
struct RoutingOutputs {
  std::vector<std::int32_t> ids;
  std::vector<float> weights;
};

class RoutingKernel {
 public:
  virtual ~RoutingKernel() = default;
  /// "<backend>.<variant>", e.g. "host.routing_fp32".
  virtual std::string_view name() const = 0;
  virtual std::string_view description() const = 0;
  /// The claim for this configuration and these input formats, or nullopt when the kernel
  /// does not take them (a kernel may declare narrower limits than the op's; the checks
  /// then test exactly what it declares).
  virtual std::optional<RoutingClaim> claim(const RoutingConfig& config, Format logits, Format bias) const = 0;
  /// Fills outputs (the caller sizes them [tokens, topk] and poisons them). Throws
  /// KernelError when it cannot run.
  virtual void run(const RoutingConfig& config, const RoutingInputs& inputs, RoutingOutputs& outputs) const = 0;
};

/// Throws KernelError naming the kernel unless the config is valid and the inputs and
/// outputs are sized for it: logits [tokens, experts], bias [experts], ids and weights
/// [tokens, topk]. Every built-in kernel checks this before it runs.
void require_valid_run(std::string_view kernel, const RoutingConfig& config, const RoutingInputs& inputs,
                       const RoutingOutputs& outputs);

/// Every routing kernel: host ones, then CUDA ones of this build, then plugins' and the C
/// API's. The span is valid until the next add_routing_kernel or remove_kernel.
std::span<const RoutingKernel* const> all_routing_kernels();
/// Appends a routing kernel (a plugin's); it must outlive its registration.
void add_routing_kernel(const RoutingKernel* kernel);
const RoutingKernel* find_routing_kernel(std::string_view name);
/// Every routing kernel that can run in this process: all of them but the CUDA ones when
/// there is no GPU.
std::vector<const RoutingKernel*> runnable_routing_kernels();

}  // namespace ulpcheck
