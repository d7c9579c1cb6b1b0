// The routing family's flags (biased_grouped_topk's configuration and input distributions),
// grouped under the op's name in --help.
#pragma once

#include <CLI/CLI.hpp>

#include <vector>

#include "ulpcheck/runs/routing/report.hpp"

namespace ulpcheck::cli {

/// Binds the routing options of `report` to `o`; returns the options added.
std::vector<CLI::Option*> add_routing_options(CLI::App& report, RoutingReportOptions& o);

}  // namespace ulpcheck::cli
