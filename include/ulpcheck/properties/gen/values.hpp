// Generators of input values, as bit patterns of a format. Never RapidCheck's default
// floats: those produce no NaN, inf or subnormals, which is where kernels break.
#pragma once

#include <rapidcheck.h>

#include <cstdint>
#include <vector>

#include "ulpcheck/reference/format.hpp"
#include "ulpcheck/reference/op.hpp"

namespace ulpcheck {

/// Uniform over all bit patterns of f, whatever RapidCheck's size; shrinks toward 0 (+0.0).
rc::Gen<std::uint32_t> gen_bits(Format f);

/// The values kernels get wrong, as bit patterns of f, sorted, each with its negation:
/// +-0, +-inf, NaNs (quiet, signalling, with a payload), the smallest and largest
/// subnormals, the smallest and largest normals, +-1, 2, 0.5, 1e-3, huge magnitudes, the
/// op's own hard inputs (its activation's overflow, flush and cancellation edges), and each
/// parameter the inputs cross (ParamSpec::inputs_cross) with its neighbours.
std::vector<std::uint32_t> special_values(Format f, const ElementwiseOp& op, const Params& params);

/// Special values with probability 2/5, uniform bit patterns otherwise.
rc::Gen<std::uint32_t> gen_input_value(Format f, const ElementwiseOp& op, const Params& params);

}  // namespace ulpcheck
