// Kernels described by kernel_abi.h's descriptors, from a plugin or from the C API
// (ulpcheck.h): each descriptor checked field by field, then wrapped as a Kernel or a
// RoutingKernel that hands the callback DLPack tensors of native-width elements.
#pragma once

#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "ulpcheck/device/isolation.hpp"
#include "ulpcheck/device/kernel.hpp"
#include "ulpcheck/device/routing_kernel.hpp"
#include "ulpcheck/kernel_abi.h"

namespace ulpcheck {

/// A descriptor is wrong: the message names it ("elementwise kernel #2 'mine.k'") and says
/// what is wrong and what would be right.
struct DescriptorError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

/// Kernels made from one table of descriptors.
struct AbiKernels {
  std::vector<std::unique_ptr<Kernel>> elementwise;  ///< descriptors of one name form one kernel
  std::vector<std::unique_ptr<RoutingKernel>> routing;
  /// Every name, in table order.
  std::vector<std::string> names() const;
};

/// Checks every descriptor (known op, dtype bits, memory kind, budgets, parameter ranges,
/// claims; a name not empty, not used twice within the table nor by a kernel already
/// registered) and makes the kernels. All or nothing: throws DescriptorError for the first
/// problem. The descriptors' strings, tables and callbacks must outlive the kernels. With
/// `isolation` on, every call of a descriptor's function runs in a child process.
AbiKernels make_abi_kernels(std::span<const ulpcheck_elementwise_kernel> elementwise,
                            std::span<const ulpcheck_routing_kernel> routing, const Isolation& isolation = {});

/// Registers the kernels with the device registry (add_kernel, add_routing_kernel); they
/// must outlive their registration.
void register_kernels(const AbiKernels& kernels);

}  // namespace ulpcheck
