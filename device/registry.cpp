// The kernel table: the host kernels, the CUDA kernels of this build, then plugins in the
// order they were loaded. Adding a built-in kernel = its file under device/ + one row here.
#include "ulpcheck/device/registry.hpp"

#include <vector>

#include "ulpcheck/device/combine_kernel.hpp"
#include "ulpcheck/device/cuda/combine_kernel.hpp"
#include "ulpcheck/device/cuda/elementwise_kernel.hpp"
#include "ulpcheck/device/cuda/routing_kernel.hpp"
#include "ulpcheck/device/host/combine_kernel.hpp"
#include "ulpcheck/device/host/routing_kernel.hpp"
#include "ulpcheck/device/routing_kernel.hpp"
#include "ulpcheck/device/cuda/runtime.hpp"
#include "ulpcheck/device/host/elementwise_kernel.hpp"

namespace ulpcheck {

namespace {

/// The built-in kernels of a kind, host ones first, as a table that plugins extend.
template <class K>
std::vector<const K*> builtin(std::span<const K* const> host, std::span<const K* const> cuda) {
  std::vector<const K*> k(host.begin(), host.end());
  k.insert(k.end(), cuda.begin(), cuda.end());
  return k;
}

std::vector<const Kernel*>& table() {
  static std::vector<const Kernel*> kernels = builtin(host::builtin_kernels(), cuda::builtin_kernels());
  return kernels;
}

bool is_cuda(const Kernel* k) { return k->name().starts_with("cuda."); }

}  // namespace

std::span<const Kernel* const> all_kernels() { return table(); }

void add_kernel(const Kernel* kernel) { table().push_back(kernel); }

namespace {

std::vector<const RoutingKernel*>& routing_table() {
  static std::vector<const RoutingKernel*> kernels =
      builtin(host::builtin_routing_kernels(), cuda::builtin_routing_kernels());
  return kernels;
}

std::vector<const CombineKernel*>& combine_table() {
  static std::vector<const CombineKernel*> kernels =
      builtin(host::builtin_combine_kernels(), cuda::builtin_combine_kernels());
  return kernels;
}

/// Erases the kernel named `name` from `kernels` unless it is one of the first `builtin`.
template <class K>
bool erase_named(std::vector<const K*>& kernels, std::size_t builtin, std::string_view name) {
  for (std::size_t i = builtin; i < kernels.size(); ++i)
    if (kernels[i]->name() == name) {
      kernels.erase(kernels.begin() + static_cast<std::ptrdiff_t>(i));
      return true;
    }
  return false;
}

}  // namespace

bool remove_kernel(std::string_view name) {
  const std::size_t builtin = host::builtin_kernels().size() + cuda::builtin_kernels().size();
  const std::size_t builtin_routing =
      host::builtin_routing_kernels().size() + cuda::builtin_routing_kernels().size();
  const std::size_t builtin_combine =
      host::builtin_combine_kernels().size() + cuda::builtin_combine_kernels().size();
  return erase_named(table(), builtin, name) || erase_named(routing_table(), builtin_routing, name) ||
         erase_named(combine_table(), builtin_combine, name);
}

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
  for (const CombineKernel* k : all_combine_kernels()) out += ", " + std::string(k->name());
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

std::span<const RoutingKernel* const> all_routing_kernels() { return routing_table(); }

void add_routing_kernel(const RoutingKernel* kernel) { routing_table().push_back(kernel); }

const RoutingKernel* find_routing_kernel(std::string_view name) {
  for (const RoutingKernel* k : all_routing_kernels())
    if (k->name() == name) return k;
  return nullptr;
}

std::vector<const RoutingKernel*> runnable_routing_kernels() {
  std::vector<const RoutingKernel*> out;
  for (const RoutingKernel* k : all_routing_kernels())
    if (!k->name().starts_with("cuda.") || cuda::device_available()) out.push_back(k);
  return out;
}

std::span<const CombineKernel* const> all_combine_kernels() { return combine_table(); }

void add_combine_kernel(const CombineKernel* kernel) { combine_table().push_back(kernel); }

const CombineKernel* find_combine_kernel(std::string_view name) {
  for (const CombineKernel* k : all_combine_kernels())
    if (k->name() == name) return k;
  return nullptr;
}

std::vector<const CombineKernel*> runnable_combine_kernels() {
  std::vector<const CombineKernel*> out;
  for (const CombineKernel* k : all_combine_kernels())
    if (!k->name().starts_with("cuda.") || cuda::device_available()) out.push_back(k);
  return out;
}

}  // namespace ulpcheck
