// `golden check` of a routing kernel: the kernel over every case and counterexample of the
// routing file, compared with the oracle's answers the file records (trusted here; `golden
// verify` rechecks them).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ulpcheck/golden/routing/golden_file.hpp"
#include "ulpcheck/properties/routing/compare.hpp"
#include "ulpcheck/golden/file_check.hpp"

namespace ulpcheck::golden {

/// One case or counterexample measured.
struct RoutingGroupCheck {
  std::string group;  ///< "/bf16+fp32/deepseek_v3.bias=around_7", "/fp32+fp32/corpus/0002"
  RoutingConfig config;
  RoutingClaim claim;
  RoutingStats stats;
  /// The figures the file records for this kernel in this case; empty for counterexamples
  /// and for kernels the file does not record.
  std::optional<RoutingKernelFigures> recorded;
  bool passes() const { return stats.passes(); }
};

/// No mismatch, no invalid ids, no weight breach and no bad weight in any group.
using RoutingFileCheck = FileCheckOf<RoutingGroupCheck>;

/// Runs `kernel` over every case and counterexample of `file` it takes. Throws KernelError
/// when the kernel cannot run.
RoutingFileCheck check_routing_kernel(const RoutingGoldenFile& file, const RoutingKernel& kernel);

}  // namespace ulpcheck::golden
