// One routing case: a configuration and a batch of inputs. What the fuzzers generate and
// shrink, and what a golden file's corpus keeps of a counterexample.
#pragma once

#include "ulpcheck/reference/routing.hpp"

namespace ulpcheck {

struct RoutingCase {
  RoutingConfig config;
  RoutingInputs inputs;
};

}  // namespace ulpcheck
