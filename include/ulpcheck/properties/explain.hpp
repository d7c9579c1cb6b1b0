// Failure explanations, in the manner of LLVM libc's explain_*_error: everything needed to
// see what went wrong and to reproduce it by hand.
#pragma once

#include <string>

#include "ulpcheck/properties/measure.hpp"

namespace ulpcheck {

/// Op, kernel, dtype, parameters, shape, the element's place, inputs, output and correctly
/// rounded result as bits and decimal, the exact value (decimal and hex), the ULP error and
/// the budget it was held to, over several lines.
std::string explain(const Measurement& m, const ElementReport& e);

}  // namespace ulpcheck
