// The checks every kernel_abi.h descriptor goes through, and each kind's maker. Internal to
// device/.
#pragma once

#include <cstddef>
#include <span>
#include <string>

#include "ulpcheck/device/abi_kernels.hpp"

namespace ulpcheck::abi {

/// Throws DescriptorError("<where>: <what>").
[[noreturn]] void fail(const std::string& where, const std::string& what);

/// "<kind> #<index> '<name>'", after checking the name: not NULL or empty, and not a kernel
/// already registered (`repeat` says this table named it already, which an elementwise
/// kernel of several ops does).
std::string check_name(const char* kind, std::size_t index, const char* name, bool repeat);

void add_elementwise_kernels(std::span<const ulpcheck_elementwise_kernel> descs, const Isolation& isolation,
                             AbiKernels& out);
void add_routing_kernels(std::span<const ulpcheck_routing_kernel> descs, const Isolation& isolation,
                         AbiKernels& out);

}  // namespace ulpcheck::abi
