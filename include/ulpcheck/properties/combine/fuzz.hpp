// Property-based fuzzing of combine kernels: every property that applies to a (kernel,
// storage format), on generated cases, failures shrunk and explained element by element
// (explain_combine_element), with a replay token.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "ulpcheck/device/combine_kernel.hpp"
#include "ulpcheck/properties/combine/gen.hpp"
#include "ulpcheck/properties/fuzz.hpp"

namespace ulpcheck {

struct CombineFuzzTarget {
  const CombineKernel* kernel;
  Format format;
};

struct CombineFuzzProperty {
  std::string_view name;      ///< e.g. "within_budget"
  std::string_view sentence;  ///< what must hold, as the spec says it
  /// Whether the property means anything for the target (no_fp16_overflow: an fp16 target).
  bool (*applies)(const CombineFuzzTarget& target);
  /// The cases it is checked on, in the target's format.
  rc::Gen<CombineCase> (*cases)(Format format);
  /// Checks one case; fails through detail::fail with an explanation. Cases whose
  /// configuration the kernel does not claim are discarded.
  void (*check)(const CombineFuzzTarget& target, const CombineCase& c);
};

/// within_budget, placements_agree, permutation_invariant, no_fp16_overflow, in that order
/// (properties/combine/properties.cpp says what each checks and how it treats NaN and inf).
std::span<const CombineFuzzProperty> all_combine_fuzz_properties();

/// Whether the kernel claims `format` for some configuration (DeepSeek-V3's, or the
/// smallest or largest one): fuzzing a format it never takes would discard every case.
bool combine_kernel_takes_format(const CombineKernel& kernel, Format format);

/// "<kernel>/moe_combine/<dtype>/<property>": names a run and keys its replay token.
std::string combine_fuzz_id(const CombineFuzzTarget& t, const CombineFuzzProperty& p);

/// Runs one property on one target (with `replay`, only the case its token names). The
/// shrunk counterexample goes to `shrunk` when given, and into FuzzResult::minimal once the
/// combine family is one of Families (FuzzCounterexample holds only registered families').
FuzzResult run_combine_fuzz_property(const CombineFuzzTarget& target, const CombineFuzzProperty& property,
                                     const FuzzSettings& settings,
                                     const std::optional<std::string>& replay = std::nullopt,
                                     std::optional<CombineCase>* shrunk = nullptr);

/// The combine family's overloads of fuzz.hpp's names, so that generic code runs every
/// family's properties alike.
inline std::string fuzz_id(const CombineFuzzTarget& t, const CombineFuzzProperty& p) { return combine_fuzz_id(t, p); }
inline FuzzResult run_fuzz_property(const CombineFuzzTarget& target, const CombineFuzzProperty& property,
                                    const FuzzSettings& settings,
                                    const std::optional<std::string>& replay = std::nullopt) {
  return run_combine_fuzz_property(target, property, settings, replay);
}
/// "<kernel> moe_combine <dtype> <property>".
std::string fuzz_label(const CombineFuzzTarget& t, const CombineFuzzProperty& p);

}  // namespace ulpcheck
