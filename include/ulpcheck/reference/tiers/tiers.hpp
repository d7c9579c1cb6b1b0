// Every activation's tier, and the one switch from an ActivationKind to its tier type.
#pragma once

#include "ulpcheck/reference/tiers/gelu.hpp"
#include "ulpcheck/reference/tiers/gelu_tanh.hpp"
#include "ulpcheck/reference/tiers/silu.hpp"

namespace ulpcheck {

/// fn(Tier{}) for the tier of `kind`.
template <class Fn>
ULPCHECK_HD auto with_tier(ActivationKind kind, Fn&& fn) {
  switch (kind) {
    case ActivationKind::gelu: return fn(GeluTier{});
    case ActivationKind::gelu_tanh: return fn(GeluTanhTier{});
    case ActivationKind::silu: break;
  }
  return fn(SiluTier{});
}

}  // namespace ulpcheck
