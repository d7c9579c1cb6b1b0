// The combine variants production kernels differ in (where the routed scaling factor goes,
// what the sum is kept in, where the shared output joins) and what each claims: shared by
// the host and CUDA builds of the same arithmetic, with the derivations beside the numbers
// (device/combine_variants.cpp).
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "ulpcheck/device/combine_kernel.hpp"
#include "ulpcheck/device/math/combine.cuh"

namespace ulpcheck::combine_variants {

struct Variant {
  std::string_view suffix;  ///< "fold_fused", ...: kernels are named "<backend>.combine_<suffix>"
  std::string_view description;
  math::ScalePlacement scale;
  math::Accumulation accumulation;
  math::SharedAdd shared_add;
  /// Whether it takes fp16 storage. Placements that round rsf * (routed sum) to storage
  /// before the shared output joins overflow fp16 where the output does not (the reason for
  /// DeepSeek-V2's guard), so they do not claim fp16.
  bool takes_fp16;
};

using math::Accumulation;
using math::ScalePlacement;
using math::SharedAdd;

inline constexpr Variant kFoldFused{
    "fold_fused",
    "rsf folded into the router weights; fp32 sum with the shared output added in fp32; one rounding to storage "
    "(fused finalize kernels)",
    ScalePlacement::fold_weights, Accumulation::fp32, SharedAdd::fp32, true};
inline constexpr Variant kFold{
    "fold",
    "rsf folded into the router weights; fp32 sum rounded to storage, then + shared in storage (router scales, "
    "`routed + shared` in torch)",
    ScalePlacement::fold_weights, Accumulation::fp32, SharedAdd::storage, false};
inline constexpr Variant kFoldStorageSum{
    "fold_storage_sum",
    "rsf folded into the router weights; each weighted row rounded to storage (GEMM epilogue) and the rows "
    "summed in storage, then + shared in storage",
    ScalePlacement::fold_weights, Accumulation::storage, SharedAdd::storage, false};
inline constexpr Variant kScaleOutput{
    "scale_output",
    "fp32 sum rounded to storage, times rsf in storage, then + shared in storage (routed scale applied to the "
    "output: router factor 1.0)",
    ScalePlacement::routed_output, Accumulation::fp32, SharedAdd::storage, false};
inline constexpr Variant kScaleOutputFused{
    "scale_output_fused",
    "fp32 sum times rsf plus shared, in fp32; one rounding to storage (scale and shared in the fused epilogue)",
    ScalePlacement::routed_output, Accumulation::fp32, SharedAdd::fp32, true};
inline constexpr Variant kFp16Guard{
    "fp16_guard",
    "fp32 sum rounded to storage, + shared * (1/rsf) in storage, the caller's rescale by rsf last (DeepSeek-V2's "
    "fp16 path)",
    ScalePlacement::fp16_guard, Accumulation::fp32, SharedAdd::storage, true};
inline constexpr Variant kAll[] = {kFoldFused, kFold, kFoldStorageSum, kScaleOutput, kScaleOutputFused, kFp16Guard};

/// The claim of a variant for a config and storage format; nullopt for an invalid config
/// or a format it does not take.
std::optional<CombineClaim> claim(const Variant& v, const CombineConfig& config, Format format);

/// The flattened parameters the per-element math takes.
math::CombineShape shape(const Variant& v, const CombineConfig& config, Format format);

}  // namespace ulpcheck::combine_variants
