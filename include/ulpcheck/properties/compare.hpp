// One output against the oracle: a ULP figure, or a semantic verdict when NaN-ness or
// infinity differ. The check itself is the metric's, in reference/element_check.hpp, which
// the GPU sweep compiles too; this adds what the reports say of it.
#pragma once

#include <string_view>

#include "ulpcheck/reference/element_check.hpp"

namespace ulpcheck {

std::string_view describe(Semantics s);

}  // namespace ulpcheck
