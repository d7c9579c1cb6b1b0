// The SiLU family's rows of the CUDA kernels (device/cuda/kernels.cu): the generic
// act_and_mul kernel instantiated with the per-element variants of device/math/silu.cuh.
// The accurate variants use exp_fp32 and give the host kernels' bits; the fast-math ones
// use __expf (MUFU.EX2), GPU only, with budgets of their own.
#include <array>

#include "family_rows.hpp"
#include "ulpcheck/device/cuda/act_and_mul.cuh"
#include "ulpcheck/device/cuda/elementwise_kernel.hpp"
#include "ulpcheck/device/math/silu.cuh"
#include "ulpcheck/device/silu_family_claims.hpp"
#include "ulpcheck/reference/registry.hpp"

namespace ulpcheck::cuda {
namespace {

using namespace silu_budgets;

/// The three ops of the family for one exp and one gated variant.
template <class Exp, template <Format, class> class Gated>
constexpr auto family(const std::array<Budget, 3>& unary_claim, const std::array<Budget, 3>& gated_claim,
                      std::string (*clamp_check)(Format, const Params&)) {
  return std::to_array<CudaOpImpl>({
      {&kSiluOp, launches<math::SiluUnary, Exp, false>(), unary_claim},
      {&kSiluAndMulOp, launches<Gated, Exp, true>(), gated_claim},
      {&kSiluAndMulClampOp, launches<Gated, Exp, true>(), gated_claim, clamp_check},
  });
}

constexpr auto kSingleTable = family<math::PortableExp, math::SiluAndMulSingleRounding>(kSingle, kSingle, nullptr);
constexpr auto kDoubleTable =
    family<math::PortableExp, math::SiluAndMulDoubleRounding>(kSingle, kDouble, &limit_fits_storage);
constexpr auto kSingleFastTable =
    family<math::FastExp, math::SiluAndMulSingleRounding>(kSingleFastExp, kSingleFastExp, nullptr);
constexpr auto kDoubleFastTable =
    family<math::FastExp, math::SiluAndMulDoubleRounding>(kSingleFastExp, kDoubleFastExp, &limit_fits_storage);

}  // namespace

constinit const std::span<const CudaOpImpl> kSiluSingleRows = kSingleTable;
constinit const std::span<const CudaOpImpl> kSiluDoubleRows = kDoubleTable;
constinit const std::span<const CudaOpImpl> kSiluSingleFastRows = kSingleFastTable;
constinit const std::span<const CudaOpImpl> kSiluDoubleFastRows = kDoubleFastTable;

}  // namespace ulpcheck::cuda
