// Turning command-line words into registry entries, with errors that list the choices.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ulpcheck/device/kernel.hpp"
#include "ulpcheck/device/routing_kernel.hpp"
#include "ulpcheck/reference/op.hpp"

namespace ulpcheck::cli {

const ElementwiseOp& resolve_op(const std::string& name);
Format resolve_format(const std::string& name);
/// The named kernel, or the default one for (op, f) when `name` is empty; checks that it
/// implements (op, f).
const Kernel& resolve_kernel(const std::string& name, const ElementwiseOp& op, Format f);
/// Kernels named by repeated --kernel flags, elementwise and routing apart; with none named,
/// every kernel that can run here. Throws UsageError naming an unknown kernel.
struct KernelSelection {
  std::vector<const Kernel*> elementwise;
  std::vector<const RoutingKernel*> routing;
};
KernelSelection resolve_kernels(const std::vector<std::string>& names);

/// The op's parameters: defaults, overridden by --limit when given. A limit is rounded to
/// fp32 (kernels receive it as a float) and then validated against the op's ParamSpec.
Params resolve_params(const ElementwiseOp& op, const std::optional<std::string>& limit);

}  // namespace ulpcheck::cli
