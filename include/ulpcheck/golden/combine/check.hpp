// `golden check` of a combine kernel: the kernel over every case and counterexample of the
// combine file, compared with the oracle's answers the file records (trusted here; `golden
// verify` rechecks them).
#pragma once

#include <optional>
#include <string>

#include "ulpcheck/golden/combine/golden_file.hpp"
#include "ulpcheck/golden/file_check.hpp"
#include "ulpcheck/properties/error_stats.hpp"

namespace ulpcheck::golden {

/// One case or counterexample measured.
struct CombineGroupCheck {
  std::string group;  ///< "/bf16/deepseek_v3", "/fp16/corpus/0002"
  CombineConfig config;
  CombineClaim claim;
  ErrorStats stats;
  /// The figures the file records for this kernel in this case; empty for counterexamples
  /// and for kernels the file does not record.
  std::optional<CombineKernelFigures> recorded;
  /// The first failing element explained (explain_combine_element); empty when it passes.
  std::string first_failure;
  bool passes() const { return stats.passes(); }
};

/// No budget breach and no failing semantic difference in any group.
using CombineFileCheck = FileCheckOf<CombineGroupCheck>;

/// Runs `kernel` over every case and counterexample of `file` it claims; the others are
/// skipped with the reason. Throws KernelError when the kernel cannot run.
CombineFileCheck check_combine_kernel(const CombineGoldenFile& file, const CombineKernel& kernel);

}  // namespace ulpcheck::golden
