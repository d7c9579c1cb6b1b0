// `ulpcheck report`: measure kernels against the exact oracle, per op, dtype, parameter set
// and kernel, and write one precision report (Markdown, JSON or HTML); or, with --diff,
// say what changed between two JSON reports.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli/report_routing.hpp"

namespace ulpcheck::cli {

struct ReportOptions {
  std::vector<std::string> ops;      ///< empty: every op, biased_grouped_topk included
  std::vector<std::string> dtypes;   ///< bf16, fp16, fp32 or all; empty: bf16 (routing: the logits')
  /// Kernel names, or "all" (every kernel that runs here). Empty: every kernel that runs
  /// here when no --op is given, the default kernel of each (op, dtype) when one is.
  std::vector<std::string> kernels;
  std::optional<std::string> limit;  ///< empty: each op's checked parameter values
  std::optional<std::int64_t> samples;  ///< random inputs of sampled cases; routing: tokens per batch
  /// --tokens and --d: the sampled elementwise cases' inputs as one kernel call of
  /// [tokens, arity * d] instead of the default calls (default_batches); given alone, the
  /// other is --samples over it. --samples then defaults to tokens * d.
  std::optional<std::int64_t> tokens;
  std::optional<std::int64_t> d;
  std::uint64_t seed = 1;
  std::string format = "md";
  std::optional<std::string> output;  ///< -o: written atomically instead of stdout
  std::vector<std::string> diff;      ///< --diff OLD.json NEW.json
  std::vector<std::string> plugins;   ///< --plugin: loaded before anything is looked up
  RoutingReportOptions routing;       ///< biased_grouped_topk's configuration and inputs
};

void setup_report(CLI::App& app, int& exit_code);
/// 0 when every case is within its kernel's budget with no failing semantic difference,
/// 1 when one is not, 2 when a kernel did not run (the report is still written); with
/// --diff, 1 when a case that passed in OLD fails in NEW. Throws UsageError on bad options
/// and unreadable or invalid report files.
int run_report(const ReportOptions& options);

}  // namespace ulpcheck::cli
