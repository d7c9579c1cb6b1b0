// The oracle against the op specifications (reference/ops/silu.cpp). Each case is one
// sentence of the spec; exact values were computed with mpmath at 200 bits.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "ulpcheck/reference/oracle.hpp"
#include "ulpcheck/reference/registry.hpp"

namespace ulpcheck {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

const ElementwiseOp& op(const char* name) { return *find_op(name); }

Params limit(double L) { return Params{}.set("limit", L); }

Exact exact1(const char* op_name, Format f, double x0, double x1 = 1.0, Params p = {},
             OracleMethod m = OracleMethod::double_then_mpfr) {
  const ElementwiseOp& o = op(op_name);
  if (o.params.size() && !p.has("limit")) p = o.default_params();
  return evaluate(o, f, std::vector<double>{x0}, std::vector<double>{x1}, p, m)[0];
}

/// Relative agreement of the exact value with an mpmath figure given to 25 digits.
void expect_value(const Exact& e, double mpmath_value) {
  EXPECT_NEAR(e.value.hi + e.value.lo, mpmath_value, std::fabs(mpmath_value) * 1e-15)
      << fmt::format("exact {:a} + {:a}", e.value.hi, e.value.lo);
}

TEST(Registry, ListsTheSiluAndGeluFamilies) {
  for (const char* name : {"silu", "silu_and_mul", "silu_and_mul_clamp", "gelu", "gelu_and_mul", "gelu_tanh",
                           "gelu_tanh_and_mul"}) {
    ASSERT_NE(find_op(name), nullptr) << name;
    EXPECT_EQ(find_op(name)->name, name);
  }
  EXPECT_EQ(find_op("swiglu"), nullptr);
  EXPECT_EQ(all_ops().size(), 7u);
}

TEST(Registry, HuggingFaceGeluPytorchTanhNamesTheTanhGelu) {
  // transformers' ACT2FN["gelu_pytorch_tanh"] is F.gelu(approximate="tanh").
  EXPECT_EQ(find_op("gelu_pytorch_tanh"), find_op("gelu_tanh"));
  EXPECT_EQ(find_op("gelu_pytorch_tanh_and_mul"), find_op("gelu_tanh_and_mul"));
  EXPECT_EQ(find_op("gelu_pytorch_tanh")->name, "gelu_tanh");  // reported under its own name
  for (const ElementwiseOp* op : all_ops()) EXPECT_NE(op->name, "gelu_pytorch_tanh");
}

TEST(Registry, OpNamesListEveryOpThenEachAlias) {
  EXPECT_EQ(op_names(),
            "silu, silu_and_mul, silu_and_mul_clamp, gelu, gelu_and_mul, gelu_tanh, gelu_tanh_and_mul, "
            "gelu_pytorch_tanh (= gelu_tanh), gelu_pytorch_tanh_and_mul (= gelu_tanh_and_mul)");
}

TEST(Silu_fp32, MatchesMpmathOnOrdinaryValues) {
  expect_value(exact1("silu", Format::fp32, 1.0), 0.7310585786300048792511592);
  expect_value(exact1("silu", Format::fp32, -1.0), -0.2689414213699951207488408);
  // -100: silu is -3.72e-42, an fp32 subnormal, so it must not round to zero.
  const Exact tail = exact1("silu", Format::fp32, -100.0);
  expect_value(tail, -3.720075976020835962959696e-42);
  EXPECT_EQ(tail.rounded, round_to(Format::fp32, -3.720075976020835962959696e-42));
  EXPECT_NE(tail.rounded, 0.0);
}

TEST(Silu_bf16, UnderflowRegionStaysNonzeroInBf16) {
  // -88.5: silu = -3.25e-37, a normal bf16 number (bf16 has fp32's exponent range).
  const Exact e = exact1("silu", Format::bf16, -88.5);
  expect_value(e, -3.249986988494812188765901e-37);
  EXPECT_EQ(e.rounded, round_to(Format::bf16, -3.249986988494812188765901e-37));
}

TEST(Silu_fp32, InfinitiesFollowTheLimits) {
  EXPECT_EQ(exact1("silu", Format::fp32, kInf).rounded, kInf);
  const Exact minus_inf = exact1("silu", Format::fp32, -kInf);  // tends to 0 from below
  EXPECT_EQ(minus_inf.rounded, 0.0);
  EXPECT_TRUE(std::signbit(minus_inf.rounded));
}

TEST(Silu_fp32, NanPropagates) { EXPECT_TRUE(std::isnan(exact1("silu", Format::fp32, kNaN).rounded)); }

TEST(Silu_fp32, SignedZeroInSignedZeroOut) {
  EXPECT_TRUE(std::signbit(exact1("silu", Format::fp32, -0.0).rounded));
  EXPECT_FALSE(std::signbit(exact1("silu", Format::fp32, 0.0).rounded));
}

TEST(Silu_fp32, DeepNegativeTailRoundsToMinusZero) {
  const Exact e = exact1("silu", Format::fp32, -0x1p100);
  EXPECT_EQ(e.rounded, 0.0);
  EXPECT_TRUE(std::signbit(e.rounded));
}

TEST(SiluAndMul_fp32, ProductOfSiluAndUp) {
  expect_value(exact1("silu_and_mul", Format::fp32, 2.5, -1.5), -3.465531824920336683025102);
}

TEST(SiluAndMul_fp32, ZeroTimesInfinityIsUndefined) {
  EXPECT_TRUE(std::isnan(exact1("silu_and_mul", Format::fp32, 0.0, kInf).rounded));
  EXPECT_TRUE(std::isnan(exact1("silu_and_mul", Format::fp32, kInf, 0.0).rounded));
  EXPECT_TRUE(std::isnan(exact1("silu_and_mul", Format::fp32, -kInf, kInf).rounded));  // silu(-inf) = -0
}

TEST(SiluAndMul_fp32, TinyButNonzeroSiluTimesInfinityIsInfinite) {
  // silu(-2000) is about -2000 e^-2000: not zero, so times +inf the exact result is -inf.
  EXPECT_EQ(exact1("silu_and_mul", Format::fp32, -2000.0, kInf).rounded, -kInf);
  EXPECT_EQ(exact1("silu_and_mul", Format::fp32, -20.0, -kInf).rounded, kInf);
}

TEST(SiluAndMul_bf16, FiniteProductBeyondTheRangeRoundsToInfinity) {
  const Exact e = exact1("silu_and_mul", Format::bf16, 0x1p100, 0x1p100);
  EXPECT_EQ(e.rounded, kInf);
  EXPECT_EQ(e.value.hi, 0x1p200);  // the exact value itself stays finite
}

TEST(SiluAndMul_bf16, LargeGateOnAMidpointRoundsTowardZero) {
  // silu(96) * 1.0078125 = 96.75 * (1 - e^-96 ...): 96.75 is the midpoint of bf16 96.5
  // and 97, and the exact value lies just below it, so the answer is 96.5, not the even 97.
  for (OracleMethod m : {OracleMethod::double_then_mpfr, OracleMethod::mpfr_only}) {
    EXPECT_EQ(exact1("silu_and_mul", Format::bf16, 96.0, 1.0078125, {}, m).rounded, 96.5);
    EXPECT_EQ(exact1("silu_and_mul", Format::bf16, 96.0, -1.0078125, {}, m).rounded, -96.5);
    // The same midpoint scaled by 2^80: e^-g is then far below any MPFR precision (and
    // MPFR's exponent range), and the rule still decides.
    EXPECT_EQ(exact1("silu_and_mul", Format::bf16, 0x1.8p86, 1.0078125, {}, m).rounded, 96.5 * 0x1p80);
  }
}

TEST(SiluAndMulClamp_bf16, ClampIsAppliedBeforeActivation) {
  // g = 20 > L = 7 enters SiLU as 7; u = 3 is inside [-7, 7]: silu(7) * 3.
  expect_value(exact1("silu_and_mul_clamp", Format::bf16, 20.0, 3.0, limit(7.0)), 20.98086792491758644748487);
  // u = -50 is clamped to -7, g = 1 is not clamped.
  expect_value(exact1("silu_and_mul_clamp", Format::bf16, 1.0, -50.0, limit(7.0)),
               -7.0 * 0.7310585786300048792511592);
}

TEST(SiluAndMulClamp_bf16, GateIsClampedOnlyFromAbove) {
  // min(g, L): a gate of -20 stays -20 (only up is clamped on both sides).
  const double silu_minus_20 = -20.0 / (1.0 + std::exp(20.0));
  expect_value(exact1("silu_and_mul_clamp", Format::bf16, -20.0, 1.0, limit(7.0)), silu_minus_20);
}

TEST(SiluAndMulClamp_fp16, LimitIsUsedExactlyNotRoundedToTheDtype) {
  // L = fp32(7.3) = 7.30000019073486328125; fp16 would hold 7.30078125. The exact result
  // uses the fp32 value.
  const double L = static_cast<float>(7.3);
  expect_value(exact1("silu_and_mul_clamp", Format::fp16, 100.0, 1.0, limit(L)), 7.295072087611808364916303);
}

TEST(SiluAndMulClamp_bf16, InfLimitEqualsUnclamped) {
  std::mt19937_64 rng(7);
  std::vector<double> g, u;
  for (int i = 0; i < 20000; ++i) {
    g.push_back(decode(Format::bf16, rng() & 0xffff));
    u.push_back(decode(Format::bf16, rng() & 0xffff));
  }
  const auto clamped = evaluate(op("silu_and_mul_clamp"), Format::bf16, g, u, limit(kInf));
  const auto plain = evaluate(op("silu_and_mul"), Format::bf16, g, u, {});
  for (std::size_t i = 0; i < g.size(); ++i) {
    ASSERT_EQ(encode(Format::bf16, clamped[i].rounded), encode(Format::bf16, plain[i].rounded)) << i;
  }
}

TEST(SiluAndMulClamp_bf16, ZeroLimitGivesZerosForFiniteInputs) {
  std::mt19937_64 rng(8);
  std::vector<double> g, u;
  while (g.size() < 20000) {
    const double a = decode(Format::bf16, rng() & 0xffff), b = decode(Format::bf16, rng() & 0xffff);
    if (std::isfinite(a) && std::isfinite(b)) g.push_back(a), u.push_back(b);
  }
  for (const Exact& e : evaluate(op("silu_and_mul_clamp"), Format::bf16, g, u, limit(0.0)))
    ASSERT_EQ(e.rounded, 0.0);
}

TEST(SiluAndMulClamp_bf16, NanGatePropagatesThroughTheClamp) {
  // min(NaN, L) must stay NaN: fminf would return L and hide the NaN.
  EXPECT_TRUE(std::isnan(exact1("silu_and_mul_clamp", Format::bf16, kNaN, 1.0, limit(7.0)).rounded));
  EXPECT_TRUE(std::isnan(exact1("silu_and_mul_clamp", Format::bf16, 1.0, kNaN, limit(7.0)).rounded));
  EXPECT_TRUE(std::isnan(exact1("silu_and_mul_clamp", Format::bf16, kNaN, 1.0, limit(0.0)).rounded));
}

TEST(SiluAndMulClamp_bf16, InfiniteInputsAreClampedToTheLimit) {
  expect_value(exact1("silu_and_mul_clamp", Format::bf16, kInf, -kInf, limit(7.0)), -20.98086792491758644748487 * 7 / 3);
}

TEST(SiluAndMulClamp, LimitValidation) {
  const ParamSpec& spec = op("silu_and_mul_clamp").params[0];
  EXPECT_EQ(spec.name, "limit");
  EXPECT_EQ(spec.default_value, kInf);
  EXPECT_TRUE(spec.validate(0.0).empty());
  EXPECT_TRUE(spec.validate(kInf).empty());
  EXPECT_TRUE(spec.validate(static_cast<float>(7.3)).empty());
  EXPECT_TRUE(spec.validate(0x1p-149).empty());  // smallest fp32 subnormal
  EXPECT_NE(spec.validate(-1.0).find("< 0"), std::string::npos);
  EXPECT_NE(spec.validate(kNaN).find("NaN"), std::string::npos);
  EXPECT_NE(spec.validate(7.3).find("not an fp32 value"), std::string::npos);  // the double 7.3
}

TEST(Oracle, RejectsMismatchedGateAndUpLengths) {
  EXPECT_THROW(evaluate(op("silu_and_mul"), Format::bf16, std::vector<double>{1.0, 2.0}, std::vector<double>{1.0}, {}),
               std::invalid_argument);
}

}  // namespace
}  // namespace ulpcheck
