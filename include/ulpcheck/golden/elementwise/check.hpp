// `golden check`: a kernel over the inputs of a golden file, measured against the oracle
// values the file records (trusted here; `golden verify` rechecks them).
#pragma once

#include <string>
#include <vector>

#include "ulpcheck/device/kernel.hpp"
#include "ulpcheck/golden/elementwise/golden_file.hpp"
#include "ulpcheck/properties/measure.hpp"
#include "ulpcheck/golden/file_check.hpp"
#include "ulpcheck/runs/observer.hpp"

namespace ulpcheck::golden {

/// One group of the file measured: a case, or the part of a corpus with one parameter set.
struct GroupCheck {
  std::string group;  ///< "/bf16/<name>=<value>", "/fp16/corpus (<name>=<value>)"
  Measurement measurement;
  /// The figures the file records for this kernel in this case; empty for corpus parts and
  /// for kernels the file does not record.
  std::optional<KernelFigures> recorded;
  bool passes() const { return measurement.stats.passes(); }
};

using FileCheck = FileCheckOf<GroupCheck>;

/// Runs `kernel` over every case and corpus part of `file` whose op, dtype and parameters it
/// takes, each group's progress to `observer`. Throws KernelError when the kernel cannot run.
FileCheck check_kernel(const GoldenFile& file, const Kernel& kernel, Observer& observer = silent_observer());

}  // namespace ulpcheck::golden
