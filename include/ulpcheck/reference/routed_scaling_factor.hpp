// The routed scaling factor, as routing and the combine both take it: an fp32 value (kernels
// receive a float) used exactly.
#pragma once

#include <string>

namespace ulpcheck {

/// Empty when `f` is a finite fp32 value > 0, else what is wrong, naming routed_scaling_factor.
std::string check_routed_scaling_factor(double f);

/// The factor as a kernel receives it: an fp32 value printed in its shortest form ("2.5").
std::string routed_scaling_factor_text(double f);

}  // namespace ulpcheck
