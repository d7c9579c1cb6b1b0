// The table of ops. Stages look ops up here; nothing else switches on an op.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "ulpcheck/reference/op.hpp"

namespace ulpcheck {

/// Every registered op, in registration order.
std::span<const ElementwiseOp* const> all_ops();

/// The op named `name` or known by the alias `name` ("gelu_pytorch_tanh" is gelu_tanh),
/// or nullptr.
const ElementwiseOp* find_op(std::string_view name);

/// Names of all ops, then each alias with the op it names ("gelu_pytorch_tanh (= gelu_tanh)"),
/// comma separated, for error messages ("expected one of ...").
std::string op_names();

/// The built-in ops (reference/ops/), for tables that must name them as constants: the
/// registry's own and the built-in kernels' rows (device/host/, device/cuda/). Everything
/// else finds an op with find_op or all_ops.
extern const ElementwiseOp kSiluOp;
extern const ElementwiseOp kSiluAndMulOp;
extern const ElementwiseOp kSiluAndMulClampOp;
extern const ElementwiseOp kGeluOp;
extern const ElementwiseOp kGeluAndMulOp;
extern const ElementwiseOp kGeluTanhOp;
extern const ElementwiseOp kGeluTanhAndMulOp;

}  // namespace ulpcheck
