// CUDA kernels under test: a launch function per op and storage format, behind the same
// Kernel interface as the host kernels. run() copies to the device, poisons the output,
// launches, waits and copies back.
#pragma once

#include <array>
#include <span>
#include <string_view>

#include "ulpcheck/device/cuda/launch.hpp"
#include "ulpcheck/device/table_kernel.hpp"

namespace ulpcheck::cuda {

struct CudaOpImpl {
  const ElementwiseOp* op;
  std::array<LaunchFn, 3> launch;  ///< indexed by Format
  std::array<Budget, 3> claim;
  /// Empty when the kernel takes the parameters for format f, else why not; nullptr: all.
  std::string (*check_params)(Format f, const Params& params) = nullptr;
};

class CudaElementwiseKernel final : public TableKernel<CudaOpImpl> {
 public:
  using TableKernel::TableKernel;
  void run(const ElementwiseOp& op, const Params& params, const BitTensor& input, BitTensor& output) const override;
  DeviceRun device_run(const ElementwiseOp& op, Format f, const Params& params) const override;

  /// The raw launch for (op, f), for callers that keep their data on the device (the
  /// large-shape tests); nullptr when not implemented.
  LaunchFn launcher(const ElementwiseOp& op, Format f) const;
};

/// The built-in CUDA kernels (empty in a build without CUDA).
std::span<const Kernel* const> builtin_kernels();

}  // namespace ulpcheck::cuda
