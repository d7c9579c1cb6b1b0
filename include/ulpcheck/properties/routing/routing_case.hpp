// One routing case: a configuration and a batch of inputs. What the fuzzers generate and
// shrink, and what a golden file's corpus keeps of a counterexample.
#pragma once

#include <cstdint>

#include "ulpcheck/reference/routing.hpp"
#include "ulpcheck/properties/fuzz_part.hpp"

namespace ulpcheck {

struct RoutingCase {
  RoutingConfig config;
  RoutingInputs inputs;
  /// The batch repeats its first `distinct_tokens` tokens cyclically (0: every token is its
  /// own), so a batch of thousands of tokens costs the oracle only its distinct ones.
  std::int64_t distinct_tokens = 0;
};

struct RoutingFuzzTarget;
struct RoutingFuzzProperty;
template <>
struct FuzzPart<RoutingFamily> : FuzzTypes<RoutingCase, RoutingFuzzTarget, RoutingFuzzProperty> {};

}  // namespace ulpcheck
