// Exhaustive cases: an op's whole input space through a kernel, every output checked. Where
// the space is 65536 inputs (a unary op on bf16 or fp16) the host oracle takes them, for a
// kernel of any backend; where it is 2^32 (every (gate, up) pair of a gated op on bf16 or
// fp16, every fp32 input of a unary op) the GPU sweep does (device/sweep/), for a built-in
// CUDA kernel. Either way the space splits into 65536 units (inputs, or rows of 65536) that
// shards take in runs; parts merge into the figures of the whole, whatever the split.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "ulpcheck/device/kernel.hpp"
#include "ulpcheck/device/sweep/sweep.hpp"
#include "ulpcheck/properties/case_figures.hpp"

namespace ulpcheck {

enum class ExhaustiveSpace {
  none,             ///< no exhaustive sweep for this op and format
  all_16bit_inputs, ///< a unary op on bf16 or fp16: 65536 inputs, host oracle, any kernel
  all_pairs,        ///< a gated op on bf16 or fp16: 2^32 (gate, up) pairs on the GPU
  all_fp32_inputs,  ///< a unary op on fp32: 2^32 inputs on the GPU
};
ExhaustiveSpace exhaustive_space(const ElementwiseOp& op, Format f);
/// "every bf16 (gate, up) pair (2^32)", for reports and messages.
std::string describe(ExhaustiveSpace space, Format f);

/// Shard `index` of `count` (0 <= index < count <= 65536): units [index * 65536 / count,
/// (index + 1) * 65536 / count) of the space.
struct Shard {
  std::int64_t index = 0, count = 1;
  std::int64_t first_unit() const { return index * sweep::kRows / count; }
  std::int64_t end_unit() const { return (index + 1) * sweep::kRows / count; }
  /// "3/8" (one-based, as the command line takes it).
  std::string label() const;
};

/// What one run of a shard counted, and of what: what `merge_parts` adds up and
/// `exhaustive_case` turns into a report case.
struct ExhaustivePart {
  std::string op, kernel;
  Format format = Format::bf16;
  Params params;
  Budget budget;
  Shard shard;  ///< a merged part covers shards [0, count) and has index -1
  std::int64_t rows_per_call = 0;  ///< GPU sweeps: rows per kernel call
  sweep::Figures figures;
};

/// Times of one run, for the benchmark and the progress line.
struct ExhaustiveTimes {
  double tables_s = 0.0, device_s = 0.0, settle_s = 0.0;
  sweep::PassTimes pass;
};

/// Called with (units done, units in the shard).
using UnitProgress = std::function<void(std::int64_t, std::int64_t)>;

/// Runs shard `shard` of the (op, f, params) space through `kernel`. Throws
/// std::invalid_argument when the op and format have no exhaustive space, or when the space
/// needs the GPU and the kernel is not a built-in CUDA one (naming which kernels are);
/// KernelError when the kernel or the device fails.
/// `tables`, when given, are pair_tables(op, f, params), computed once for several kernels.
ExhaustivePart run_exhaustive_part(const ElementwiseOp& op, const Kernel& kernel, Format f, const Params& params,
                                   const Shard& shard, const UnitProgress& progress = {},
                                   ExhaustiveTimes* times = nullptr, std::int64_t rows_per_call = 4096,
                                   const PairTables* tables = nullptr);

/// The parts of one space merged, in any order. Throws std::invalid_argument naming what
/// differs (op, kernel, format, parameters, budget, shard count) or which shards are
/// missing or given twice.
ExhaustivePart merge_parts(std::vector<ExhaustivePart> parts);

/// The report case of a whole space (a merged part, or a run of one shard of one): the
/// listed elements' inputs and exact values from the host oracle. Throws
/// std::invalid_argument when the part is not the whole space or names an unknown op or
/// kernel.
CaseResult exhaustive_case(const ExhaustivePart& whole);

}  // namespace ulpcheck
