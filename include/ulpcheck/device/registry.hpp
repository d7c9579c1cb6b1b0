// The table of kernels under test available in this build.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ulpcheck/device/kernel.hpp"

namespace ulpcheck {

/// Every kernel: host ones, then the CUDA ones of this build, then loaded plugins. The span
/// is valid until the next add_kernel.
std::span<const Kernel* const> all_kernels();

/// Appends a kernel (a plugin's) to the table; it must outlive every use of the table.
void add_kernel(const Kernel* kernel);

/// Takes the kernel named `name` (elementwise or routing) out of its table; false when no
/// kernel has that name. Spans of the table are invalid after it. Built-in kernels stay.
bool remove_kernel(std::string_view name);

/// The kernel named `name`, or nullptr.
const Kernel* find_kernel(std::string_view name);

/// Names of all kernels, the routing ones last, comma separated, for error messages.
std::string kernel_names();

/// Every kernel that can run in this process: all of them but the CUDA ones when there is
/// no GPU. Plugins count as runnable; one that needs a GPU says so when it runs.
std::vector<const Kernel*> runnable_kernels();

/// The kernel a command uses when none is named: the first CUDA kernel that supports
/// (op, f) when a GPU is present, otherwise the first host kernel that does.
const Kernel* default_kernel(const ElementwiseOp& op, Format f);

}  // namespace ulpcheck
