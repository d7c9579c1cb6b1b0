// `ulpcheck exhaustive`: one op, dtype and kernel over its whole input space (runs/
// exhaustive.hpp), as a report, or with --shard as a part document; `ulpcheck merge`: the
// report of parts, the same bytes as one run over the whole space.
#pragma once

#include <CLI/CLI.hpp>

namespace ulpcheck::cli {

void setup_exhaustive(CLI::App& app, int& exit_code);
void setup_merge(CLI::App& app, int& exit_code);

}  // namespace ulpcheck::cli
