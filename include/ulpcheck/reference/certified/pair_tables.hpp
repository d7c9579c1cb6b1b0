// What the pair oracle (element_oracles.hpp) needs of a gated op on a 16-bit format, per
// input bit pattern: each gate prepared and its activation from MPFR, each up prepared.
// 65536 MPFR evaluations, once per (op, format, parameters), then 2^32 pairs in double-double.
#pragma once

#include <vector>

#include "ulpcheck/reference/certified/element_oracles.hpp"
#include "ulpcheck/reference/op.hpp"
#include "ulpcheck/reference/tiers/tiers.hpp"

namespace ulpcheck {

struct PairTables {
  std::vector<PreparedGate> gates;  ///< by gate bit pattern, 65536
  std::vector<double> ups;          ///< u', the op's prepared up, by up bit pattern, 65536
};

/// The tables of `op` (gated; its prepare must treat gate and up apart, as a clamp does) on
/// `f` (bf16 or fp16) with validated `params`, computed on every core. Throws
/// std::invalid_argument for a unary op or a 32-bit format.
PairTables pair_tables(const ElementwiseOp& op, Format f, const Params& params);

}  // namespace ulpcheck
