// The GELU family's rows of the CUDA kernels (device/cuda/kernels.cu): the generic
// act_and_mul kernel instantiated with the per-element forms of device/math/gelu.cuh, with
// CUDA's erff, erfcf and tanhf, and, for the fast-math kernels, tanh.approx.f32.
#include <array>

#include "family_rows.hpp"
#include "ulpcheck/device/cuda/act_and_mul.cuh"
#include "ulpcheck/device/cuda/elementwise_kernel.hpp"
#include "ulpcheck/device/gelu_family_claims.hpp"
#include "ulpcheck/device/math/gelu.cuh"
#include "ulpcheck/reference/registry.hpp"

namespace ulpcheck::cuda {
namespace {

using namespace gelu_budgets;
using math::GatedDoubleRounding;
using math::GatedSingleRounding;
using math::UnaryRounding;

/// The four ops for one exact-GELU form, one tanh-GELU form and one gated variant.
template <class Erf, class Tanh, template <Format, class> class Gated>
constexpr auto family(const std::array<Budget, 3>& erf_unary, const std::array<Budget, 3>& erf_gated,
                      const std::array<Budget, 3>& tanh_unary, const std::array<Budget, 3>& tanh_gated) {
  return std::to_array<CudaOpImpl>({
      {&kGeluOp, launches<UnaryRounding, Erf, false>(), erf_unary},
      {&kGeluAndMulOp, launches<Gated, Erf, true>(), erf_gated},
      {&kGeluTanhOp, launches<UnaryRounding, Tanh, false>(), tanh_unary},
      {&kGeluTanhAndMulOp, launches<Gated, Tanh, true>(), tanh_gated},
  });
}

constexpr auto kSingleTable =
    family<math::GeluErf, math::GeluTanh, GatedSingleRounding>(kSingleUnary, kSingleGated, kSingleUnary, kSingleGated);
constexpr auto kDoubleTable =
    family<math::GeluErf, math::GeluTanh, GatedDoubleRounding>(kSingleUnary, kDoubleGated, kSingleUnary, kDoubleGated);
constexpr auto kAccurateTable = family<math::GeluErfc, math::GeluTanhExp, GatedSingleRounding>(
    kAccurateErfc, kAccurateErfc, kAccurateTanh, kAccurateTanh);
// -use_fast_math has no intrinsic for erff, so the exact form is as in the single and
// double rounding kernels; the tanh form goes through tanh.approx.f32.
constexpr auto kSingleFastTable = family<math::GeluErf, math::GeluTanhApprox, GatedSingleRounding>(
    kSingleUnary, kSingleGated, kFastTanh, kFastTanhGated);
constexpr auto kDoubleFastTable = family<math::GeluErf, math::GeluTanhApprox, GatedDoubleRounding>(
    kSingleUnary, kDoubleGated, kFastTanh, kFastTanhDoubleGated);

}  // namespace

constinit const std::span<const CudaOpImpl> kGeluSingleRows = kSingleTable;
constinit const std::span<const CudaOpImpl> kGeluDoubleRows = kDoubleTable;
constinit const std::span<const CudaOpImpl> kGeluAccurateRows = kAccurateTable;
constinit const std::span<const CudaOpImpl> kGeluSingleFastRows = kSingleFastTable;
constinit const std::span<const CudaOpImpl> kGeluDoubleFastRows = kDoubleFastTable;

}  // namespace ulpcheck::cuda
