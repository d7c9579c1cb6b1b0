#include <cuda_runtime_api.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <string>

#include "ulpcheck/device/combine_variants.hpp"
#include "ulpcheck/device/cuda/combine_kernel.hpp"
#include "ulpcheck/device/cuda/combine_launch.hpp"
#include "ulpcheck/device/cuda/runtime.hpp"
#include "ulpcheck/device/tensor.hpp"

namespace ulpcheck::cuda {

namespace {

class CudaCombineKernel final : public CombineKernel {
 public:
  explicit CudaCombineKernel(const combine_variants::Variant& v)
      : variant_(v),
        name_(fmt::format("cuda.combine_{}", v.suffix)),
        description_(fmt::format("{}; a block per token, threads over hidden", v.description)) {}
  std::string_view name() const override { return name_; }
  std::string_view description() const override { return description_; }
  std::optional<CombineClaim> claim(const CombineConfig& c, Format f) const override {
    return combine_variants::claim(variant_, c, f);
  }

  void run(const CombineConfig& c, const CombineInputs& in, std::vector<std::uint32_t>& out) const override {
    require_valid_run(name_, c, in, out);
    if (!device_available()) throw KernelError(fmt::format("{}: {}", name_, device_description()));
    const CallScope scope(name_, fmt::format("{} tokens of {}", in.tokens, c.label()));
    const std::vector<unsigned char> routed =
        to_storage_bytes(BitTensor{in.format, in.tokens * c.topk, c.hidden, in.routed});
    const std::vector<unsigned char> shared = to_storage_bytes(BitTensor{in.format, in.tokens, c.hidden, in.shared});
    DeviceBuffer d_routed(routed.size()), d_shared(shared.size()),
        d_weights(std::max<std::size_t>(in.weights.size() * 4, 4)), d_out(std::max<std::size_t>(out.size() * 4, 4));
    d_routed.upload(routed.data(), routed.size());
    d_shared.upload(shared.data(), shared.size());
    d_weights.upload(in.weights.data(), in.weights.size() * 4);
    d_out.poison();
    const CombineLaunch l{d_routed.data(), static_cast<const float*>(d_weights.data()), d_shared.data(), in.tokens,
                          combine_variants::shape(variant_, c, in.format), static_cast<float*>(d_out.data())};
    if (const int err = launch_combine(l); err != cudaSuccess)
      throw KernelError(fmt::format("{}: launch for {} tokens of {} failed: {}", name_, in.tokens, c.label(),
                                    cudaGetErrorString(static_cast<cudaError_t>(err))));
    synchronize(name_.c_str());
    std::vector<float> values(out.size());
    d_out.download(values.data(), values.size() * 4);
    for (std::size_t e = 0; e < out.size(); ++e) out[e] = encode(in.format, static_cast<double>(values[e]));
  }

 private:
  const combine_variants::Variant& variant_;
  std::string name_, description_;
};

}  // namespace

std::span<const CombineKernel* const> builtin_combine_kernels() {
  static const CudaCombineKernel fold_fused(combine_variants::kFoldFused), fold(combine_variants::kFold),
      storage_sum(combine_variants::kFoldStorageSum), scale_output(combine_variants::kScaleOutput),
      scale_output_fused(combine_variants::kScaleOutputFused), guard(combine_variants::kFp16Guard);
  static const auto all = std::to_array<const CombineKernel*>(
      {&fold_fused, &fold, &storage_sum, &scale_output, &scale_output_fused, &guard});
  return all;
}

}  // namespace ulpcheck::cuda
