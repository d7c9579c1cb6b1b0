// The runs stage's parts of each family (reference/families.hpp): a report plan and what
// running it gives. A family specializes ReportPart in its folder and overloads
// run_family_report for its plan.
#pragma once

#include "ulpcheck/reference/families.hpp"
#include "ulpcheck/runs/combine/report.hpp"
#include "ulpcheck/runs/elementwise/report.hpp"
#include "ulpcheck/runs/routing/report.hpp"

namespace ulpcheck {

template <class Family>
using ReportPlanOf = typename ReportPart<Family>::Plan;
template <class Family>
using ReportOf = typename ReportPart<Family>::Result;

/// One family's part of a report plan, and what running it gives, in report order.
using FamilyReportPlan = PerFamily<ReportPlanOf>;
using FamilyReport = PerFamily<ReportOf>;

}  // namespace ulpcheck
