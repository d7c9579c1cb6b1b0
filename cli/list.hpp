// `ulpcheck list`: the ops, formats and kernels this build knows, with kernels' claims.
#pragma once

#include <CLI/CLI.hpp>

namespace ulpcheck::cli {

void setup_list(CLI::App& app, int& exit_code);
int run_list();

}  // namespace ulpcheck::cli
