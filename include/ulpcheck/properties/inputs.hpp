// Input sets for measurements: every value of a 16-bit format, or seeded random bit
// patterns (never a float distribution: bit patterns reach NaN, inf and subnormals).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ulpcheck/device/tensor.hpp"
#include "ulpcheck/properties/batches.hpp"
#include "ulpcheck/reference/op.hpp"

namespace ulpcheck {

struct InputSet {
  BitTensor tensor;        ///< [rows, arity * d]: the elements, row-major over [rows, d]
  std::string description; ///< for reports: "all 65536 bf16 values", "1000000 random ..."
  /// The kernel calls the elements are handed over in: consecutive runs of them, in
  /// element order, covering all. Empty: one call on the tensor as it is.
  std::vector<Batch> batches = {};
};

/// The calls of `inputs` for an op of `arity`: its batches, or the tensor's own shape.
std::vector<Batch> batches_of(const InputSet& inputs, int arity);

/// `inputs` with its elements handed over in default_batches() (the tensor unchanged).
InputSet in_default_batches(InputSet inputs, int arity);

/// Whether every input of (op, f) can be checked: a unary op in a 16-bit format has 65536;
/// everything else is sampled.
bool checks_every_input(const ElementwiseOp& op, Format f);

/// Every bit pattern of a 16-bit format, as a unary input [256, 256].
InputSet all_values(Format f);

/// `elements` output elements' worth of uniformly random bit patterns for an op of
/// `arity`, shaped [elements / d, arity * d] with d = min(elements, 1000) (elements must be
/// a multiple of d when above 1000). The same seed gives the same bits on every platform:
/// the stream is std::mt19937_64, which the standard specifies exactly.
InputSet random_bits(Format f, int arity, std::int64_t elements, std::uint64_t seed);

/// Random bit patterns of an exact shape [rows, arity * d], for shape-sensitive kernels.
InputSet random_rows(Format f, int arity, std::int64_t rows, std::int64_t d, std::uint64_t seed);

}  // namespace ulpcheck
