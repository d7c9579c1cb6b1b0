// The host combine kernels: the per-element math of device/math/combine.cuh over every
// token and hidden element.
#include <fmt/format.h>

#include <array>
#include <string>
#include <vector>

#include "ulpcheck/device/combine_variants.hpp"
#include "ulpcheck/device/host/combine_kernel.hpp"

namespace ulpcheck::host {

namespace {

class HostCombineKernel final : public CombineKernel {
 public:
  explicit HostCombineKernel(const combine_variants::Variant& v)
      : variant_(v), name_(fmt::format("host.combine_{}", v.suffix)) {}
  std::string_view name() const override { return name_; }
  std::string_view description() const override { return variant_.description; }
  std::optional<CombineClaim> claim(const CombineConfig& c, Format f) const override {
    return combine_variants::claim(variant_, c, f);
  }
  void run(const CombineConfig& c, const CombineInputs& in, std::vector<std::uint32_t>& out) const override {
    require_valid_run(name_, c, in, out);
    const math::CombineShape shape = combine_variants::shape(variant_, c, in.format);
    const std::int64_t K = c.topk, H = c.hidden;
    std::vector<float> y(static_cast<std::size_t>(K));
    for (std::int64_t t = 0; t < in.tokens; ++t) {
      const float* w = in.weights.data() + t * K;
      for (std::int64_t h = 0; h < H; ++h) {
        for (std::int64_t k = 0; k < K; ++k)
          y[static_cast<std::size_t>(k)] =
              static_cast<float>(decode(in.format, in.routed[static_cast<std::size_t>((t * K + k) * H + h)]));
        const auto e = static_cast<std::size_t>(t * H + h);
        const float shared = static_cast<float>(decode(in.format, in.shared[e]));
        const float v = math::combine_element(shape, [&](int k) { return y[static_cast<std::size_t>(k)]; }, w, shared);
        out[e] = encode(in.format, static_cast<double>(v));
      }
    }
  }

 private:
  const combine_variants::Variant& variant_;
  std::string name_;
};

}  // namespace

std::span<const CombineKernel* const> builtin_combine_kernels() {
  static const HostCombineKernel fold_fused(combine_variants::kFoldFused), fold(combine_variants::kFold),
      storage_sum(combine_variants::kFoldStorageSum), scale_output(combine_variants::kScaleOutput),
      scale_output_fused(combine_variants::kScaleOutputFused), guard(combine_variants::kFp16Guard);
  static const auto all = std::to_array<const CombineKernel*>(
      {&fold_fused, &fold, &storage_sum, &scale_output, &scale_output_fused, &guard});
  return all;
}

}  // namespace ulpcheck::host
