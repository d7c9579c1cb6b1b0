#include "ulpcheck/reference/routed_scaling_factor.hpp"

#include <fmt/format.h>

#include <cmath>

namespace ulpcheck {

std::string check_routed_scaling_factor(double f) {
  if (!std::isfinite(f) || !(f > 0.0))
    return fmt::format("routed_scaling_factor is {}; it must be a finite fp32 value > 0", f);
  if (static_cast<double>(static_cast<float>(f)) != f)
    return fmt::format("routed_scaling_factor {} is not an fp32 value (the nearest is {}); kernels receive a float",
                       f, static_cast<float>(f));
  return {};
}

std::string routed_scaling_factor_text(double f) {
  const auto as_float = static_cast<float>(f);
  if (static_cast<double>(as_float) == f) return fmt::format("{}", as_float);
  return fmt::format("{}", f);
}

}  // namespace ulpcheck
