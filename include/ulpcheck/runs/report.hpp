// A report campaign: which ops, dtypes, parameters, kernels and inputs (plan_report), then
// every case measured against the oracle (run_report), as typed results that reports/ turns
// into the JSON document, Markdown and HTML. The command `report` and the library's
// clients call these two; nothing here prints.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ulpcheck/runs/families.hpp"
#include "ulpcheck/runs/observer.hpp"
#include "ulpcheck/runs/resolve.hpp"
#include "ulpcheck/runs/skipped_case.hpp"

namespace ulpcheck {

/// Random inputs of a sampled elementwise case when none is asked for.
inline constexpr std::int64_t kDefaultSamples = 1'000'000;
inline constexpr std::int64_t kMaxSamples = std::int64_t{1} << 32;

/// What a report is asked to cover, as given (each field is the flag of the same name).
struct ReportRequest {
  std::vector<std::string> ops;      ///< empty: every op of every family
  std::vector<std::string> dtypes;   ///< bf16, fp16, fp32 or all; empty: bf16 (routing: the logits')
  /// Kernel names, or "all" (every kernel that runs here). Empty: every kernel that runs
  /// here when no op is named, the default kernel of each (op, dtype) when one is.
  std::vector<std::string> kernels;
  ParamValues params;                   ///< empty: each op's checked parameter values
  std::optional<std::int64_t> samples;  ///< random inputs of sampled cases; routing: tokens per batch
  /// The sampled elementwise cases' inputs as one kernel call of [tokens, arity * d]
  /// instead of the default calls (default_batches); given alone, the other is samples
  /// over it. samples then defaults to tokens * d.
  std::optional<std::int64_t> tokens;
  std::optional<std::int64_t> d;
  std::uint64_t seed = 1;
  RoutingReportOptions routing;  ///< the routing family's own options
  CombineReportOptions combine;  ///< the combine family's own options
};

/// How the inputs were chosen: seed and sample count of the sampled cases.
struct ReportSettings {
  std::uint64_t seed = 1;
  std::int64_t samples = 0;
};

struct ReportPlan {
  std::vector<FamilyReportPlan> families;  ///< those the request covers, in report order
  std::vector<SkippedCase> skipped;        ///< cases asked for that no kernel will measure
  ReportSettings settings;
};

struct ReportResults {
  std::vector<FamilyReport> families;
  std::vector<SkippedCase> skipped;  ///< the plan's, then those of each family's run
  ReportSettings settings;
};

/// Validates the request against the registries (and loaded plugins). Throws RequestError
/// naming the flag: an unknown op, dtype or kernel, a parameter an op does not take or out
/// of range, contradictory sizes, nothing to report.
ReportPlan plan_report(const ReportRequest& request);

/// Measures every case of the plan; progress and per-case lines go to `observer`. Throws
/// KernelError when a kernel named in the request cannot run.
ReportResults run_report(const ReportPlan& plan, Observer& observer = silent_observer());

}  // namespace ulpcheck
