// Generators of whole fuzz cases: a shape, a clamp limit and the input tensor.
#pragma once

#include <rapidcheck.h>

#include <cstdint>
#include <iosfwd>
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

/// Clamp limits: 0, the smallest fp32 subnormal, 1, 7, 10, 1e30, inf, fp32(7.3) (no 16-bit
/// format holds it), and any non-negative fp32 value.
rc::Gen<float> gen_limit();

/// One case for an op: shape, limit (+inf when the op has none) and input bits
/// [tokens, arity * d] of format f.
struct FuzzCase {
  Format format = Format::bf16;
  int arity = 1;
  Shape shape;
  float limit = 0.0f;
  std::vector<std::uint32_t> bits;

  BitTensor tensor() const;
  /// The op's parameters for this case: its defaults with the case's limit where the op
  /// takes one.
  Params params(const ElementwiseOp& op) const;
};

/// Shrinks whole rows and columns first, then zeroes inputs, so a failure ends as one row
/// with the few nonzero inputs that matter.
rc::Gen<FuzzCase> gen_case(const ElementwiseOp& op, Format f);

/// Shape, limit, and every input that is not +0 as row/column and bits: what a shrunk
/// counterexample needs to be read.
void showValue(const FuzzCase& c, std::ostream& os);

struct FuzzTarget;
struct FuzzProperty;
template <>
struct FuzzPart<ElementwiseFamily> : FuzzTypes<FuzzCase, FuzzTarget, FuzzProperty> {};

}  // namespace ulpcheck
