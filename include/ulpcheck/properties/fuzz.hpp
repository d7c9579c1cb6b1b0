// Property-based fuzzing: every property that applies to a (kernel, op, dtype), checked on
// RapidCheck-generated cases, failures shrunk to a minimal case with a replay token.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ulpcheck/device/kernel.hpp"
#include "ulpcheck/properties/combine/combine_case.hpp"
#include "ulpcheck/properties/gen/cases.hpp"
#include "ulpcheck/properties/routing/routing_case.hpp"

namespace ulpcheck {

struct FuzzTarget {
  const Kernel* kernel;
  const ElementwiseOp* op;
  Format format;
};

/// A property: a sentence of the spec that must hold for every case.
struct FuzzProperty {
  std::string_view name;  ///< e.g. "within_budget"
  std::string_view sentence;
  /// Whether the property means anything for this target (an op's own properties need
  /// that op; comparing with another op needs a kernel that implements it too).
  bool (*applies)(const FuzzTarget& target);
  /// Checks one case; fails through RC_FAIL / RC_ASSERT with an explanation.
  void (*check)(const FuzzTarget& target, const FuzzCase& c);
};

/// Every property, in a fixed order.
std::span<const FuzzProperty> all_fuzz_properties();

/// "<kernel>/<op>/<dtype>/<property>": names a property run, and keys its replay token.
std::string fuzz_id(const FuzzTarget& t, const FuzzProperty& p);

/// A shrunk counterexample of any family.
using FuzzCounterexample = PerFamily<FuzzCaseOf>;

struct FuzzResult {
  std::string id;
  bool passed = false;
  int cases = 0;                ///< cases that passed before the failure (or in all)
  std::string failure;          ///< the explanation of the shrunk counterexample
  std::string counterexample;   ///< the shrunk case, shown
  std::string replay_token;     ///< give to --replay to run exactly that case again
  std::optional<FuzzCounterexample> minimal;  ///< the shrunk counterexample itself
  double seconds = 0.0;
  /// The kernel's process died or hung on a case (an isolated plugin kernel), or its fault
  /// lost the CUDA context (KernelCrash): the kernel failed to run, which is not a
  /// property's verdict. A hang or a lost context is not shrunk.
  bool kernel_died = false;
  bool device_lost = false;  ///< no later CUDA call of this process can succeed
};

struct FuzzSettings {
  int cases = 100;
  std::uint64_t seed = 1;
};

/// Runs one property on one target. With `replay`, runs only the case the token names
/// (the token must be for this id).
FuzzResult run_fuzz_property(const FuzzTarget& target, const FuzzProperty& property, const FuzzSettings& settings,
                             const std::optional<std::string>& replay = std::nullopt);

/// The id a replay token is for; throws std::invalid_argument for a malformed token.
std::string replay_token_id(const std::string& token);

/// The shrunk counterexample of `r` as a case of one family, or null when it is none (or
/// the run passed).
template <class Case>
const Case* minimal_as(const FuzzResult& r) {
  return r.minimal ? std::get_if<Case>(&*r.minimal) : nullptr;
}

/// "<kernel> <op> <dtype> <property>": a run as the command lists it.
std::string fuzz_label(const FuzzTarget& t, const FuzzProperty& p);

}  // namespace ulpcheck
