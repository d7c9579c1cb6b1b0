// `ulpcheck report`: the options of a report campaign (runs/report.hpp) and how it is
// written (Markdown, JSON or HTML, to stdout or a file); or, with --diff, what changed
// between two JSON reports.
#pragma once

#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <vector>

#include "cli/plugins.hpp"

#include "ulpcheck/runs/report.hpp"

namespace ulpcheck::cli {

struct ReportOptions {
  ReportRequest request;
  std::string format = "md";
  std::optional<std::string> output;  ///< -o: written atomically instead of stdout
  std::vector<std::string> diff;      ///< --diff OLD.json NEW.json
  PluginOptions plugins;              ///< --plugin: loaded before anything is looked up
};

void setup_report(CLI::App& app, int& exit_code);

/// 0 when every case is within its kernel's budget with no failing semantic difference,
/// 1 when one is not, 2 when a kernel did not run (the report is still written); with
/// --diff, 1 when a case that passed in OLD fails in NEW. Throws UsageError on bad options
/// and unreadable or invalid report files.
int run_report(const ReportOptions& options);

}  // namespace ulpcheck::cli
