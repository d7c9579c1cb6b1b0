// `golden check` of a routing kernel: the kernel over every case and counterexample of the
// routing file, compared with the oracle's answers the file records (trusted here; `golden
// verify` rechecks them).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ulpcheck/golden/routing_file.hpp"
#include "ulpcheck/properties/routing/compare.hpp"

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
};

struct RoutingFileCheck {
  std::vector<RoutingGroupCheck> groups;
  /// Groups whose configuration or formats the kernel does not take.
  std::vector<std::string> skipped;
  /// No mismatch, no invalid ids, no weight breach and no bad weight anywhere.
  bool passes() const;
};

/// Runs `kernel` over every case and counterexample of `file` it takes. Throws KernelError
/// when the kernel cannot run.
RoutingFileCheck check_routing_kernel(const RoutingGoldenFile& file, const RoutingKernel& kernel);

}  // namespace ulpcheck::golden
