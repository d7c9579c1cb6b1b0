// GELU and the ops built on it: gelu, gelu_tanh, gelu_and_mul, gelu_tanh_and_mul.
//
//   gelu(t)      = t Phi(t) = t/2 erfc(-t / sqrt 2)
//   gelu_tanh(t) = t/2 (1 + tanh(z)),  z = sqrt(2/pi) (t + 0.044715 t^3)
//   gelu_and_mul(x) = gelu(g) * u,  gelu_tanh_and_mul(x) = gelu_tanh(g) * u,  x = [g | u]
//
// Hendrycks & Gimpel 2016 ("Gaussian Error Linear Units") define gelu with Phi the standard
// normal CDF and propose the tanh form as its approximation; PyTorch's
// F.gelu(approximate='none') and F.gelu(approximate='tanh') compute them, and Hugging Face
// names the second "gelu_pytorch_tanh" (an alias in registry.cpp). Both are exact real
// functions here: sqrt(2/pi) is the real number and 0.044715 the decimal real number, not
// roundings of them; what a kernel's fp32 constants cost is part of its error.
//
// The oracle evaluates both without cancellation for t < 0: Phi(t) as erfc(-t/sqrt 2) / 2,
// never (1 + erf(t/sqrt 2)) / 2, whose sum cancels every bit below t = -8.3 in double; and
// 1 + tanh z as 2 / (1 + e^-2z), so that gelu_tanh(t) = t / (1 + e^-2z).
//
// Both are odd-plus-linear: gelu(t) - gelu(-t) = t (Phi(t) + Phi(-t) = 1) and likewise
// gelu_tanh(t) - gelu_tanh(-t) = t (z is odd, so tanh z + tanh(-z) = 0).
//
// Ziv's loop never meets an exact rounding midpoint. Gates at or past the large-gate cuts
// are settled by the special rules; below them the distance 1 - act(g)/g exceeds 2^-109
// (gelu) or 2^-126 (gelu_tanh), far above the second MPFR rung's error bound (2^-255). Tiny
// gates, where g/2 * u can be a midpoint: act(g) = g/2 (1 + 0.8 g + O(g^2)) for both, and
// |g| >= 2^-149 for any input of the formats, so the 0.8 g is seen at that rung too.
// Elsewhere gelu_tanh(g) * u is transcendental (Lindemann-Weierstrass: e^-2z is, for
// algebraic z != 0), never a dyadic midpoint; whether erfc is transcendental at nonzero
// rationals is not known, so for gelu this rests on the oracle's throw: an element that
// reached the last rung undecided would be reported, and none has in the tests.
#include <cmath>
#include <numbers>

#include "reference/ops/act_and_mul.hpp"
#include "reference/ops/ziv.hpp"
#include "ulpcheck/reference/op.hpp"
#include "ulpcheck/reference/registry.hpp"
#include "ulpcheck/reference/tiers/gelu.hpp"
#include "ulpcheck/reference/tiers/gelu_tanh.hpp"

namespace ulpcheck {
namespace {

// --- gelu

/// In MPFR, every operation correctly rounded (one unit of 2^-prec each): sqrt 2 and the
/// division give a to 2 units; with g > -45 (the deep tail cut), a < 45 / sqrt 2 and erfc's
/// condition number is below 2 a^2 + 1 < 2026 (tiers/gelu.hpp), so 4052 units; then
/// erfc, the product g * u and the product with erfc(a), one each: 4055 to first order;
/// 4400 declared. The halving is exact (MPFR's exponent range holds every result here).
struct GeluMulCore {
  static constexpr double error_units = 4400.0;
  template <class T>
  static T eval(const T& g, const T& u) {
    using std::erfc;
    using std::sqrt;
    return g * u * erfc(-g / sqrt(T(2))) / 2;
  }
};

/// Where exact-GELU kernels go wrong (as signed values; both signs are tried): 1 + erf
/// cancels over [-6, -3] (-3.3: 1 + erf = 1e-3; -3.9: the bf16 rounding meets the fp32
/// error; -4.95: PyTorch's 8.3e5-ULP fp32 headline; -5.5: the last gates where 1 + erf is
/// not yet 0 in fp32; -5.9: erff returns -1); erfcf underflows past -14; 2.6989 is where
/// exact and tanh GELU differ most; 12 and -45 are the oracle's own tail cuts.
constexpr double kGeluHardInputs[] = {-3.3, -3.9, -4.1, -4.947, -5.1, -5.5, -5.9, -14.0, 2.6989413863847, 12.0, -45.0};

const Activation kGelu{
    .name = "gelu",
    .kind = GeluTier::kind,
    .special = &detail::tier_special<GeluTier>,
    .in_double = &detail::tier_in_double<GeluTier>,
    .double_error_units = GeluTier::error_units,
    .mpfr_rungs = detail::mpfr_ladder<GeluMulCore>(),
    .mpfr_value = &detail::mpfr_value<GeluMulCore>,
    .hard_inputs = kGeluHardInputs,
};

// --- gelu_tanh

/// In MPFR, one unit of 2^-prec per correctly rounded operation: pi, 2/pi and its square
/// root give sqrt(2/pi) to 2 units, 44715/1000000 is one rounding, and z gathers 8 units
/// (the double tier's count, with sqrt(2/pi) at 2). With g > -24 (the deep tail cut),
/// 2|z| < 1024.71, so e^-2z carries 8 * 1024.71 < 8198 units from its argument and one of
/// its own; then 1 + e, the product g * u and the division, one each: 8202 to first order;
/// 8800 declared.
struct GeluTanhMulCore {
  static constexpr double error_units = 8800.0;
  template <class T>
  static T eval(const T& g, const T& u) {
    using std::exp;
    using std::sqrt;
    T pi;  // MPFR's own constant, correctly rounded; Boost's pi<T>() caches it unsynchronized
    mpfr_const_pi(pi.backend().data(), MPFR_RNDN);
    const T c = sqrt(2 / pi);
    const T k = T(44715) / 1000000;
    const T z = c * (g * (1 + k * (g * g)));
    return g * u / (1 + exp(-2 * z));
  }
};

/// Where tanh-GELU kernels go wrong: 1 + tanh z cancels over [-6, -3] (-4.763: PyTorch's
/// 6.2e5-ULP fp32 headline); near -10.07, e^-2z overflows fp32 (the accurate form's edge)
/// and past -8 tanh.approx returns -1; 2.6989 as for gelu; 10 and -24 are the oracle's cuts.
constexpr double kGeluTanhHardInputs[] = {-3.3, -3.9, -4.763, -5.5, -8.0, -10.07, -12.0, 2.6989413863847, 10.0, -24.0};

const Activation kGeluTanh{
    .name = "gelu_tanh",
    .kind = GeluTanhTier::kind,
    .special = &detail::tier_special<GeluTanhTier>,
    .in_double = &detail::tier_in_double<GeluTanhTier>,
    .double_error_units = GeluTanhTier::error_units,
    .mpfr_rungs = detail::mpfr_ladder<GeluTanhMulCore>(),
    .mpfr_value = &detail::mpfr_value<GeluTanhMulCore>,
    .hard_inputs = kGeluTanhHardInputs,
};

// --- budgets

// Default budgets, derived as act_and_mul.hpp says, for the forms that round once: the
// production forms t/2 (1 + erff(t / sqrt 2)) (vLLM, PyTorch, FlashInfer) and
// t/2 (1 + tanhf(z)), and host.accurate's t/2 erfc(-t / sqrt 2) and t / (1 + e^-2z).
//
// Floor. For t < 0 the production forms cancel: next to -1, erff and tanhf are off by up to
// 2 ulps of 2^-24 absolutely, the sum with 1 is exact (Sterbenz) and keeps that, and t/2
// scales it; the argument's roundings add a little (z's five, amplified by sech^2 z |z|).
// Past t = -5.54 (erf; -5.16 for tanh) the function rounds to -1 and the result is -0, off
// by |act(t)| < 8.5e-8. The largest error, at those edges, is 3.30e-7 (erf) and 3.07e-7
// (tanh): 2^-21 = 4.77e-7 is the power of two above both. The accurate forms do not
// cancel (their error stays below 1.1e-7 for every t < 0) and need no more.
//
// Above the floor, unary / gated. Where the production forms cancel, 2^p E / |act| is large
// and what holds the bound is E / (2 (A - E)). bf16: gelu(-4.15625) = -6.7e-5 has ulp 2^-21
// = A, and E = 2.5e-7 is just over half of it, so the fp32 result can round to the bf16
// value a whole ulp away: 1.008 ULP, unary and gated alike (u = 1). fp16's ulps are 8 times
// finer: 0.696 (t = -3.28) / 0.904 (t = -3.61, where E / (2 (A - E)) = 0.40). tanh: bf16
// 0.717 / 0.985, fp16 0.708 / 0.897. The accurate forms: at most 0.5001 (bf16) and 0.5013
// (fp16). fp32: nothing with t < 0 fails the floor (E <= 3.3e-7, and the final rounding adds
// at most 2^-24 |act| <= 1e-8); for t > 0 the production forms give 2.0006 / 3.03 (erf) and
// 2.0012 / 3.18 (tanh), the accurate tanh form 1.5 / 2.5, and the erfc form, whose erfcf is
// within 4 ulps of erfc(-t / sqrt 2), a value near 2 (2^-22 relative), 4.86 (t = 1.72) /
// 6.13 (t = 1.42): the largest, so the fp32 defaults.
//
// Measured, all 2^32 fp32 inputs of PyTorch 2.11's F.gelu on an H100: where the ULP error
// passes 4 the absolute error is at most 1.23e-7 (erf, t = -4.19) and 7.8e-8 (tanh), under
// the floor; 8.3e5 ULP at t = -4.95 and 6.2e5 at t = -4.76 are the cancellation headlines it
// keeps out of the ULP figure. On the report's inputs ulpcheck's single-rounding host
// kernels need at most 0.546 (bf16), 0.542 (fp16) and 1.64 ULP (fp32)
// (tests/device/host/default_budget_test.cpp prints each case); 0.51 in bf16 would fail
// host.single_rounding's gelu_and_mul there (gate -3.90625). Their erff and tanhf are better
// than 2 ulps where it counts; the defaults hold for any that keeps to 2.
constexpr std::array<Budget, 3> kGeluBudgets{{
    {.max_ulp = 1.01, .abs_floor = 0x1p-21},  // bf16
    {.max_ulp = 0.70, .abs_floor = 0x1p-21},  // fp16
    {.max_ulp = 4.86, .abs_floor = 0x1p-21},  // fp32
}};
constexpr std::array<Budget, 3> kGeluAndMulBudgets{{
    {.max_ulp = 1.01, .abs_floor = 0x1p-21},  // bf16
    {.max_ulp = 0.91, .abs_floor = 0x1p-21},  // fp16
    {.max_ulp = 6.13, .abs_floor = 0x1p-21},  // fp32
}};
constexpr std::array<Budget, 3> kGeluTanhBudgets{{
    {.max_ulp = 0.72, .abs_floor = 0x1p-21},  // bf16
    {.max_ulp = 0.71, .abs_floor = 0x1p-21},  // fp16
    {.max_ulp = 2.01, .abs_floor = 0x1p-21},  // fp32
}};
constexpr std::array<Budget, 3> kGeluTanhAndMulBudgets{{
    {.max_ulp = 0.99, .abs_floor = 0x1p-21},  // bf16
    {.max_ulp = 0.90, .abs_floor = 0x1p-21},  // fp16
    {.max_ulp = 3.19, .abs_floor = 0x1p-21},  // fp32
}};

/// gelu_tanh approximates gelu (Hendrycks & Gimpel). Their largest difference lies in
/// [-8, 8]: for |t| >= 8 both are within 5.1e-15 of max(t, 0). gelu: |gelu(t) - max(t, 0)|
/// = |t| Phi(-|t|) < phi(t) (the Mills-ratio bound above) = e^-32 / sqrt(2 pi) < 5.1e-15 at
/// |t| = 8, decreasing beyond. gelu_tanh: the same distance is |t| / (1 + e^(2|z|)) <
/// |t| e^(-2|z|), with |z| > 24.6 at |t| = 8 and growing as |t|^3: below 1e-20. So the
/// difference there is below 1.1e-14, against 4.7e-4 at t = +-2.6989.
constexpr Approximation kTanhApproximatesGelu{.of = "gelu", .search_radius = 8.0};
constexpr Approximation kTanhAndMulApproximatesGeluAndMul{.of = "gelu_and_mul", .search_radius = 8.0};

}  // namespace

extern constinit const ElementwiseOp kGeluOp =
    detail::unary_op("gelu", "y = x * Phi(x) = x/2 * erfc(-x / sqrt(2))", kGelu, kGeluBudgets);
extern constinit const ElementwiseOp kGeluAndMulOp =
    detail::gated_op("gelu_and_mul", "y = gelu(g) * u, x = [g | u]", kGelu, kGeluAndMulBudgets);
extern constinit const ElementwiseOp kGeluTanhOp =
    detail::unary_op("gelu_tanh", "y = x/2 * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3))), real constants", kGeluTanh,
                     kGeluTanhBudgets, kTanhApproximatesGelu);
extern constinit const ElementwiseOp kGeluTanhAndMulOp =
    detail::gated_op("gelu_tanh_and_mul", "y = gelu_tanh(g) * u, x = [g | u]", kGeluTanh, kGeluTanhAndMulBudgets,
                     kTanhAndMulApproximatesGeluAndMul);

}  // namespace ulpcheck
