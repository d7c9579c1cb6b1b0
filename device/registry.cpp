// The kernel table: the host kernels, the CUDA kernels of this build, then plugins in the
// order they were loaded. Adding a built-in kernel = its file under device/ + one row here.
#include "ulpcheck/device/registry.hpp"

#include <vector>

#include "ulpcheck/device/cuda/elementwise_kernel.hpp"
#include "ulpcheck/device/cuda/routing_kernel.hpp"
#include "ulpcheck/device/host/routing_kernel.hpp"
#include "ulpcheck/device/routing_kernel.hpp"
#include "ulpcheck/device/cuda/runtime.hpp"
#include "ulpcheck/device/host/elementwise_kernel.hpp"

namespace ulpcheck {

namespace {

std::vector<const Kernel*>& table() {
  static std::vector<const Kernel*> kernels = [] {
    std::vector<const Kernel*> k;
    for (const Kernel* h : host::builtin_kernels()) k.push_back(h);
    for (const Kernel* c : cuda::builtin_kernels()) k.push_back(c);
    return k;
  }();
  return kernels;
}

bool is_cuda(const Kernel* k) { return k->name().starts_with("cuda."); }

}  // namespace

std::span<const Kernel* const> all_kernels() { return table(); }

void add_kernel(const Kernel* kernel) { table().push_back(kernel); }

std::vector<const Kernel*> runnable_kernels() {
  std::vector<const Kernel*> out;
  for (const Kernel* k : table())
    if (!is_cuda(k) || cuda::device_available()) out.push_back(k);
  return out;
}

const Kernel* find_kernel(std::string_view name) {
  for (const Kernel* k : table())
    if (k->name() == name) return k;
  return nullptr;
}

std::string kernel_names() {
  std::string out;
  for (const Kernel* k : table()) out += (out.empty() ? "" : ", ") + std::string(k->name());
  for (const RoutingKernel* k : all_routing_kernels()) out += ", " + std::string(k->name());
  return out;
}

const Kernel* default_kernel(const ElementwiseOp& op, Format f) {
  // With a GPU the default backend is CUDA; without one, the host.
  const bool gpu = cuda::device_available();
  for (const Kernel* k : table())
    if (is_cuda(k) == gpu && k->supports(op, f)) return k;
  for (const Kernel* k : table())
    if (!is_cuda(k) && k->supports(op, f)) return k;
  return nullptr;
}

std::span<const RoutingKernel* const> all_routing_kernels() {
  static const std::vector<const RoutingKernel*> kernels = [] {
    std::vector<const RoutingKernel*> k;
    for (const RoutingKernel* h : host::builtin_routing_kernels()) k.push_back(h);
    for (const RoutingKernel* c : cuda::builtin_routing_kernels()) k.push_back(c);
    return k;
  }();
  return kernels;
}

const RoutingKernel* find_routing_kernel(std::string_view name) {
  for (const RoutingKernel* k : all_routing_kernels())
    if (k->name() == name) return k;
  return nullptr;
}

}  // namespace ulpcheck
