// The op's parameters as a built-in kernel receives them: fp32 arguments, one per ParamSpec
// in the op's order (ParamCarrier::fp32). No other header here, so the host view of a CUDA
// launch (cuda/launch.hpp) can hold them.
#pragma once

#include <array>

namespace ulpcheck {

struct ElementwiseOp;
class Params;

/// The fp32 parameters a built-in kernel takes; no op has more.
inline constexpr int kParamSlots = 1;

/// A slot the op has no parameter for holds +inf, so that ops with and without a parameter
/// share a per-element function (a clamp at +inf clamps nothing).
using ParamSlots = std::array<float, kParamSlots>;

/// Each of op's parameters as its kernel receives it: the value in `params`, or the spec's
/// default when `params` lacks it, rounded to fp32. Throws std::logic_error for an op with
/// more parameters than slots.
ParamSlots param_slots(const ElementwiseOp& op, const Params& params);

}  // namespace ulpcheck
