// `ulpcheck list`: the ops, formats and kernels this build knows, with kernels' claims.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "cli/plugins.hpp"

namespace ulpcheck::cli {

void setup_list(CLI::App& app, int& exit_code);
/// Loads `plugins` (--plugin) first, so their kernels are listed too.
int run_list(const PluginOptions& plugins = {});

}  // namespace ulpcheck::cli
