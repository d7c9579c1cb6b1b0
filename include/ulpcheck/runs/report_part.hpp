// The report part of a family in the runs stage: its plan (what to measure) and its result
// (what was measured). Each family specializes it beside its own types.
#pragma once

namespace ulpcheck {

template <class Family>
struct ReportPart;

}  // namespace ulpcheck
