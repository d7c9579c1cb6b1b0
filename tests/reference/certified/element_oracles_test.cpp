// The sweep oracles (certified/element_oracles.hpp) against the MPFR tier: the pair oracle
// of every gated op on bf16 and fp16 gives the host oracle's bits on every gate with a set
// of ups, the fp32 unary oracle on 10^6 random inputs and on every 16-bit input; the pair
// product's bound holds against an independent 256-bit MPFR evaluation and is sharp to one
// bit, so a bound one bit too tight is caught; the rounding decision refuses what its
// enclosure does not settle.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <mpfr.h>

#include <cmath>
#include <random>
#include <vector>

#include "ulpcheck/reference/certified/element_oracles.hpp"
#include "ulpcheck/reference/certified/pair_tables.hpp"
#include "ulpcheck/reference/oracle.hpp"
#include "ulpcheck/reference/registry.hpp"
#include "ulpcheck/reference/tiers/tiers.hpp"

namespace ulpcheck {
namespace {

/// The ups each pin pairs with every gate: the values the special rules and the clamp turn
/// on (zeros, infinities, NaN, subnormal ends, the largest values, one, the limits), then
/// random bit patterns.
std::vector<std::uint32_t> up_sample(Format f, std::uint64_t seed) {
  const std::uint32_t sign = 0x8000, inf = f == Format::bf16 ? 0x7f80 : 0x7c00;
  std::vector<std::uint32_t> ups{0, sign, inf, sign | inf, inf | 1, 1, sign | 1, inf - 1, sign | (inf - 1),
                                 encode(f, 1.0), encode(f, -1.0), encode(f, 7.0), encode(f, round_to(f, 7.3)),
                                 encode(f, 10.0), encode(f, -10.0)};
  std::mt19937_64 rng(seed);
  for (int i = 0; i < 17; ++i) ups.push_back(static_cast<std::uint32_t>(rng()) & 0xffff);
  return ups;
}

struct PinCounts {
  std::int64_t pairs = 0, undecided = 0;
};

/// pair_exact's rounded result on every gate times each up of the sample equals the
/// oracle's, bit for bit (signed zeros and NaN included); undecided pairs are counted.
PinCounts pin_pair_oracle(const ElementwiseOp& op, Format f, const Params& params) {
  const PairTables t = pair_tables(op, f, params);
  PinCounts n;
  for (std::uint32_t ub : up_sample(f, 7)) {
    std::vector<double> gates(65536), ups(65536, decode(f, ub));
    for (std::uint32_t gb = 0; gb < 65536; ++gb) gates[gb] = decode(f, gb);
    const std::vector<Exact> want = evaluate(op, f, gates, ups, params);
    for (std::uint32_t gb = 0; gb < 65536; ++gb) {
      const Decided got = with_tier(op.activation->kind, [&](auto tier) {
        return pair_exact<decltype(tier)>(f, t.gates[gb], t.ups[ub]);
      });
      ++n.pairs;
      if (!got.decided) {
        ++n.undecided;
        continue;
      }
      if (encode(f, got.exact.rounded) != encode(f, want[gb].rounded)) {
        ADD_FAILURE() << op.name << " " << name(f) << " " << params.to_string()
                      << fmt::format(" gate {:#06x} up {:#06x}: {:a}, the oracle {:a}", gb, ub, got.exact.rounded,
                                     want[gb].rounded);
        return n;
      }
    }
  }
  return n;
}

TEST(PairOracle, GivesTheOraclesBitsOnEveryGateOfEveryGatedOpAndParameterSet) {
  for (const ElementwiseOp* op : all_ops()) {
    if (op->arity != 2) continue;
    for (Format f : {Format::bf16, Format::fp16})
      for (const Params& p : op->checked_params()) {
        const PinCounts n = pin_pair_oracle(*op, f, p);
        if (HasFatalFailure()) return;
        // The bound is 2^-104: only an exact rounding midpoint of the double-double's high
        // part is left to MPFR, a few pairs in 2^32.
        EXPECT_LE(n.undecided, 2) << op->name << " " << name(f) << " " << p.to_string() << " of " << n.pairs;
      }
  }
}

/// act(g) to 256 bits, written here from the definitions (not the oracle's code).
void act_mpfr(mpfr_t y, ActivationKind kind, double g) {
  mpfr_t t, c;
  mpfr_inits2(256, t, c, static_cast<mpfr_ptr>(nullptr));
  mpfr_set_d(t, g, MPFR_RNDN);
  switch (kind) {
    case ActivationKind::silu:  // t / (1 + e^-t)
      mpfr_neg(c, t, MPFR_RNDN);
      mpfr_exp(c, c, MPFR_RNDN);
      mpfr_add_ui(c, c, 1, MPFR_RNDN);
      mpfr_div(y, t, c, MPFR_RNDN);
      break;
    case ActivationKind::gelu:  // t/2 erfc(-t / sqrt 2)
      mpfr_sqrt_ui(c, 2, MPFR_RNDN);
      mpfr_div(c, t, c, MPFR_RNDN);
      mpfr_neg(c, c, MPFR_RNDN);
      mpfr_erfc(c, c, MPFR_RNDN);
      mpfr_mul(y, t, c, MPFR_RNDN);
      mpfr_div_2ui(y, y, 1, MPFR_RNDN);
      break;
    case ActivationKind::gelu_tanh: {  // t / (1 + e^-2z), z = sqrt(2/pi) (t + 0.044715 t^3)
      mpfr_t z;
      mpfr_init2(z, 256);
      mpfr_const_pi(c, MPFR_RNDN);
      mpfr_ui_div(c, 2, c, MPFR_RNDN);
      mpfr_sqrt(c, c, MPFR_RNDN);
      mpfr_mul(z, t, t, MPFR_RNDN);
      mpfr_mul(z, z, t, MPFR_RNDN);
      mpfr_mul_ui(z, z, 44715, MPFR_RNDN);
      mpfr_div_ui(z, z, 1000000, MPFR_RNDN);
      mpfr_add(z, z, t, MPFR_RNDN);
      mpfr_mul(z, z, c, MPFR_RNDN);
      mpfr_mul_si(z, z, -2, MPFR_RNDN);
      mpfr_exp(z, z, MPFR_RNDN);
      mpfr_add_ui(z, z, 1, MPFR_RNDN);
      mpfr_div(y, t, z, MPFR_RNDN);
      mpfr_clear(z);
      break;
    }
  }
  mpfr_clears(t, c, static_cast<mpfr_ptr>(nullptr));
}

/// The largest error of pair_product over every 16th gate of `f` (those the table holds a
/// value for, the series' included) times 16 ups, as a fraction of its bound.
double largest_error_over_bound(const ElementwiseOp& op, Format f) {
  const PairTables t = pair_tables(op, f, op.default_params());
  std::mt19937_64 rng(11);
  std::vector<double> ups;
  while (ups.size() < 16) {
    const double u = decode(f, static_cast<std::uint32_t>(rng()) & 0xffff);
    if (std::isfinite(u) && u != 0.0) ups.push_back(u);
  }
  double largest = 0.0;
  mpfr_t a, err;
  mpfr_inits2(256, a, err, static_cast<mpfr_ptr>(nullptr));
  for (std::uint32_t gb = 0; gb < 65536; gb += 16) {
    const PreparedGate& g = t.gates[gb];
    if (g.hi == 0.0) continue;  // answered by the special rules, or negligible
    act_mpfr(a, op.activation->kind, g.gate);
    for (double u : ups) {
      const PairProduct v = pair_product(g, u);
      if (std::fabs(v.value.hi) < 0x1p-900) continue;
      mpfr_mul_d(err, a, -u, MPFR_RNDN);  // exact at 256 bits: a has 256, u at most 24
      mpfr_add_d(err, err, v.value.hi, MPFR_RNDN);
      mpfr_add_d(err, err, v.value.lo, MPFR_RNDN);
      largest = std::max(largest, std::fabs(mpfr_get_d(err, MPFR_RNDN)) / v.bound);
    }
  }
  mpfr_clears(a, err, static_cast<mpfr_ptr>(nullptr));
  return largest;
}

/// The ops whose activations the product bound covers: one gated op per activation.
const char* const kGatedOps[] = {"silu_and_mul", "gelu_and_mul", "gelu_tanh_and_mul"};

TEST(PairOracle, ProductBoundHoldsAndIsSharpToOneBit) {
  for (const char* name_of_op : kGatedOps)
    for (Format f : {Format::bf16, Format::fp16}) {
      const double largest = largest_error_over_bound(*find_op(name_of_op), f);
      fmt::print("{} {}: largest product error {:.3f} of its bound\n", name_of_op, name(f), largest);
      EXPECT_LE(largest, 1.0) << name_of_op << " " << name(f);
      // A planted bound one bit too tight is caught: some pair's error exceeds it.
      EXPECT_GT(largest, 0.5) << name_of_op << " " << name(f) << ": a bound of half the proven one would pass unnoticed";
    }
}

TEST(UnaryOracle, GivesTheOraclesBitsOnEverySixteenBitInputAndRandomFp32Inputs) {
  std::mt19937_64 rng(5);
  for (const ElementwiseOp* op : all_ops()) {
    if (op->arity != 1) continue;
    for (Format f : all_formats()) {
      std::vector<double> x;
      if (info(f).storage_bits == 16)
        for (std::uint32_t b = 0; b < 65536; ++b) x.push_back(decode(f, b));
      else
        for (int i = 0; i < 1000000; ++i) x.push_back(decode(f, static_cast<std::uint32_t>(rng())));
      const std::vector<Exact> want = evaluate(*op, f, x, {}, op->default_params());
      std::int64_t undecided = 0;
      for (std::size_t i = 0; i < x.size(); ++i) {
        const Decided got =
            with_tier(op->activation->kind, [&](auto tier) { return unary_exact<decltype(tier)>(f, x[i]); });
        if (!got.decided) {
          ++undecided;
          continue;
        }
        ASSERT_EQ(encode(f, got.exact.rounded), encode(f, want[i].rounded)) << op->name << " " << name(f)
                                                                            << fmt::format(" x = {:a}", x[i]);
      }
      // Escalations are the double tier's, rarer with the bound taken at each input.
      EXPECT_LT(undecided, static_cast<std::int64_t>(x.size() / 1000)) << op->name << " " << name(f);
    }
  }
}

TEST(DecideDoubleDouble, SettlesOnlyWhatTheEnclosureSettles) {
  const double half_up = 1.0 + 0x1p-8;  // the bf16 midpoint between 1 and 1 + 2^-7
  const double bound = 0x1p-104;
  EXPECT_FALSE(decide_double_double(Format::bf16, half_up, 0.0, bound).decided) << "an exact midpoint";
  EXPECT_FALSE(decide_double_double(Format::bf16, half_up, bound, bound).decided) << "within the bound of it";
  const Decided above = decide_double_double(Format::bf16, half_up, 3 * bound, bound);
  ASSERT_TRUE(above.decided);
  EXPECT_EQ(above.exact.rounded, 1.0 + 0x1p-7);
  const Decided below = decide_double_double(Format::bf16, half_up, -3 * bound, bound);
  ASSERT_TRUE(below.decided);
  EXPECT_EQ(below.exact.rounded, 1.0);
  // Under a power of two the spacing halves: 1 - 2^-9 is the midpoint below 1 in bf16.
  EXPECT_FALSE(decide_double_double(Format::bf16, 1.0 - 0x1p-9, 0.0, bound).decided);
  EXPECT_EQ(decide_double_double(Format::bf16, -(1.0 - 0x1p-9), -3 * bound, bound).exact.rounded, -1.0);
  EXPECT_EQ(decide_double_double(Format::bf16, -(1.0 - 0x1p-9), 3 * bound, bound).exact.rounded, -(1.0 - 0x1p-8));
  // The overflow threshold of fp16: 65504 + 16 rounds to inf, just below it to 65504.
  EXPECT_FALSE(decide_double_double(Format::fp16, 65520.0, 0.0, bound).decided);
  EXPECT_EQ(decide_double_double(Format::fp16, 65520.0, 1e-9, bound).exact.rounded, HUGE_VAL);
  EXPECT_EQ(decide_double_double(Format::fp16, 65520.0, -1e-9, bound).exact.rounded, 65504.0);
  // Half the smallest subnormal rounds to zero (even); a hair above it does not.
  const double tiny = 0x1p-25;
  EXPECT_FALSE(decide_double_double(Format::fp16, tiny, 0.0, 0x1p-130).decided);
  EXPECT_EQ(decide_double_double(Format::fp16, -tiny, -0x1p-120, 0x1p-130).exact.rounded, -0x1p-24);
  EXPECT_TRUE(std::signbit(decide_double_double(Format::fp16, -0x1p-30, 0.0, 0x1p-130).exact.rounded));
}

}  // namespace
}  // namespace ulpcheck
