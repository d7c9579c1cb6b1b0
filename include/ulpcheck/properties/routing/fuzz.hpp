// Property-based fuzzing of routing kernels: every property that applies to a (kernel,
// logits format, bias format), on generated cases, failures shrunk with a replay token.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "ulpcheck/device/routing_kernel.hpp"
#include "ulpcheck/properties/fuzz.hpp"
#include "ulpcheck/properties/routing/gen.hpp"

namespace ulpcheck {

struct RoutingFuzzTarget {
  const RoutingKernel* kernel;
  Format logits;
  Format bias;
};

struct RoutingFuzzProperty {
  std::string_view name;      ///< e.g. "ids_valid"
  std::string_view sentence;  ///< what must hold, as the spec says it
  /// Checks one case; fails through detail::fail with an explanation. Cases whose
  /// configuration the kernel does not take are discarded.
  void (*check)(const RoutingFuzzTarget& target, const RoutingCase& c);
};

std::span<const RoutingFuzzProperty> all_routing_fuzz_properties();

/// "<kernel>/biased_grouped_topk/<logits>+<bias>/<property>": names a run and keys its
/// replay token.
std::string routing_fuzz_id(const RoutingFuzzTarget& t, const RoutingFuzzProperty& p);

/// Runs one property on one target (with `replay`, only the case its token names).
FuzzResult run_routing_fuzz_property(const RoutingFuzzTarget& target, const RoutingFuzzProperty& property,
                                     const FuzzSettings& settings,
                                     const std::optional<std::string>& replay = std::nullopt);

/// The routing family's overloads of fuzz.hpp's names, so that generic code runs either
/// family's properties alike.
inline std::string fuzz_id(const RoutingFuzzTarget& t, const RoutingFuzzProperty& p) { return routing_fuzz_id(t, p); }
inline FuzzResult run_fuzz_property(const RoutingFuzzTarget& target, const RoutingFuzzProperty& property,
                                    const FuzzSettings& settings,
                                    const std::optional<std::string>& replay = std::nullopt) {
  return run_routing_fuzz_property(target, property, settings, replay);
}
/// "<kernel> biased_grouped_topk <logits>+<bias> <property>".
std::string fuzz_label(const RoutingFuzzTarget& t, const RoutingFuzzProperty& p);

}  // namespace ulpcheck
