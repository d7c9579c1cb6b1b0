// Generators of whole fuzz cases: a shape, the op's parameters and the input tensor.
#pragma once

#include <rapidcheck.h>

#include <cstdint>
#include <iosfwd>
#include <span>
#include <string>
#include <vector>

#include "ulpcheck/device/tensor.hpp"
#include "ulpcheck/properties/gen/batch_sizes.hpp"
#include "ulpcheck/reference/op.hpp"
#include "ulpcheck/properties/fuzz_part.hpp"

namespace ulpcheck {

struct Shape {
  std::int64_t tokens = 0;
  std::int64_t d = 0;
};

/// Shapes kernels get wrong: 0 and 1 tokens, the dispatch batch sizes and any batch up to
/// kMaxTokens; d = 1, odd d, d a multiple of the 8-wide vector and d just past one (the
/// scalar tail), large d (4099, 13827). At most 2^14 output elements (2^15 for 4096 rows
/// of one vector), so a case stays cheap for the oracle: a large batch gets a smaller d of
/// the same residue mod 8. A sixth of the cases have more than 64 tokens.
rc::Gen<Shape> gen_shape();

/// Values of one parameter as its kernel receives it (ParamCarrier::fp32): one of the
/// spec's fuzzed_values 4 times in 5, else any fp32 value in [lowest, highest], uniform over
/// the bit patterns between the two.
rc::Gen<float> gen_param(const ParamSpec& spec);

/// One case for an op: shape, parameter values and input bits [tokens, arity * d] of
/// format f.
struct FuzzCase {
  Format format = Format::bf16;
  int arity = 1;
  Shape shape;
  /// The op's parameters (its ParamSpecs) and their values in the same order, as the
  /// kernel receives them.
  std::span<const ParamSpec> param_specs;
  std::vector<float> param_values;
  std::vector<std::uint32_t> bits;

  BitTensor tensor() const;
  /// The op's parameters for this case: its defaults with the case's values.
  Params params(const ElementwiseOp& op) const;
};

/// The case's parameters as a person reads them: "<name> <hexfloat>" each ("<name>
/// 0x1.cp+2" for 7), joined by ", "; empty for an op without parameters.
std::string params_text(const FuzzCase& c);

/// Shrinks whole rows and columns first, then zeroes inputs, so a failure ends as one row
/// with the few nonzero inputs that matter.
rc::Gen<FuzzCase> gen_case(const ElementwiseOp& op, Format f);

/// Shape, parameters, and every input that is not +0 as row/column and bits: what a shrunk
/// counterexample needs to be read.
void showValue(const FuzzCase& c, std::ostream& os);

struct FuzzTarget;
struct FuzzProperty;
template <>
struct FuzzPart<ElementwiseFamily> : FuzzTypes<FuzzCase, FuzzTarget, FuzzProperty> {};

}  // namespace ulpcheck
