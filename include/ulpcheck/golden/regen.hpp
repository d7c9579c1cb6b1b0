// Building golden files: the inputs of each case, the oracle's answers and the recorded
// figures of every host kernel that claims the op.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ulpcheck/device/kernel.hpp"
#include "ulpcheck/golden/golden_file.hpp"
#include "ulpcheck/properties/measure.hpp"

namespace ulpcheck::golden {

/// One case to build: its group name and parameters.
struct CaseSpec {
  std::string name;  ///< "all" or "limit=7.3"
  Params params;
};

/// The cases of op, one per op.checked_params(), named by Params::label() ("limit=7.3"),
/// or one case "all" for an op without parameters.
std::vector<CaseSpec> case_specs(const ElementwiseOp& op);

/// Whether a case's inputs are every 16-bit value (unary ops in bf16/fp16).
bool exhaustive(const ElementwiseOp& op, Format f);

/// The inputs of a case: every 16-bit value for unary 16-bit ops; otherwise the special
/// values (all pairs for arity 2) followed by `samples` seeded random bit patterns.
/// Sets x0_bits, x1_bits and the description.
Elements case_inputs(const ElementwiseOp& op, Format f, const Params& params, std::int64_t samples,
                     std::uint64_t seed, std::string* description = nullptr);

/// How many of a case's elements are the special values (before the random samples).
std::int64_t special_count(const ElementwiseOp& op, Format f, const Params& params);

/// The elements as a kernel input [n/d, arity*d] (d divides n).
InputSet as_input_set(const ElementwiseOp& op, Format f, const Elements& e, const std::string& description);

/// The recorded oracle values of the elements, ready for measure().
OracleAnswers answers_of(Format f, const Elements& e);

/// The figures of a measurement, as a golden file records them.
KernelFigures figures_of(const Measurement& m);

/// Host kernels that claim (op, f) and take `params`.
std::vector<const Kernel*> host_kernels(const ElementwiseOp& op, Format f, const Params& params);

using Log = std::function<void(const std::string&)>;

/// The whole golden file of op.
GoldenFile build_golden(const ElementwiseOp& op, std::int64_t samples, std::uint64_t seed, const Log& log = {});

}  // namespace ulpcheck::golden
