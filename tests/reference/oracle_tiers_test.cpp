// The double tier is only a shortcut: wherever it decides, it must give the bits the MPFR
// tier gives. Checked exhaustively for the 16-bit unary ops and on 10^6 random inputs
// elsewhere; one table row per (op, format, input set).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "ulpcheck/reference/oracle.hpp"
#include "ulpcheck/reference/registry.hpp"

namespace ulpcheck {
namespace {

constexpr double kNoLimit = std::numeric_limits<double>::quiet_NaN();

struct Batch {
  std::vector<double> x0, x1;
};

/// Which inputs a row checks.
enum class Inputs {
  all_16bit,        ///< every value of the 16-bit format (unary ops)
  random_patterns,  ///< uniformly random bit patterns, NaN, inf and subnormals included
  gate_in_range,    ///< gate uniform in [lo, hi] rounded to the format, up a random pattern
};

struct TierCase {
  const char* op;
  Format format;
  Inputs inputs;
  int count = 0;  ///< elements for the random input sets
  std::uint64_t seed = 0;
  double limit = kNoLimit;  ///< the clamp limit for ops that take one
  double lo = 0.0, hi = 0.0;
};

std::uint32_t random_bits(std::mt19937_64& rng, Format f) {
  const std::uint32_t mask = info(f).storage_bits == 32 ? 0xffffffffu : 0xffffu;
  return static_cast<std::uint32_t>(rng()) & mask;
}

Batch make_batch(const TierCase& c, int arity) {
  Batch b;
  const Format f = c.format;
  if (c.inputs == Inputs::all_16bit) {
    for (std::uint32_t bits = 0; bits < 65536; ++bits) b.x0.push_back(decode(f, bits));
    return b;
  }
  std::mt19937_64 rng(c.seed);
  for (int i = 0; i < c.count; ++i) {
    if (c.inputs == Inputs::random_patterns) {
      b.x0.push_back(decode(f, random_bits(rng, f)));
    } else {
      const double unit = static_cast<double>(rng() >> 11) * 0x1p-53;
      b.x0.push_back(round_to(f, c.lo + (c.hi - c.lo) * unit));
    }
    if (arity == 2) b.x1.push_back(decode(f, random_bits(rng, f)));
  }
  return b;
}

/// "gelu_tanh_and_mul_fp32_gate_in_range" style: what gtest prints after the test name.
std::string case_name(const TierCase& c) {
  const char* inputs = c.inputs == Inputs::all_16bit       ? "all_inputs"
                       : c.inputs == Inputs::random_patterns ? "random_patterns"
                                                             : "gate_in_range";
  return fmt::format("{}_{}_{}", c.op, name(c.format), inputs);
}

constexpr int kN = 1'000'000;
/// MPFR's erfc takes ~0.3 ms at 136 bits for arguments near 10 (its series region), and
/// the MPFR-only pass evaluates every element: 2 * 10^5 keeps these rows near 15 s.
constexpr int kErfcRangeN = 200'000;
const double kLimit7_3 = static_cast<float>(7.3);

// Random patterns put half the fp32 gates beyond the numeric tiers (|g| past the special
// rules' cuts); the gate_in_range rows cover each activation's working range densely: its
// tails down to and past the deep-tail cut, the bend, and up to the large-gate cut.
// Limit 7.3 (not a bf16/fp16 value) puts many clamped elements on the limit itself.
const TierCase kCases[] = {
    {"silu", Format::bf16, Inputs::all_16bit},
    {"silu", Format::fp16, Inputs::all_16bit},
    {"silu", Format::fp32, Inputs::random_patterns, kN, 11},
    {"silu_and_mul", Format::bf16, Inputs::random_patterns, kN, 21},
    {"silu_and_mul", Format::fp16, Inputs::random_patterns, kN, 22},
    {"silu_and_mul", Format::fp32, Inputs::random_patterns, kN, 23},
    {"silu_and_mul_clamp", Format::bf16, Inputs::random_patterns, kN, 31, kLimit7_3},
    {"silu_and_mul_clamp", Format::fp16, Inputs::random_patterns, kN, 32, kLimit7_3},
    {"silu_and_mul_clamp", Format::fp32, Inputs::random_patterns, kN, 33, 10.0},
    {"gelu", Format::bf16, Inputs::all_16bit},
    {"gelu", Format::fp16, Inputs::all_16bit},
    {"gelu", Format::fp32, Inputs::random_patterns, kN, 41},
    {"gelu", Format::fp32, Inputs::gate_in_range, kErfcRangeN, 42, kNoLimit, -48.0, 14.0},
    {"gelu_tanh", Format::bf16, Inputs::all_16bit},
    {"gelu_tanh", Format::fp16, Inputs::all_16bit},
    {"gelu_tanh", Format::fp32, Inputs::random_patterns, kN, 51},
    {"gelu_tanh", Format::fp32, Inputs::gate_in_range, kN, 52, kNoLimit, -26.0, 12.0},
    {"gelu_and_mul", Format::bf16, Inputs::random_patterns, kN, 61},
    {"gelu_and_mul", Format::fp16, Inputs::random_patterns, kN, 62},
    {"gelu_and_mul", Format::fp32, Inputs::random_patterns, kN, 63},
    {"gelu_and_mul", Format::bf16, Inputs::gate_in_range, kErfcRangeN, 64, kNoLimit, -48.0, 14.0},
    {"gelu_and_mul", Format::fp32, Inputs::gate_in_range, kErfcRangeN, 65, kNoLimit, -48.0, 14.0},
    {"gelu_tanh_and_mul", Format::bf16, Inputs::random_patterns, kN, 71},
    {"gelu_tanh_and_mul", Format::fp16, Inputs::random_patterns, kN, 72},
    {"gelu_tanh_and_mul", Format::fp32, Inputs::random_patterns, kN, 73},
    {"gelu_tanh_and_mul", Format::bf16, Inputs::gate_in_range, kN, 74, kNoLimit, -26.0, 12.0},
    {"gelu_tanh_and_mul", Format::fp32, Inputs::gate_in_range, kN, 75, kNoLimit, -26.0, 12.0},
};

class OracleTiers : public ::testing::TestWithParam<TierCase> {};

/// Both methods over the batch: identical rounded bits, exact values within the double
/// tier's declared bound (plus the two units decide_in_double adds for its enclosure), and
/// both tiers exercised.
TEST_P(OracleTiers, DoubleTierGivesTheMpfrBits) {
  const TierCase& c = GetParam();
  const ElementwiseOp* op = find_op(c.op);
  ASSERT_NE(op, nullptr) << c.op;
  Params p = op->default_params();
  if (!std::isnan(c.limit)) p.set("limit", c.limit);
  const Batch b = make_batch(c, op->arity);
  const Format f = c.format;
  const double tolerance = (op->activation->double_error_units + 2.0) * 0x1p-53;

  OracleCounts fast_counts, mpfr_counts;
  const auto fast = evaluate(*op, f, b.x0, b.x1, p, OracleMethod::double_then_mpfr, &fast_counts);
  const auto mpfr = evaluate(*op, f, b.x0, b.x1, p, OracleMethod::mpfr_only, &mpfr_counts);
  std::int64_t disagreements = 0;
  for (std::size_t i = 0; i < fast.size(); ++i) {
    const bool same_bits = encode(f, fast[i].rounded) == encode(f, mpfr[i].rounded);
    const double a = fast[i].value.hi, m = mpfr[i].value.hi + mpfr[i].value.lo;
    const bool close = (std::isnan(a) && std::isnan(m)) || a == m || std::fabs(a - m) <= tolerance * std::fabs(m);
    if (!same_bits || !close) {
      if (++disagreements <= 5)
        ADD_FAILURE() << fmt::format("{} {} x0={:a} x1={:a}: double tier {:a} (value {:a}), MPFR {:a} (value {:a})",
                                     c.op, name(f), b.x0[i], b.x1.empty() ? 1.0 : b.x1[i], fast[i].rounded, a,
                                     mpfr[i].rounded, m);
    }
  }
  EXPECT_EQ(disagreements, 0);
  EXPECT_GT(fast_counts.double_tier, 0);
  EXPECT_GT(fast_counts.mpfr_tier, 0) << "no element needed MPFR: the escalation path went untested";
  std::printf("%s %s: %zu elements, %ld special, %ld double tier, %ld escalated to MPFR (%ld retries; MPFR only: "
              "%ld retries)\n",
              c.op, std::string(name(f)).c_str(), fast.size(), static_cast<long>(fast_counts.special),
              static_cast<long>(fast_counts.double_tier), static_cast<long>(fast_counts.mpfr_tier),
              static_cast<long>(fast_counts.mpfr_retries), static_cast<long>(mpfr_counts.mpfr_retries));
}

INSTANTIATE_TEST_SUITE_P(Ops, OracleTiers, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<TierCase>& info) { return case_name(info.param); });

}  // namespace
}  // namespace ulpcheck
