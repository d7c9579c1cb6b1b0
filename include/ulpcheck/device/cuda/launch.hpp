// The host-side view of one elementwise CUDA launch: device pointers and the shape. No CUDA
// headers here, so code compiled by the host compiler can hold launch functions.
#pragma once

#include <cstdint>

#include "ulpcheck/device/param_slots.hpp"

namespace ulpcheck::cuda {

/// input: [tokens, arity * d] of the storage format (2-byte elements for bf16/fp16, 4 for
/// fp32), output: [tokens, d], both in device memory; all offsets are 64-bit. params: the
/// op's parameters as the kernel receives them (param_slots.hpp).
struct ElementwiseLaunch {
  const void* input;
  void* output;
  std::int64_t tokens;
  std::int64_t d;
  ParamSlots params;
  void* stream;  ///< a cudaStream_t; nullptr for the default stream
};

/// Enqueues the kernel; returns the cudaError_t of the launch (0 = success).
using LaunchFn = int (*)(const ElementwiseLaunch&);

}  // namespace ulpcheck::cuda
