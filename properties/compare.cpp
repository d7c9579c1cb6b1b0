#include "ulpcheck/properties/compare.hpp"

namespace ulpcheck {

std::string_view describe(Semantics s) {
  switch (s) {
    case Semantics::agree: return "agree";
    case Semantics::nan_lost: return "NaN lost (exact result undefined, output a number)";
    case Semantics::spurious_nan: return "spurious NaN (exact result defined)";
    case Semantics::wrong_inf: return "infinity mismatch";
  }
  return "?";
}

}  // namespace ulpcheck
