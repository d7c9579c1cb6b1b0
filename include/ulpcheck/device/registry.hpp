// The table of kernels under test available in this build.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "ulpcheck/device/kernel.hpp"

namespace ulpcheck {

/// Every built-in kernel, host ones first, in a fixed order.
std::span<const Kernel* const> all_kernels();

/// The kernel named `name`, or nullptr.
const Kernel* find_kernel(std::string_view name);

/// Names of all kernels, comma separated, for error messages.
std::string kernel_names();

/// The kernel a command uses when none is named: the first that supports (op, f).
const Kernel* default_kernel(const ElementwiseOp& op, Format f);

}  // namespace ulpcheck
