// The elementwise family's part of a report: per op, dtype and parameter set, the kernels
// measured on the same inputs and oracle answers; and for an op that approximates another
// (gelu_tanh and gelu), the two compared on the same inputs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ulpcheck/device/kernel.hpp"
#include "ulpcheck/properties/approximation.hpp"
#include "ulpcheck/properties/case_figures.hpp"
#include "ulpcheck/properties/inputs.hpp"
#include "ulpcheck/properties/measure.hpp"
#include "ulpcheck/reference/approximation.hpp"
#include "ulpcheck/reference/families.hpp"
#include "ulpcheck/runs/observer.hpp"
#include "ulpcheck/runs/report_part.hpp"
#include "ulpcheck/runs/skipped_case.hpp"

namespace ulpcheck {

/// One op, dtype and parameter set: the kernels measured on the same inputs and oracle
/// answers.
struct ElementwiseGroup {
  const ElementwiseOp* op;
  Format format;
  Params params;
  std::vector<const Kernel*> kernels;
};

struct ElementwiseReportPlan {
  std::vector<ElementwiseGroup> groups;
  std::int64_t samples = 0;    ///< random inputs of each sampled group
  std::optional<Batch> layout;  ///< one call of [rows, d] for the sampled groups; empty: the default calls
  std::uint64_t seed = 1;
  std::size_t cases = 0;       ///< kernels over all groups
  std::vector<std::string> named_kernels;  ///< a kernel named here that cannot run ends the run
};

/// What was measured for one dtype and parameter set of an approximation pair.
struct ApproximationFigures {
  Format format = Format::bf16;
  Params params;
  std::string inputs;       ///< the input set's description
  DifferenceStats rounded;  ///< compare_rounded: the correctly rounded results
  struct KernelPair {
    std::string exact_kernel;   ///< a kernel of the exact op
    std::string approx_kernel;  ///< a kernel of the approximation
    DifferenceStats stats;      ///< compare_outputs on their outputs
  };
  std::vector<KernelPair> kernel_pairs;
};

/// "<op> vs <exact op>": the real functions' largest difference, then per dtype and
/// parameter set the figures, in the order their pairs completed.
struct ApproximationSection {
  const ElementwiseOp* exact;
  const ElementwiseOp* approx;
  RealDifference real;
  std::vector<ApproximationFigures> dtypes;
};

struct ElementwiseReport {
  std::vector<CaseResult> cases;  ///< in the plan's order
  std::vector<ApproximationSection> approximations;
  std::vector<SkippedCase> skipped;  ///< kernels that did not run
};

/// Measures the plan: each group's oracle once, then every kernel of the group; a kernel
/// that cannot run (KernelError) ends the run when it was named, and is listed as not run
/// otherwise.
ElementwiseReport run_family_report(const ElementwiseReportPlan& plan, Observer& observer);

template <>
struct ReportPart<ElementwiseFamily> : ReportTypes<ElementwiseReportPlan, ElementwiseReport> {};

}  // namespace ulpcheck
