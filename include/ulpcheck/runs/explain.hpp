// What failed first in a report's results, as a person reads it: the failing case, its
// figures against the kernel's claim, and its first failing element or token explained.
// The C API, the Python package and the GoogleTest helpers hand it to a kernel author whose
// check did not pass.
#pragma once

#include <string>

#include "ulpcheck/runs/report.hpp"

namespace ulpcheck {

/// Empty when every measured case passed and something was measured. Otherwise the first
/// failing case of the first family that has one; or, when no case was measured, why each
/// asked-for case was not.
std::string first_failure(const ReportResults& results);

// Each family's part, in its folder (runs/<family>/explain.cpp): empty when all passed.
std::string first_failure(const ElementwiseReport& report);
std::string first_failure(const RoutingReport& report);
std::string first_failure(const CombineReport& report);
/// The cases it measured.
std::size_t measured_cases(const ElementwiseReport& report);
std::size_t measured_cases(const RoutingReport& report);
std::size_t measured_cases(const CombineReport& report);

}  // namespace ulpcheck
