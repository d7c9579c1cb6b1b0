// One combine case: a configuration and a batch of inputs in one storage format. What the
// fuzzers generate and shrink, and what a golden file's corpus keeps of a counterexample.
#pragma once

#include "ulpcheck/properties/fuzz_part.hpp"
#include "ulpcheck/reference/combine.hpp"

namespace ulpcheck {

struct CombineCase {
  CombineConfig config;
  CombineInputs inputs;
};

struct CombineFuzzTarget;
struct CombineFuzzProperty;
template <>
struct FuzzPart<CombineFamily> : FuzzTypes<CombineCase, CombineFuzzTarget, CombineFuzzProperty> {};

}  // namespace ulpcheck
