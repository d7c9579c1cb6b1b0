// The fuzz part of a family in the properties stage: its case (what a property is checked
// on, and what a counterexample keeps), its target (a kernel and the formats it runs in)
// and its properties. Each family specializes FuzzPart beside its own types.
#pragma once

#include "ulpcheck/reference/families.hpp"

namespace ulpcheck {

template <class Family>
struct FuzzPart;

/// What a family's FuzzPart holds: FuzzPart<F> derives from FuzzTypes<its case, target,
/// property>.
template <class CaseType, class TargetType, class PropertyType>
struct FuzzTypes {
  using Case = CaseType;
  using Target = TargetType;
  using Property = PropertyType;
};

template <class Family>
using FuzzCaseOf = typename FuzzPart<Family>::Case;

/// One property on one target of a family: a run of `ulpcheck fuzz`.
template <class Family>
struct FuzzRunOf {
  typename FuzzPart<Family>::Target target;
  const typename FuzzPart<Family>::Property* property;
};

}  // namespace ulpcheck
