// SiLU and the ops built on it: silu, silu_and_mul, silu_and_mul_clamp(L).
//
//   silu(t) = t / (1 + e^-t)                       (Elfwing et al. 2017; torch.nn.SiLU)
//   silu_and_mul(x)          = silu(g) * u         with x = [g | u]
//   silu_and_mul_clamp(x, L) = silu(min(g, L)) * clamp(u, -L, L)
//
// The clamp comes before the activation: DeepSeek-V4's SwiGLU limit bounds the gate that
// enters SiLU and the up projection that multiplies it (vLLM's fused kernel clamps first,
// then applies SiLU). L is an fp32 value used exactly, L = +inf means no clamp, L = 0 is
// legal (every finite input then gives 0), and L < 0 or NaN is an error.
#include <cmath>
#include <limits>
#include <string>

#include <fmt/format.h>

#include "reference/ops/act_and_mul.hpp"
#include "reference/ops/ziv.hpp"
#include "ulpcheck/reference/op.hpp"
#include "ulpcheck/reference/registry.hpp"
#include "ulpcheck/reference/tiers/silu.hpp"

namespace ulpcheck {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

/// In MPFR: every operation correctly rounded (one unit each): exp, add, divide, multiply,
/// 4 units to first order; 8 declared for margin. MPFR's exponent range (about 2^+-2^30)
/// holds e^1024, so no intermediate over- or underflows for gates above the deep tail.
struct SiluMulCore {
  static constexpr double error_units = 8.0;
  template <class T>
  static T eval(const T& g, const T& u) {
    using std::exp;
    return g / (1 + exp(-g)) * u;
  }
};

/// Where SiLU kernels go wrong: e^-g overflows fp32 for g < -88.72 (and 88.5, 89 either
/// side), fp32's exp result goes subnormal below -87.34 and vanishes below -103.97, and
/// 1 + e^-g stops changing in fp32 near 17.
constexpr double kSiluHardInputs[] = {88.72283935546875, 88.5, 89.0, 87.33654475, 103.97208404541016, 17.0};

const Activation kSilu{
    .name = "silu",
    .kind = SiluTier::kind,
    .special = &detail::tier_special<SiluTier>,
    .in_double = &detail::tier_in_double<SiluTier>,
    .double_error_units = SiluTier::error_units,
    .mpfr_rungs = detail::mpfr_ladder<SiluMulCore>(),
    .mpfr_value = &detail::mpfr_value<SiluMulCore>,
    .hard_inputs = kSiluHardInputs,
};

/// min(g, L) and clamp(u, -L, L) written so that NaN passes through: a NaN gate or up must
/// give a NaN result, not L (fminf(NaN, L) would return L).
ActivationInput gated_clamped(double g, double u, const Params& p) {
  const double L = p.get("limit");
  const double gc = g > L ? L : g;
  const double uc = u > L ? L : (u < -L ? -L : u);
  return {gc, uc};
}

std::string validate_limit(double L) {
  if (std::isnan(L)) return "limit is NaN; it must be a number >= 0 or inf";
  if (L < 0) return fmt::format("limit is {} < 0; it must be >= 0 (0 clamps everything to 0)", L);
  if (std::isfinite(L) && static_cast<double>(static_cast<float>(L)) != L)
    return fmt::format("limit {} is not an fp32 value", L);
  return {};
}

/// DeepSeek-V4 ships 10; 7 and 7.3 are a limit every format holds and one no 16-bit format
/// holds (bf16 7.3125, fp16 7.30078125); 0 is legal and easy to get wrong; inf is no clamp.
const double kCheckedLimits[] = {0.0, 7.0, static_cast<double>(7.3f), 10.0, kInf};

/// What fuzzing favours: those and the smallest fp32 subnormal (a clamp that leaves almost
/// nothing), 1, and 1e30 (beyond fp16's range, inside bf16's).
const double kFuzzedLimits[] = {0.0, 0x1p-149, 1.0, 7.0, 10.0, 1e30, kInf, static_cast<double>(7.3f)};

const ParamSpec kLimitParam[] = {{
    .name = "limit",
    .doc = "clamp limit L (fp32, used exactly): gate := min(gate, L), up := clamp(up, -L, L); "
           "inf = no clamp, 0 = all zeros",
    .default_value = kInf,
    .validate = &validate_limit,
    .lowest = 0.0,
    .highest = kInf,
    .checked_values = kCheckedLimits,
    .fuzzed_values = kFuzzedLimits,
    .inputs_cross = true,  // gates and ups are clamped at L: L and its neighbours are hard inputs
    .carrier = ParamCarrier::fp32,
    .examples = "10, 7.3, 0, inf",
    .infinity_means = "no clamp",
    .zero_means = "clamp everything to 0",
}};

// Default budgets, derived as act_and_mul.hpp says, for t / (1 + e^-t) in fp32 (vLLM,
// SGLang, PyTorch's opmath). Nothing cancels, so the error is relative throughout: expf
// within 2 ulps (CUDA's bound; exp_fp32 is within 1) is 2^-22 of e = e^-t; 1 + e carries it
// scaled by e / (1 + e) < 1 and adds its own rounding, 2^-24: silu(t) is within
// 5 * 2^-24 before the quotient rounds. Unary, that rounding is the last: fp32 0.5 + 5 = 5.5
// ULP; bf16 and fp16 add it and round again: 0.5 + 6 * 2^(p-24). Gated, the product with u
// rounds once more: fp32 6.5, and 0.5 + 7 * 2^(p-24) in bf16 and fp16. Enumerating every
// 16-bit gate (and significand of up), with each value's own ulps, gives 0.5000 / 0.5003
// (unary bf16 / fp16) and 0.5001 / 0.5007 (gated); 0.501 holds them all. On the report's
// inputs ulpcheck's exp_fp32 kernels need 1.96 (silu) and 2.76 ULP (silu_and_mul_clamp,
// limit 7) in fp32: a 2-ulp expf is what the rest is for.
// The floors cover SiLU's negative tail, where e^-t overflows in fp32 (t < -88.72) and fp32
// kernels flush silu(t) to -0: |silu(-88.72)| = 2.8e-37 < 2^-121. Above it e^-t and silu(t)
// are normal fp32 numbers, so the relative bound holds (a product with a tiny up that is
// subnormal rounds on a grid no coarser than the storage format's). fp16 needs the floor
// too: an infinite up clamped to a huge limit lifts that tail into range.
constexpr std::array<Budget, 3> kSiluBudgets{{
    {.max_ulp = 0.501, .abs_floor = 0x1p-121},  // bf16
    {.max_ulp = 0.501, .abs_floor = 0x1p-121},  // fp16
    {.max_ulp = 5.5, .abs_floor = 0x1p-121},    // fp32
}};
constexpr std::array<Budget, 3> kSiluAndMulBudgets{{
    {.max_ulp = 0.501, .abs_floor = 0x1p-121},  // bf16
    {.max_ulp = 0.501, .abs_floor = 0x1p-121},  // fp16
    {.max_ulp = 6.5, .abs_floor = 0x1p-121},    // fp32
}};

}  // namespace

extern constinit const ElementwiseOp kSiluOp =
    detail::unary_op("silu", "y = x / (1 + exp(-x))", kSilu, kSiluBudgets);
extern constinit const ElementwiseOp kSiluAndMulOp =
    detail::gated_op("silu_and_mul", "y = silu(g) * u, x = [g | u]", kSilu, kSiluAndMulBudgets);

extern const ElementwiseOp kSiluAndMulClampOp{
    .name = "silu_and_mul_clamp",
    .formula = "y = silu(min(g, L)) * clamp(u, -L, L), x = [g | u]",
    .arity = 2,
    .params = kLimitParam,
    .activation = &kSilu,
    .prepare = &gated_clamped,
    .unclamped_op = "silu_and_mul",
    .default_budget = kSiluAndMulBudgets,
};

}  // namespace ulpcheck
