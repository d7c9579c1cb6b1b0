// Run a kernel and the oracle over an input set and compare every element.
#pragma once

#include <functional>
#include <string>

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
  std::int64_t rows = 0;
  std::int64_t d = 0;
  OracleCounts oracle;
  ErrorStats stats;
};

/// Called with (elements done, elements in all) while a measurement runs.
using Progress = std::function<void(std::int64_t, std::int64_t)>;

/// Runs `kernel` on the inputs, evaluates the oracle on the same inputs, and checks every
/// output against the budget the kernel claims. Throws std::invalid_argument when the
/// kernel does not implement (op, format).
Measurement measure(const ElementwiseOp& op, const Kernel& kernel, Format f, const Params& params,
                    const InputSet& inputs, const Progress& progress = {});

}  // namespace ulpcheck
