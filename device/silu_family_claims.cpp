#include "ulpcheck/device/silu_family_claims.hpp"

#include <fmt/format.h>

#include <cmath>

namespace ulpcheck::silu_budgets {

std::string limit_fits_storage(Format f, const Params& params) {
  if (!params.has("limit")) return {};
  const double L = params.get("limit");
  if (!std::isfinite(L) || !std::isinf(round_to(f, L))) return {};
  return fmt::format("limit {} is beyond {}'s largest finite value, and this kernel stores the clamped or "
                     "activated value in {}; use a limit the dtype holds (or inf)",
                     L, name(f), name(f));
}

}  // namespace ulpcheck::silu_budgets
