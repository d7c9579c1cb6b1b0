// CUDA kernels under test: a launch function per op and storage format, behind the same
// Kernel interface as the host kernels. run() copies to the device, poisons the output,
// launches, waits and copies back.
#pragma once

#include <array>
#include <span>
#include <string_view>

#include "ulpcheck/device/cuda/launch.hpp"
#include "ulpcheck/device/kernel.hpp"

namespace ulpcheck::cuda {

struct CudaOpImpl {
  const ElementwiseOp* op;
  std::array<LaunchFn, 3> launch;  ///< indexed by Format
  std::array<Budget, 3> claim;
  /// Empty when the kernel takes the parameters for format f, else why not; nullptr: all.
  std::string (*check_params)(Format f, const Params& params) = nullptr;
};

class CudaElementwiseKernel final : public Kernel {
 public:
  CudaElementwiseKernel(std::string_view name, std::string_view description, std::span<const CudaOpImpl> ops)
      : name_(name), description_(description), ops_(ops) {}

  std::string_view name() const override { return name_; }
  std::string_view description() const override { return description_; }
  std::optional<Budget> claim(const ElementwiseOp& op, Format f) const override;
  std::string unsupported_params(const ElementwiseOp& op, Format f, const Params& params) const override;
  void run(const ElementwiseOp& op, const Params& params, const BitTensor& input, BitTensor& output) const override;

  /// The raw launch for (op, f), for callers that keep their data on the device (the
  /// large-shape tests); nullptr when not implemented.
  LaunchFn launcher(const ElementwiseOp& op, Format f) const;

 private:
  const CudaOpImpl* find(const ElementwiseOp& op) const;

  std::string_view name_;
  std::string_view description_;
  std::span<const CudaOpImpl> ops_;
};

/// The built-in CUDA kernels (empty in a build without CUDA).
std::span<const Kernel* const> builtin_kernels();

}  // namespace ulpcheck::cuda
