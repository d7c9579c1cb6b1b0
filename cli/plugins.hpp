// `--plugin PATH`, on every subcommand: kernels from shared libraries built against
// include/ulpcheck/kernel_abi.h (docs/writing-a-plugin.md).
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>


namespace ulpcheck::cli {

/// Adds the repeatable --plugin option to a subcommand; the paths land in `paths`.
void add_plugin_option(CLI::App* sub, std::vector<std::string>& paths);

/// Loads the plugins in order and registers their kernels. A subcommand calls it first,
/// before it looks anything up. Returns the names of the kernels the plugins brought. Throws
/// UsageError ("--plugin PATH: what is wrong").
std::vector<std::string> load_plugins(const std::vector<std::string>& paths);

}  // namespace ulpcheck::cli
