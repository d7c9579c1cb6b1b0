// The kernel table. Adding a kernel = its file under device/ + one row here.
#include "ulpcheck/device/registry.hpp"

#include <array>

#include "ulpcheck/device/host/elementwise_kernel.hpp"

namespace ulpcheck {

extern const HostElementwiseKernel kHostSingleRounding;
extern const HostElementwiseKernel kHostDoubleRounding;
extern const HostElementwiseKernel kHostComposite;

namespace {
const std::array<const Kernel*, 3> kKernels{
    &kHostSingleRounding,
    &kHostDoubleRounding,
    &kHostComposite,
};
}  // namespace

std::span<const Kernel* const> all_kernels() { return kKernels; }

const Kernel* find_kernel(std::string_view name) {
  for (const Kernel* k : kKernels)
    if (k->name() == name) return k;
  return nullptr;
}

std::string kernel_names() {
  std::string out;
  for (const Kernel* k : kKernels) {
    if (!out.empty()) out += ", ";
    out += k->name();
  }
  return out;
}

const Kernel* default_kernel(const ElementwiseOp& op, Format f) {
  for (const Kernel* k : kKernels)
    if (k->supports(op, f)) return k;
  return nullptr;
}

}  // namespace ulpcheck
