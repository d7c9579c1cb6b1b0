// Building golden files: the inputs of each case, the oracle's answers and the recorded
// figures of every kernel that can run here; the corpus of an existing file is carried over.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "ulpcheck/device/kernel.hpp"
#include "ulpcheck/golden/elementwise/golden_file.hpp"
#include "ulpcheck/properties/measure.hpp"

namespace ulpcheck::golden {

/// One case to build: its group name and parameters.
struct CaseSpec {
  std::string name;  ///< "all" or "<name>=<value>"
  Params params;
};

/// The cases of op, one per op.checked_params(), named by Params::label() ("<name>=<value>"),
/// or one case "all" for an op without parameters.
std::vector<CaseSpec> case_specs(const ElementwiseOp& op);

/// The inputs of a case: every 16-bit value for unary 16-bit ops; otherwise the special
/// values (all pairs for arity 2) followed by `samples` seeded random bit patterns. Sets
/// x0_bits and x1_bits; `description` receives what they are.
Elements case_inputs(const ElementwiseOp& op, Format f, const Params& params, std::int64_t samples,
                     std::uint64_t seed, std::string* description = nullptr);

/// The elements stored as [n / d, arity * d], d the largest of 1024, 256, ..., 1 that
/// divides n, and handed to kernels in default_batches(n): the calls of `golden check`
/// (and of regen and verify, whose figures a correct kernel gives in any calls) include
/// an odd token count, d not a multiple of 8 and, from 11006 elements, d above 8192.
InputSet as_input_set(const ElementwiseOp& op, Format f, const Elements& e, const std::string& description = {});

/// Fills exact_hi, exact_lo and rounded_bits of `data` from a fresh oracle run, every
/// element through MPFR so that exact_hi + exact_lo is a full double-double.
void compute_exact(const ElementwiseOp& op, Format f, const Params& params, Elements& data);

/// The recorded oracle values of the elements, ready for measure().
OracleAnswers answers_of(Format f, const Elements& e);

/// The figures of a measurement, as a golden file records them.
KernelFigures figures_of(const Measurement& m);

/// Of `kernels`, those that claim (op, f) and take `params`.
std::vector<const Kernel*> kernels_for(std::span<const Kernel* const> kernels, const ElementwiseOp& op, Format f,
                                       const Params& params);

/// Called with a line of progress ("<op> /bf16/<name>=<value>: 18496 elements, 3 kernels").
using Log = std::function<void(const std::string&)>;

struct BuildOptions {
  std::int64_t samples = 16384;  ///< random elements per sampled case
  std::uint64_t seed = 1;
  /// Kernels whose figures are recorded (those that claim each case's op, dtype and
  /// parameters): every kernel that can run where the file is built.
  std::vector<const Kernel*> kernels;
  /// Provenance of the figures: set when a CUDA kernel is among `kernels`.
  std::string device = "none (host kernels only)", cuda_version = device, driver_version = device;
};

/// The whole golden file of op. `corpora` (from the file being replaced) are carried over
/// with their exact values recomputed.
GoldenFile build_golden(const ElementwiseOp& op, const BuildOptions& options, std::vector<Corpus> corpora = {},
                        const Log& log = {});

}  // namespace ulpcheck::golden
