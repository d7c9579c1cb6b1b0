#include <cuda_runtime_api.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <string>

#include "ulpcheck/device/cuda/routing_kernel.hpp"
#include "ulpcheck/device/cuda/routing_launch.hpp"
#include "ulpcheck/device/cuda/runtime.hpp"
#include "ulpcheck/device/routing_variants.hpp"
#include "ulpcheck/device/tensor.hpp"

namespace ulpcheck::cuda {

namespace {

class CudaRoutingKernel final : public RoutingKernel {
 public:
  explicit CudaRoutingKernel(const routing_variants::Variant& v)
      : variant_(v),
        name_(fmt::format("cuda.routing_{}", v.suffix)),
        description_(fmt::format("{}; a warp per token for 256 experts in 8 groups, a thread per token otherwise",
                                 v.description)) {}
  std::string_view name() const override { return name_; }
  std::string_view description() const override { return description_; }
  std::optional<RoutingClaim> claim(const RoutingConfig& c, Format logits, Format bias) const override {
    return routing_variants::claim(variant_, c, logits, bias);
  }

  void run(const RoutingConfig& c, const RoutingInputs& in, RoutingOutputs& out) const override {
    require_valid_run(name_, c, in, out);
    if (!device_available()) throw KernelError(fmt::format("{}: {}", name_, device_description()));
    const CallScope scope(name_, fmt::format("{} tokens of {}", in.tokens, c.label()));
    const std::vector<unsigned char> logits = to_storage_bytes(BitTensor{in.logits_format, in.tokens, c.experts, in.logits});
    const std::vector<unsigned char> bias = to_storage_bytes(BitTensor{in.bias_format, 1, c.experts, in.bias});
    // 16 bytes at least: the warp path reads a row in 16-byte pieces.
    DeviceBuffer d_logits(std::max<std::size_t>(logits.size(), 16)), d_bias(bias.size());
    DeviceBuffer d_ids(std::max<std::size_t>(out.ids.size() * 4, 4)), d_weights(std::max<std::size_t>(out.weights.size() * 4, 4));
    d_logits.upload(logits.data(), logits.size());
    d_bias.upload(bias.data(), bias.size());
    d_ids.poison();
    d_weights.poison();
    const math::RoutingShape shape = routing_variants::shape(variant_, c, in.logits_format);
    const RoutingLaunch l{d_logits.data(), d_bias.data(), in.logits_format, in.bias_format, in.tokens, shape,
                          static_cast<std::int32_t*>(d_ids.data()), static_cast<float*>(d_weights.data())};
    const int err = launch_routing(l, variant_.sigmoid == routing_variants::Sigmoid::tanh, variant_.epsilon,
                                   warp_path(shape));
    if (err != cudaSuccess)
      throw KernelError(fmt::format("{}: launch for {} tokens of {} failed: {}", name_, in.tokens, c.label(),
                                    cudaGetErrorString(static_cast<cudaError_t>(err))));
    synchronize(name_.c_str());
    d_ids.download(out.ids.data(), out.ids.size() * 4);
    d_weights.download(out.weights.data(), out.weights.size() * 4);
  }

 private:
  const routing_variants::Variant& variant_;
  std::string name_, description_;
};

}  // namespace

std::span<const RoutingKernel* const> builtin_routing_kernels() {
  static const CudaRoutingKernel fp32(routing_variants::kFp32), input(routing_variants::kInputDtype),
      tanh(routing_variants::kTanhSigmoid), no_eps(routing_variants::kNoEpsilon);
  static const auto all = std::to_array<const RoutingKernel*>({&fp32, &input, &tanh, &no_eps});
  return all;
}

}  // namespace ulpcheck::cuda
