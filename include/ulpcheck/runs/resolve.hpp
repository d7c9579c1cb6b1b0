// Turning names into registry entries (ops, dtypes, kernels, parameter values), with errors
// that name the flag and list the choices. Every client resolves through here: the command's
// flags, the C API's and the Python package's arguments of the same names.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "ulpcheck/device/combine_kernel.hpp"
#include "ulpcheck/device/kernel.hpp"
#include "ulpcheck/device/routing_kernel.hpp"
#include "ulpcheck/reference/format.hpp"
#include "ulpcheck/reference/families.hpp"
#include "ulpcheck/reference/op.hpp"

namespace ulpcheck {

const ElementwiseOp& resolve_op(const std::string& name);
Format resolve_format(const std::string& name);
/// The named kernel, or the default one for (op, f) when `name` is empty; checks that it
/// implements (op, f).
const Kernel& resolve_kernel(const std::string& name, const ElementwiseOp& op, Format f);

/// Kernels named by repeated --kernel flags, each family's apart; with none named, every
/// kernel that can run here. Throws RequestError naming an unknown kernel.
struct KernelSelection {
  std::vector<const Kernel*> elementwise;
  std::vector<const RoutingKernel*> routing;
  std::vector<const CombineKernel*> combine;
};
KernelSelection resolve_kernels(const std::vector<std::string>& names);

/// Parameter values as given, by parameter name ("<name>" -> "7.3"): the flags --<name>.
using ParamValues = std::map<std::string, std::string, std::less<>>;

/// The value `text` means for `spec`, as its kernels receive it (rounded to fp32 for an fp32
/// parameter), validated; throws RequestError naming --<name> and what is wrong.
double resolve_param_value(const ParamSpec& spec, const std::string& text);

/// The op's parameters: its defaults, overridden by the values given. A value for a
/// parameter the op does not take is a RequestError that names the ops that take it.
Params resolve_params(const ElementwiseOp& op, const ParamValues& given);

/// Whether `op` takes every parameter in `given`.
bool takes_params(const ElementwiseOp& op, const ParamValues& given);

/// "--<name> 7: <op> takes no <name>; <other op> does": the error for the
/// first value in `given` that `op_name` does not take.
std::string param_not_taken(std::string_view op_name, const std::string& param, const std::string& text);

/// Whether `op` names an op of the family, and the family's op names (runs/<family>/).
bool owns_op(ElementwiseFamily, std::string_view op);
bool owns_op(RoutingFamily, std::string_view op);
bool owns_op(CombineFamily, std::string_view op);  // runs/combine/report.cpp
std::vector<std::string> op_names_of(ElementwiseFamily);
std::vector<std::string> op_names_of(RoutingFamily);
std::vector<std::string> op_names_of(CombineFamily);
/// Every op of every family, "silu, silu_and_mul, ..., biased_grouped_topk".
std::string all_op_names();
/// Throws RequestError for a name no family owns, listing every op.
void require_known_op(const std::string& name);

}  // namespace ulpcheck
