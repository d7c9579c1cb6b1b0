#include "tests/properties/combine/planted_combine_kernels.hpp"

#include <string>
#include <vector>

#include "ulpcheck/device/combine_variants.hpp"

namespace ulpcheck::planted {

namespace {

namespace variants = combine_variants;

enum class Bug {
  scaled_twice,                           // rsf folded into the weights and applied to the output as well
  never_scaled,                           // rsf dropped: the router was told 1.0 and the output is not scaled
  renormalised_again,                     // the weights divided by their sum before use
  shared_twice,                           // the shared output added twice (in the epilogue and by the caller)
  storage_accumulation_under_fp32_claim,  // each weighted row summed in storage, under fold_fused's claim
  naive_fp16,                             // scale_output's arithmetic, claiming fp16 with its own derivation
};

/// The per-element math of device/math/combine.cuh with the bug switched in, under the claim
/// the kernel it imitates declares: every failure the checks report is the bug's.
class PlantedCombine final : public CombineKernel {
 public:
  PlantedCombine(std::string_view name, Bug bug) : name_(name), bug_(bug) {}
  std::string_view name() const override { return name_; }
  std::string_view description() const override { return "planted bug"; }

  std::optional<CombineClaim> claim(const CombineConfig& c, Format f) const override {
    if (bug_ != Bug::naive_fp16) return variants::claim(variants::kFoldFused, c, f);
    variants::Variant takes_fp16 = variants::kScaleOutput;
    takes_fp16.takes_fp16 = true;
    return variants::claim(takes_fp16, c, f);
  }

  void run(const CombineConfig& c, const CombineInputs& in, std::vector<std::uint32_t>& out) const override {
    require_valid_run(name_, c, in, out);
    math::CombineShape shape = variants::shape(variants::kFoldFused, c, in.format);
    switch (bug_) {
      case Bug::scaled_twice: shape.scale = math::ScalePlacement::routed_output; break;
      case Bug::never_scaled: shape.rsf = 1.0f; break;
      case Bug::storage_accumulation_under_fp32_claim: shape.accumulation = math::Accumulation::storage; break;
      case Bug::naive_fp16: shape = variants::shape(variants::kScaleOutput, c, in.format); break;
      default: break;
    }
    const std::int64_t K = c.topk, H = c.hidden;
    const float rsf = static_cast<float>(c.routed_scaling_factor);
    std::vector<float> y(static_cast<std::size_t>(K)), w(static_cast<std::size_t>(K));
    for (std::int64_t t = 0; t < in.tokens; ++t) {
      float sum = 0.0f;
      for (std::int64_t k = 0; k < K; ++k) sum += in.weights[static_cast<std::size_t>(t * K + k)];
      for (std::int64_t k = 0; k < K; ++k) {
        const float wk = in.weights[static_cast<std::size_t>(t * K + k)];
        w[static_cast<std::size_t>(k)] = bug_ == Bug::renormalised_again ? wk / sum
                                         : bug_ == Bug::scaled_twice     ? rsf * wk  // then routed_output scales again
                                                                         : wk;
      }
      for (std::int64_t h = 0; h < H; ++h) {
        for (std::int64_t k = 0; k < K; ++k)
          y[static_cast<std::size_t>(k)] =
              static_cast<float>(decode(in.format, in.routed[static_cast<std::size_t>((t * K + k) * H + h)]));
        const auto e = static_cast<std::size_t>(t * H + h);
        float shared = static_cast<float>(decode(in.format, in.shared[e]));
        if (bug_ == Bug::shared_twice) shared = math::add_rn(shared, shared);
        const float v = math::combine_element(
            shape, [&](int k) { return y[static_cast<std::size_t>(k)]; }, w.data(), shared);
        out[e] = encode(in.format, static_cast<double>(v));
      }
    }
  }

 private:
  std::string_view name_;
  Bug bug_;
};

const PlantedCombine kScaledTwice{"planted.combine_scaled_twice", Bug::scaled_twice};
const PlantedCombine kNeverScaled{"planted.combine_never_scaled", Bug::never_scaled};
const PlantedCombine kRenormalisedAgain{"planted.combine_renormalised_again", Bug::renormalised_again};
const PlantedCombine kSharedTwice{"planted.combine_shared_twice", Bug::shared_twice};
const PlantedCombine kStorageAccumulation{"planted.combine_storage_accumulation_under_fp32_claim",
                                          Bug::storage_accumulation_under_fp32_claim};
const PlantedCombine kNaiveFp16{"planted.combine_naive_fp16", Bug::naive_fp16};

const PlantedCombineKernel kAll[] = {
    {&kScaledTwice, "rsf folded into the weights and applied to the output as well", "within_budget", Format::bf16},
    {&kNeverScaled, "rsf never applied", "placements_agree", Format::bf16},
    {&kRenormalisedAgain, "the router's weights divided by their sum again", "within_budget", Format::fp32},
    {&kSharedTwice, "the shared output added twice", "within_budget", Format::fp16},
    {&kStorageAccumulation, "rows summed in storage under the fp32-accumulation claim", "permutation_invariant",
     Format::bf16},
    {&kStorageAccumulation, "rows summed in fp16 under the fp32-accumulation claim", "within_budget", Format::fp16},
    {&kNaiveFp16, "rsf * (routed sum) rounded to fp16 before the shared output joins, claiming fp16",
     "no_fp16_overflow", Format::fp16},
};

}  // namespace

std::span<const PlantedCombineKernel> all_combine() { return kAll; }

}  // namespace ulpcheck::planted
