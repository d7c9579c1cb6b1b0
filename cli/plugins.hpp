// `--plugin PATH` and `--isolate`, on every subcommand: kernels from shared libraries built
// against include/ulpcheck/kernel_abi.h (docs/writing-a-plugin.md), run in ulpcheck's
// process or, isolated, each call in a child process.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace ulpcheck::cli {

struct PluginOptions {
  std::vector<std::string> paths;
  bool isolate = false;
  double isolate_timeout = 60;  ///< seconds per call
  /// " --plugin 'a.so' --isolate ...": the options as a command that runs again needs them.
  std::string command_line() const;
};

/// Adds the repeatable --plugin option, --isolate and --isolate-timeout to a subcommand.
void add_plugin_option(CLI::App* sub, PluginOptions& options);

/// Loads the plugins in order and registers their kernels. A subcommand calls it first,
/// before it looks anything up. Returns the names of the kernels the plugins brought. Throws
/// UsageError ("--plugin PATH: what is wrong", "--isolate-timeout ...").
std::vector<std::string> load_plugins(const PluginOptions& options);

}  // namespace ulpcheck::cli
