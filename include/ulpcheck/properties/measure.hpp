// Run a kernel and the oracle over an input set and compare every element.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "ulpcheck/device/kernel.hpp"
#include "ulpcheck/properties/error_stats.hpp"
#include "ulpcheck/properties/inputs.hpp"
#include "ulpcheck/reference/oracle.hpp"

namespace ulpcheck {

struct Measurement {
  const ElementwiseOp* op = nullptr;
  const Kernel* kernel = nullptr;
  Format format = Format::bf16;
  Params params;
  Budget budget;
  std::string inputs;
  std::int64_t rows = 0;       ///< the inputs as stored: element i is [i / d, i % d]
  std::int64_t d = 0;
  std::vector<Batch> batches;  ///< the kernel calls, in element order
  OracleCounts oracle;
  ErrorStats stats;
};

/// Called with (elements done, elements in all) while a measurement runs.
using Progress = std::function<void(std::int64_t, std::int64_t)>;

/// The oracle's answers for every element of an input set, in element order (row-major
/// over [rows, d]): evaluated once, then shared by every kernel measured on those inputs.
struct OracleAnswers {
  std::vector<Exact> exact;
  OracleCounts counts;
};

/// Evaluates the oracle on every element of `inputs` (all cores). Throws
/// std::invalid_argument when the inputs do not fit the op. double_then_mpfr decides every
/// rounding exactly but leaves Exact::value only as accurate as the double tier (about
/// 2^-50 relative) where that tier decides; mpfr_only makes every value a full
/// double-double, for golden files.
OracleAnswers evaluate_inputs(const ElementwiseOp& op, Format f, const Params& params, const InputSet& inputs,
                              const Progress& progress = {},
                              OracleMethod method = OracleMethod::double_then_mpfr);

/// Runs `kernel` on the inputs and checks every output against `answers` (from
/// evaluate_inputs, or read from a golden file) and the budget the kernel claims. Throws
/// std::invalid_argument when the kernel does not implement (op, format) or does not take
/// the parameters, or when `answers` does not have one entry per element.
Measurement measure(const ElementwiseOp& op, const Kernel& kernel, Format f, const Params& params,
                    const InputSet& inputs, const OracleAnswers& answers, const Progress& progress = {});

/// Runs `kernel` on the inputs, one call per batch of `inputs`, and returns its output
/// [rows, d] in the element order of the inputs, poisoned with all-ones patterns (NaN in
/// every format) before the run, so that an element the kernel never writes cannot pass
/// for a result. Throws std::invalid_argument as measure() does, and when the batches do
/// not cover the elements.
BitTensor run_kernel(const ElementwiseOp& op, const Kernel& kernel, Format f, const Params& params,
                     const InputSet& inputs);

/// measure() on outputs already computed by run_kernel(), so that a caller can keep them
/// (to compare two kernels' outputs, say) without running the kernel twice.
Measurement measure_outputs(const ElementwiseOp& op, const Kernel& kernel, Format f, const Params& params,
                            const InputSet& inputs, const OracleAnswers& answers, const BitTensor& outputs,
                            const Progress& progress = {});

/// evaluate_inputs, then measure: one kernel on fresh inputs.
Measurement measure(const ElementwiseOp& op, const Kernel& kernel, Format f, const Params& params,
                    const InputSet& inputs, const Progress& progress = {});

}  // namespace ulpcheck
