// A combine kernel under test: anything that computes the MoE combine (reference/
// combine.hpp) for some configs and storage formats, declaring how far from the exact sum
// its placement of the scaling factor and its roundings can take it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ulpcheck/device/kernel.hpp"
#include "ulpcheck/reference/budget.hpp"
#include "ulpcheck/reference/combine.hpp"

namespace ulpcheck {

/// What a combine kernel declares. An output y with exact value r passes when
///
///   |y - r| <= max(max_ulp * ulp(r),  relative * s + absolute)
///
/// with s = rsf * sum_k |w_k y_k| + |shared| (CombineExact::scale). The ULP part is the final
/// rounding; the floor is what the roundings before it can cost, which scales with the
/// terms and not with their sum: where the terms cancel, r is small and only the floor
/// can hold the error. `absolute` covers roundings into the subnormals of the formats the
/// kernel rounds to, which are absolute, not relative.
struct CombineClaim {
  double max_ulp = 1.0;
  double relative = 0.0;
  double absolute = 0.0;

  /// The element's floor, relative * s + absolute.
  double floor(double scale) const { return relative * scale + absolute; }
  /// As an elementwise budget whose floor scale is floor(s): check_element(f, y, exact,
  /// finite, floor(s), budget()) applies the rule above.
  Budget budget() const { return Budget{.max_ulp = max_ulp, .abs_floor = 1.0}; }
};

class CombineKernel {
 public:
  virtual ~CombineKernel() = default;
  /// "<backend>.<variant>", e.g. "host.combine_fold_fused".
  virtual std::string_view name() const = 0;
  virtual std::string_view description() const = 0;
  /// The claim for this config and storage format, or nullopt when the kernel does not take
  /// them (the naive placements do not take fp16, where they overflow).
  virtual std::optional<CombineClaim> claim(const CombineConfig& config, Format format) const = 0;
  /// Fills out [tokens, hidden] with bit patterns of inputs.format (the caller sizes it).
  /// Throws KernelError when it cannot run.
  virtual void run(const CombineConfig& config, const CombineInputs& inputs, std::vector<std::uint32_t>& out) const = 0;
};

/// Throws KernelError naming the kernel unless the config is valid and the inputs and the
/// output are sized for it. Every built-in kernel checks this before it runs.
void require_valid_run(std::string_view kernel, const CombineConfig& config, const CombineInputs& inputs,
                       const std::vector<std::uint32_t>& out);

/// Every combine kernel: host ones, then the CUDA ones of this build, then those added.
/// The span is valid until the next add_combine_kernel or remove_kernel.
std::span<const CombineKernel* const> all_combine_kernels();
/// Appends a combine kernel; it must outlive its registration.
void add_combine_kernel(const CombineKernel* kernel);
const CombineKernel* find_combine_kernel(std::string_view name);
/// Every combine kernel that can run in this process: all but the CUDA ones without a GPU.
std::vector<const CombineKernel*> runnable_combine_kernels();

}  // namespace ulpcheck
