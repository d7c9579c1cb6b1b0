// The report part of a family in the runs stage: its plan (what to measure) and its result
// (what was measured). Each family specializes it beside its own types.
#pragma once

namespace ulpcheck {

template <class Family>
struct ReportPart;

/// What a family's ReportPart holds: ReportPart<F> derives from ReportTypes<its plan, its
/// result>.
template <class PlanType, class ResultType>
struct ReportTypes {
  using Plan = PlanType;
  using Result = ResultType;
};

}  // namespace ulpcheck
