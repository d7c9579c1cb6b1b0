// The SiLU family's rows of the CUDA kernels (device/cuda/kernels.cu): the generic
// act_and_mul kernel instantiated with the per-element variants of device/math/silu.cuh.
// The accurate variants use exp_fp32 and give the host kernels' bits; the fast-math ones
// use __expf (MUFU.EX2), GPU only, with budgets of their own.
#include <array>

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
constexpr std::array<CudaOpImpl, 3> family(const std::array<Budget, 3>& unary_claim,
                                           const std::array<Budget, 3>& gated_claim,
                                           std::string (*clamp_check)(Format, const Params&)) {
  return {{
      {&kSiluOp, launches<math::SiluUnary, Exp, false>(), unary_claim},
      {&kSiluAndMulOp, launches<Gated, Exp, true>(), gated_claim},
      {&kSiluAndMulClampOp, launches<Gated, Exp, true>(), gated_claim, clamp_check},
  }};
}

}  // namespace

extern constinit const std::array<CudaOpImpl, 3> kSiluSingleRows =
    family<math::PortableExp, math::SiluAndMulSingleRounding>(kSingle, kSingle, nullptr);
extern constinit const std::array<CudaOpImpl, 3> kSiluDoubleRows =
    family<math::PortableExp, math::SiluAndMulDoubleRounding>(kSingle, kDouble, &limit_fits_storage);
extern constinit const std::array<CudaOpImpl, 3> kSiluSingleFastRows =
    family<math::FastExp, math::SiluAndMulSingleRounding>(kSingleFastExp, kSingleFastExp, nullptr);
extern constinit const std::array<CudaOpImpl, 3> kSiluDoubleFastRows =
    family<math::FastExp, math::SiluAndMulDoubleRounding>(kSingleFastExp, kDoubleFastExp, &limit_fits_storage);

}  // namespace ulpcheck::cuda
