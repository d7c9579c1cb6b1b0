// The GELU oracle against the op specifications (reference/ops/gelu.cpp). Each case is one
// sentence of the spec. Exact values were computed with mpmath at 200 bits, independently
// of the oracle's formulas: x * ncdf(x) for gelu, x e^z / (2 cosh z) for gelu_tanh.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "ulpcheck/reference/approximation.hpp"
#include "ulpcheck/reference/oracle.hpp"
#include "ulpcheck/reference/registry.hpp"
#include "ulpcheck/reference/ulp.hpp"

namespace ulpcheck {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr OracleMethod kBothMethods[] = {OracleMethod::double_then_mpfr, OracleMethod::mpfr_only};

/// The unary activations and their gated forms: rules both share are checked on both.
struct Family {
  const char* unary;
  const char* gated;
};
constexpr Family kFamilies[] = {{"gelu", "gelu_and_mul"}, {"gelu_tanh", "gelu_tanh_and_mul"}};

const ElementwiseOp& op(const char* name) { return *find_op(name); }

Exact exact1(const char* op_name, Format f, double x0, double x1 = 1.0,
             OracleMethod m = OracleMethod::double_then_mpfr) {
  return evaluate(op(op_name), f, std::vector<double>{x0}, std::vector<double>{x1}, {}, m)[0];
}

/// The MPFR tier's exact value agrees with an mpmath figure given to 28 digits; the double
/// tier's, where it decides, is within its declared bound (it amplifies with erfc's and
/// exp's condition numbers in the tail, see gelu.cpp); and both round as mpmath's value does.
void expect_value(const char* op_name, Format f, double x0, double x1, double mpmath_value) {
  const double bound = (op(op_name).activation->double_error_units + 2.0) * 0x1p-53;
  for (OracleMethod m : kBothMethods) {
    const Exact e = exact1(op_name, f, x0, x1, m);
    const double tolerance = m == OracleMethod::mpfr_only ? 1e-15 : bound;
    EXPECT_NEAR(e.value.hi + e.value.lo, mpmath_value, std::fabs(mpmath_value) * tolerance)
        << fmt::format("{} {} ({:a}, {:a}), {}: exact {:a} + {:a}", op_name, name(f), x0, x1,
                       m == OracleMethod::mpfr_only ? "MPFR only" : "double then MPFR", e.value.hi, e.value.lo);
    EXPECT_EQ(encode(f, e.rounded), encode(f, round_to(f, mpmath_value))) << op_name << " " << x0;
  }
}

/// Both methods give `rounded`, bit for bit (the sign of zero included).
void expect_rounded(const char* op_name, Format f, double x0, double x1, double rounded) {
  for (OracleMethod m : kBothMethods) {
    const Exact e = exact1(op_name, f, x0, x1, m);
    EXPECT_EQ(encode(f, e.rounded), encode(f, rounded))
        << fmt::format("{} {} ({:a}, {:a}), {}: got {:a}, expected {:a}", op_name, name(f), x0, x1,
                       m == OracleMethod::mpfr_only ? "MPFR only" : "double then MPFR", e.rounded, rounded);
  }
}

// --- known values

TEST(Gelu_fp32, MatchesMpmathOnOrdinaryValues) {
  expect_value("gelu", Format::fp32, 1.0, 1.0, 0.8413447460685429485852325456);
  expect_value("gelu", Format::fp32, -1.0, 1.0, -0.1586552539314570514147674544);
  expect_value("gelu", Format::fp32, 0.5, 1.0, 0.3457312306370065518188523053);
  expect_value("gelu", Format::fp32, -0.5, 1.0, -0.1542687693629934481811476947);
  expect_value("gelu", Format::fp32, 3.0, 1.0, 2.995950305905109716420044556);
  expect_value("gelu", Format::fp32, -3.0, 1.0, -0.004049694094890283579955444303);
}

TEST(GeluTanh_fp32, MatchesMpmathOnOrdinaryValues) {
  expect_value("gelu_tanh", Format::fp32, 1.0, 1.0, 0.841191990608276704781995777);
  expect_value("gelu_tanh", Format::fp32, -1.0, 1.0, -0.158808009391723295218004223);
  expect_value("gelu_tanh", Format::fp32, 0.5, 1.0, 0.3457140098251439220377572574);
  expect_value("gelu_tanh", Format::fp32, -0.5, 1.0, -0.1542859901748560779622427426);
  expect_value("gelu_tanh", Format::fp32, 3.0, 1.0, 2.996362607918226981162183534);
  expect_value("gelu_tanh", Format::fp32, -3.0, 1.0, -0.003637392081773018837816466132);
}

TEST(GeluAndMul_fp32, ProductOfGeluAndUp) {
  expect_value("gelu_and_mul", Format::fp32, 2.5, -1.5, -3.726713755028339493123832108);
  expect_value("gelu_tanh_and_mul", Format::fp32, 2.5, -1.5, -3.727373600865002126880761516);
}

// --- the negative tail: erfc and 2 / (1 + e^-2z), never 1 + erf or 1 + tanh

TEST(Gelu_fp32, NegativeTailKeepsFullRelativeAccuracy) {
  // -0x1.3ccccc0p+2 = fp32(-4.95), where fp32 t/2 (1 + erff(t / sqrt 2)) is 8.3e5 ULP off:
  // the exact value itself is -1.84e-6, and the oracle has it to double-double accuracy.
  expect_value("gelu", Format::fp32, -0x1.3ccccc0p+2, 1.0, -1.836785398737337227594809181e-6);
  // Deeper: -10 gives -7.6e-23; -13.5 gives -1.06e-40, an fp32 subnormal, not zero.
  expect_value("gelu", Format::fp32, -10.0, 1.0, -7.619853024160526065973343252e-23);
  expect_value("gelu", Format::fp32, -13.5, 1.0, -1.055538986263815314120260174e-40);
  EXPECT_NE(exact1("gelu", Format::fp32, -13.5).rounded, 0.0);
}

TEST(Gelu_bf16, NegativeTailKeepsFullRelativeAccuracy) {
  // bf16(-4.95) = -4.9375.
  expect_value("gelu", Format::bf16, -4.9375, 1.0, -1.953531911893188860154495137e-6);
}

TEST(GeluTanh_fp32, NegativeTailKeepsFullRelativeAccuracy) {
  // The tanh form's tail is thinner: -3.2e-7 at fp32(-4.95), -1.2e-37 at -10 (fp32 normal).
  expect_value("gelu_tanh", Format::fp32, -0x1.3ccccc0p+2, 1.0, -3.202683069908832026036630938e-7);
  expect_value("gelu_tanh", Format::fp32, -10.0, 1.0, -1.20409234820980599365925044e-37);
}

// --- special values, both activations

TEST(GeluFamily_fp32, InfinitiesFollowTheLimits) {
  for (const Family& fam : kFamilies) {
    SCOPED_TRACE(fam.unary);
    EXPECT_EQ(exact1(fam.unary, Format::fp32, kInf).rounded, kInf);
    const Exact minus_inf = exact1(fam.unary, Format::fp32, -kInf);  // tends to 0 from below
    EXPECT_EQ(minus_inf.rounded, 0.0);
    EXPECT_TRUE(std::signbit(minus_inf.rounded));
  }
}

TEST(GeluFamily_bf16, NanPropagates) {
  for (const Family& fam : kFamilies) {
    EXPECT_TRUE(std::isnan(exact1(fam.unary, Format::bf16, kNaN).rounded)) << fam.unary;
    EXPECT_TRUE(std::isnan(exact1(fam.gated, Format::bf16, kNaN, 1.0).rounded)) << fam.gated;
    EXPECT_TRUE(std::isnan(exact1(fam.gated, Format::bf16, 1.0, kNaN).rounded)) << fam.gated;
  }
}

TEST(GeluFamily_fp16, SignedZeroInSignedZeroOut) {
  for (const Family& fam : kFamilies) {
    SCOPED_TRACE(fam.unary);
    expect_rounded(fam.unary, Format::fp16, 0.0, 1.0, 0.0);
    expect_rounded(fam.unary, Format::fp16, -0.0, 1.0, -0.0);
  }
}

TEST(GeluFamily_fp32, DeepNegativeTailRoundsToMinusZero) {
  // Past the special rule's cut (gelu -45, gelu_tanh -24) and just above it, where MPFR
  // evaluates a result far below every format's range (gelu(-44) < 2^-1397, gelu_tanh(-22)
  // < 2^-1142): both give -0, and so does the largest fp32 magnitude (-0x1.fffffep+127).
  const double gelu_gates[] = {-44.0, -45.0, -0x1p100, -0x1.fffffep+127};
  const double tanh_gates[] = {-22.0, -23.5, -24.0, -0x1p100, -0x1.fffffep+127};
  for (double g : gelu_gates) expect_rounded("gelu", Format::fp32, g, 1.0, -0.0);
  for (double g : tanh_gates) expect_rounded("gelu_tanh", Format::fp32, g, 1.0, -0.0);
  // Times the largest fp32 up the product is still a signed zero.
  expect_rounded("gelu_and_mul", Format::fp32, -44.0, -0x1.fffffep+127, 0.0);
  expect_rounded("gelu_tanh_and_mul", Format::fp32, -23.5, -0x1.fffffep+127, 0.0);
}

TEST(GeluFamily_fp32, LargeInputsAreThemselves) {
  // gelu(x) = x (1 - eps) with eps < 2^-108 from x = 12 (gelu_tanh: 2^-125 from 10).
  for (const Family& fam : kFamilies) {
    for (double x : {12.0, 100.0, 0x1p100, 0x1.fffffep+127}) {
      const Exact e = exact1(fam.unary, Format::fp32, x);
      EXPECT_EQ(e.rounded, x) << fam.unary << " " << x;
      EXPECT_EQ(e.value.hi + e.value.lo, x) << fam.unary << " " << x;
    }
  }
}

TEST(GeluAndMulFamily_fp32, ZeroTimesInfinityIsUndefined) {
  for (const Family& fam : kFamilies) {
    EXPECT_TRUE(std::isnan(exact1(fam.gated, Format::fp32, 0.0, kInf).rounded)) << fam.gated;
    EXPECT_TRUE(std::isnan(exact1(fam.gated, Format::fp32, kInf, 0.0).rounded)) << fam.gated;
    EXPECT_TRUE(std::isnan(exact1(fam.gated, Format::fp32, -kInf, kInf).rounded)) << fam.gated;  // gelu(-inf) = -0
  }
}

TEST(GeluAndMulFamily_fp32, TinyButNonzeroGeluTimesInfinityIsInfinite) {
  // gelu(-100) is about -100 e^-5000: not zero, so times +inf the exact result is -inf.
  for (const Family& fam : kFamilies) {
    EXPECT_EQ(exact1(fam.gated, Format::fp32, -100.0, kInf).rounded, -kInf) << fam.gated;
    EXPECT_EQ(exact1(fam.gated, Format::fp32, -20.0, -kInf).rounded, kInf) << fam.gated;
  }
}

// --- exact midpoints of g * u: the true value lies just inside, so toward zero

TEST(GeluAndMulFamily_bf16, LargeGateOnAMidpointRoundsTowardZero) {
  // act(96) * 1.0078125 = 96.75 (1 - eps): 96.75 is the midpoint of bf16 96.5 and 97, and
  // the exact value lies just below it, so the answer is 96.5, not the even 97. At 96 * 2^80
  // eps is far below any MPFR precision, and the special rule still decides.
  for (const Family& fam : kFamilies) {
    SCOPED_TRACE(fam.gated);
    expect_rounded(fam.gated, Format::bf16, 96.0, 1.0078125, 96.5);
    expect_rounded(fam.gated, Format::bf16, 96.0, -1.0078125, -96.5);
    expect_rounded(fam.gated, Format::bf16, 0x1.8p86, 1.0078125, 96.5 * 0x1p80);
  }
}

TEST(GeluAndMulFamily_bf16, MidpointJustBelowTheLargeGateCutIsDecidedByMpfr) {
  // Below the cut eps is large enough for Ziv's loop to see: gelu(11.875) * 1.25 =
  // 14.84375 (1 - 2^-106.6), just under the midpoint of 14.8125 and the even 14.875;
  // gelu_tanh(9.875) * 1.25 = 12.34375 (1 - 2^-121.9), between 12.3125 and the even 12.375.
  expect_rounded("gelu_and_mul", Format::bf16, 11.875, 1.25, 14.8125);
  expect_rounded("gelu_tanh_and_mul", Format::bf16, 9.875, 1.25, 12.3125);
}

// --- gelu(x) - gelu(-x) = x for every real x: Phi(x) + Phi(-x) = 1, and tanh is odd

/// For every positive finite x of `f`: the exact values satisfy the identity to
/// double-double accuracy; and where act(x) and act(-x) share one ulp q (same binade, or
/// both subnormal) and x is a multiple of q, rounding to nearest on the grid qZ commutes
/// with subtracting x, so the correctly rounded results satisfy it exactly.
void expect_odd_part_identity(const char* op_name, Format f) {
  std::vector<double> pos, neg;
  for (std::uint32_t bits = 0; bits < (1u << info(f).storage_bits); ++bits) {
    const double x = decode(f, bits);
    if (std::isfinite(x) && x > 0) pos.push_back(x), neg.push_back(-x);
  }
  const auto plus = evaluate(op(op_name), f, pos, {}, {}, OracleMethod::mpfr_only);
  const auto minus = evaluate(op(op_name), f, neg, {}, {}, OracleMethod::mpfr_only);
  int exact_failures = 0, rounded_failures = 0, rounded_checked = 0;
  for (std::size_t i = 0; i < pos.size(); ++i) {
    const double x = pos[i];
    const DoubleDouble p = plus[i].value, m = minus[i].value;
    const DoubleDouble d = two_sum(p.hi, -m.hi);
    const double residual = (d.hi - x) + (d.lo + (p.lo - m.lo));  // d.hi - x exact (Sterbenz)
    if (!(std::fabs(residual) <= 0x1p-100 * (std::fabs(p.hi) + std::fabs(m.hi)) + 0x1p-1070) && ++exact_failures <= 5)
      ADD_FAILURE() << fmt::format("{} {} x={:a}: act(x) - act(-x) - x = {:a}", op_name, name(f), x, residual);
    const double q = ulp_of(f, p);
    if (q != ulp_of(f, m) || std::fmod(x, q) != 0.0) continue;
    ++rounded_checked;
    if (plus[i].rounded - minus[i].rounded != x && ++rounded_failures <= 5)
      ADD_FAILURE() << fmt::format("{} {} x={:a}: rounded act(x) = {:a}, act(-x) = {:a}, differ by {:a}", op_name,
                                   name(f), x, plus[i].rounded, minus[i].rounded, plus[i].rounded - minus[i].rounded);
  }
  EXPECT_EQ(exact_failures, 0);
  EXPECT_EQ(rounded_failures, 0);
  EXPECT_GT(rounded_checked, 1000);
  std::printf("%s %s: identity on %zu exact pairs; rounded results checked on %d of them\n", op_name,
              std::string(name(f)).c_str(), pos.size(), rounded_checked);
}

TEST(GeluFamily_bf16, GeluOfXMinusGeluOfMinusXIsX) {
  for (const Family& fam : kFamilies) expect_odd_part_identity(fam.unary, Format::bf16);
}
TEST(GeluFamily_fp16, GeluOfXMinusGeluOfMinusXIsX) {
  for (const Family& fam : kFamilies) expect_odd_part_identity(fam.unary, Format::fp16);
}

// --- exact against tanh form

TEST(GeluVsGeluTanh, LargestDifferenceOverTheRealsIs4_7324eMinus4AtPlusMinus2_6989) {
  // The search of reference/approximation.hpp over [-8, 8], gelu_tanh's declared radius
  // (beyond, both are within 1e-14 of max(x, 0)). mpmath: 4.73235520687e-4 at x = 2.69894138638.
  const RealDifference r = largest_real_difference(op("gelu"), op("gelu_tanh"));
  std::printf("max |gelu - gelu_tanh| = %.6e at x = %+.8f\n", std::fabs(r.difference), r.x);
  EXPECT_EQ(r.radius, 8.0);
  EXPECT_NEAR(std::fabs(r.difference), 4.7324e-4, 0.5e-8);  // 4.7324e-4 to 5 significant digits
  EXPECT_NEAR(std::fabs(r.x), 2.6989, 0.5e-4);              // 2.6989 to 5
  EXPECT_NEAR(std::fabs(r.difference), 4.73235520687e-4, 1e-15);  // and mpmath's figure
  EXPECT_NEAR(std::fabs(r.x), 2.69894138638, 1e-6);
  // gelu - gelu_tanh is even (both are odd plus x/2), so the gap is the same at -x.
  const std::vector<double> d = real_difference(op("gelu"), op("gelu_tanh"), std::vector<double>{r.x, -r.x});
  EXPECT_EQ(d[0], r.difference);
  EXPECT_NEAR(d[0], d[1], 1e-18);
  EXPECT_TRUE(r.symmetric);
  EXPECT_GT(d[0], 0.0);  // the tanh form lies above the exact one there
}

TEST(GeluAndMulVsGeluTanhAndMul, LargestDifferencePerUnitOfUpIsTheUnaryOne) {
  // At up = 1 the gated ops are the unary ones: the same gap at the same gates.
  const RealDifference unary = largest_real_difference(op("gelu"), op("gelu_tanh"));
  const RealDifference gated = largest_real_difference(op("gelu_and_mul"), op("gelu_tanh_and_mul"));
  EXPECT_EQ(gated.x, unary.x);
  EXPECT_NEAR(gated.difference, unary.difference, 1e-18);
  EXPECT_TRUE(gated.symmetric);
}

}  // namespace
}  // namespace ulpcheck
