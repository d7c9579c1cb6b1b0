// `ulpcheck report`: measure one kernel on one op and dtype and print a precision report.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ulpcheck::cli {

struct ReportOptions {
  std::string op;
  std::string dtype = "bf16";
  std::string kernel;  ///< empty: the default kernel for (op, dtype)
  std::optional<std::string> limit;
  std::optional<std::int64_t> samples;
  std::uint64_t seed = 1;
  std::string format = "md";
  std::vector<std::string> plugins;  ///< --plugin: loaded before anything is looked up
};

void setup_report(CLI::App& app, int& exit_code);
/// 0 when every output is within the kernel's budget and no semantic check fails, 1
/// otherwise; throws UsageError on bad options.
int run_report(const ReportOptions& options);

}  // namespace ulpcheck::cli
