// Generators of input values, as bit patterns of a format. Never RapidCheck's default
// floats: those produce no NaN, inf or subnormals, which is where kernels break.
#pragma once

#include <rapidcheck.h>

#include <cstdint>
#include <vector>

#include "ulpcheck/reference/format.hpp"

namespace ulpcheck {

/// Uniform over all bit patterns of f, whatever RapidCheck's size; shrinks toward 0 (+0.0).
rc::Gen<std::uint32_t> gen_bits(Format f);

/// The values kernels get wrong, as bit patterns of f: +-0, +-inf, NaNs (quiet, signalling,
/// negative), the smallest and largest subnormals, the smallest and largest normals, +-1,
/// e^x's overflow and underflow edges (x near +-88.72, -87.34, -103.97) and SiLU's flush
/// point, huge magnitudes, and the clamp limit with its neighbours and negation (limit < 0
/// means none).
std::vector<std::uint32_t> special_values(Format f, double limit);

/// Special values with probability 2/5, uniform bit patterns otherwise.
rc::Gen<std::uint32_t> gen_input_value(Format f, double limit);

}  // namespace ulpcheck
