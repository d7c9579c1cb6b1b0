// The SiLU-family CUDA kernels: the generic act_and_mul kernel instantiated with the
// per-element variants of device/math/silu.cuh. The accurate variants use exp_fp32 and
// give the host kernels' bits; the fast-exp ones use __expf (MUFU.EX2), GPU only, with
// budgets of their own.
#include <array>

#include "ulpcheck/device/cuda/act_and_mul.cuh"
#include "ulpcheck/device/cuda/elementwise_kernel.hpp"
#include "ulpcheck/device/math/silu.cuh"
#include "ulpcheck/device/silu_family_claims.hpp"

namespace ulpcheck {

extern const ElementwiseOp kSiluOp;
extern const ElementwiseOp kSiluAndMulOp;
extern const ElementwiseOp kSiluAndMulClampOp;

namespace cuda {
namespace {

using namespace silu_budgets;

template <template <Format, class> class V, class Exp, bool Gated>
constexpr std::array<LaunchFn, 3> launches() {
  return {&launch_act_and_mul<Format::bf16, V<Format::bf16, Exp>, Gated>,
          &launch_act_and_mul<Format::fp16, V<Format::fp16, Exp>, Gated>,
          &launch_act_and_mul<Format::fp32, V<Format::fp32, Exp>, Gated>};
}

/// The three ops of the family for one exp and one gated variant.
template <class Exp, template <Format, class> class Gated>
std::array<CudaOpImpl, 3> family(const std::array<Budget, 3>& unary_claim, const std::array<Budget, 3>& gated_claim,
                                 std::string (*clamp_check)(Format, const Params&)) {
  return {{
      {&kSiluOp, launches<math::SiluUnary, Exp, false>(), unary_claim},
      {&kSiluAndMulOp, launches<Gated, Exp, true>(), gated_claim},
      {&kSiluAndMulClampOp, launches<Gated, Exp, true>(), gated_claim, clamp_check},
  }};
}

const auto kSingleOps = family<math::PortableExp, math::SiluAndMulSingleRounding>(kSingle, kSingle, nullptr);
const auto kDoubleOps =
    family<math::PortableExp, math::SiluAndMulDoubleRounding>(kSingle, kDouble, &limit_fits_storage);
const auto kSingleFastOps =
    family<math::FastExp, math::SiluAndMulSingleRounding>(kSingleFastExp, kSingleFastExp, nullptr);
const auto kDoubleFastOps =
    family<math::FastExp, math::SiluAndMulDoubleRounding>(kSingleFastExp, kDoubleFastExp, &limit_fits_storage);

const CudaElementwiseKernel kSingleRounding{
    "cuda.single_rounding",
    "fp32 clamp, SiLU (exp_fp32) and product, one rounding; same bits as host.single_rounding", kSingleOps};
const CudaElementwiseKernel kDoubleRounding{
    "cuda.double_rounding",
    "silu(g) rounded to storage, then the product rounded (vLLM style); same bits as host.double_rounding",
    kDoubleOps};
const CudaElementwiseKernel kSingleRoundingFastExp{
    "cuda.single_rounding_fast_exp", "as cuda.single_rounding with __expf (GPU only, -use_fast_math style)",
    kSingleFastOps};
const CudaElementwiseKernel kDoubleRoundingFastExp{
    "cuda.double_rounding_fast_exp", "as cuda.double_rounding with __expf (GPU only)", kDoubleFastOps};

const std::array<const Kernel*, 4> kKernels{&kSingleRounding, &kDoubleRounding, &kSingleRoundingFastExp,
                                            &kDoubleRoundingFastExp};

}  // namespace

std::span<const Kernel* const> builtin_kernels() { return kKernels; }

}  // namespace cuda
}  // namespace ulpcheck
