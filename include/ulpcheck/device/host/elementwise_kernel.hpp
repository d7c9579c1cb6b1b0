// Host kernels built from per-element functions: the same math the CUDA kernels run,
// compiled for the CPU, so a machine without a GPU tests the same arithmetic.
#pragma once

#include <array>
#include <span>
#include <string_view>

#include "ulpcheck/device/table_kernel.hpp"

namespace ulpcheck {

/// y = fn(x0, x1, p0), one function per storage format (indexed by Format): x0 is the
/// input (unary) or gate, x1 the up value (1 for unary ops), p0 the op's parameter as the
/// kernel receives it (param_slots.hpp: +inf for an op without one). The function returns a
/// value already rounded to the format.
using ElementFn = float (*)(float x0, float x1, float p0);

/// Empty when a kernel takes `params` for format f, else why not.
using ParamsCheck = std::string (*)(Format f, const Params& params);

struct HostOpImpl {
  const ElementwiseOp* op;
  std::array<ElementFn, 3> fn;
  std::array<Budget, 3> claim;
  ParamsCheck check_params = nullptr;  ///< nullptr: every valid parameter
};

class HostElementwiseKernel final : public TableKernel<HostOpImpl> {
 public:
  using TableKernel::TableKernel;
  void run(const ElementwiseOp& op, const Params& params, const BitTensor& input,
           BitTensor& output) const override;
};

namespace host {
/// The built-in host kernels (device/host/kernels.cpp).
std::span<const Kernel* const> builtin_kernels();
}  // namespace host

}  // namespace ulpcheck
