// A kernel under test: anything that implements some ops for some formats.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "ulpcheck/device/tensor.hpp"
#include "ulpcheck/reference/budget.hpp"
#include "ulpcheck/reference/op.hpp"
#include "ulpcheck/reference/params.hpp"

namespace ulpcheck {

/// A kernel failed to run (not a wrong result: those are for the checks to find).
struct KernelError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// One call of a kernel on device memory: input [rows, arity * d] and output [rows, d] of
/// one format, on the current CUDA device.
struct DeviceCall {
  const void* input = nullptr;
  void* output = nullptr;
  std::int64_t rows = 0, d = 0;
};
/// A kernel bound to (op, format, parameters), run on device memory: enqueues one call (the
/// caller waits for it) and throws KernelError if the call cannot be made.
using DeviceRun = std::function<void(const DeviceCall&)>;

class Kernel {
 public:
  virtual ~Kernel() = default;
  /// Unique, stable name: "<backend>.<variant>", e.g. "host.single_rounding".
  virtual std::string_view name() const = 0;
  /// One line: what arithmetic it does and which production kernel it stands for.
  virtual std::string_view description() const = 0;
  /// The budget the kernel claims for `op` in format `f`, or nullopt when it does not
  /// implement that pair. supports(op, f) == claim(op, f).has_value().
  virtual std::optional<Budget> claim(const ElementwiseOp& op, Format f) const = 0;
  /// Empty when the kernel takes these parameters for (op, f); otherwise why it does not
  /// (a parameter value the storage format cannot hold, for kernels that store a value
  /// computed from it).
  /// Commands refuse such a run, and fuzzing skips such cases.
  virtual std::string unsupported_params(const ElementwiseOp&, Format, const Params&) const { return {}; }
  /// Runs `op` on `input` ([rows, arity * d], format f) and writes every element of
  /// `output` ([rows, d], format f; the caller allocates it). Throws KernelError.
  virtual void run(const ElementwiseOp& op, const Params& params, const BitTensor& input,
                   BitTensor& output) const = 0;

  /// The kernel on device memory, for runs that keep inputs and outputs on the GPU (the
  /// exhaustive sweeps); empty for a kernel that takes host memory.
  virtual DeviceRun device_run(const ElementwiseOp&, Format, const Params&) const { return {}; }
  bool supports(const ElementwiseOp& op, Format f) const { return claim(op, f).has_value(); }
};

}  // namespace ulpcheck
