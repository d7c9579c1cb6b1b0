// The routing oracle against the op's specification (include/ulpcheck/reference/routing.hpp).
// Each case is one sentence of the spec. Hand-computed constants come from mpmath at 200
// bits (given in comments); the property cases check against a brute-force long double
// routing written here, independent of the oracle's code.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <random>
#include <set>
#include <vector>

#include "ulpcheck/reference/routing.hpp"

namespace ulpcheck {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// fp32 bit patterns of the special inputs used below.
constexpr std::uint32_t kPlusInf = 0x7f800000;   // +inf
constexpr std::uint32_t kMinusInf = 0xff800000;  // -inf
constexpr std::uint32_t kQuietNaN = 0x7fc00000;  // quiet NaN
constexpr std::uint32_t kNegNaN = 0xffc00001;    // NaN with the sign bit and a payload

std::uint32_t f32(double v) { return std::bit_cast<std::uint32_t>(static_cast<float>(v)); }

RoutingConfig small_config(int experts, int n_group, int topk_group, int topk, Scoring scoring = Scoring::sigmoid,
                           bool renormalize = true, double scale = 2.5) {
  return RoutingConfig{.experts = experts,
                       .n_group = n_group,
                       .topk_group = topk_group,
                       .topk = topk,
                       .scoring = scoring,
                       .renormalize = renormalize,
                       .routed_scaling_factor = scale};
}

/// One fp32 token (logits and bias as values, rounded to fp32).
RoutingInputs one_token(const std::vector<double>& logits, const std::vector<double>& bias) {
  RoutingInputs in;
  in.tokens = 1;
  for (double v : logits) in.logits.push_back(f32(v));
  for (double v : bias) in.bias.push_back(f32(v));
  return in;
}

TokenRouting route_one(const RoutingConfig& c, const std::vector<double>& logits, const std::vector<double>& bias) {
  return route_exact(c, one_token(logits, bias)).at(0);
}

TokenRouting route_bits(const RoutingConfig& c, const std::vector<std::uint32_t>& logits,
                        const std::vector<std::uint32_t>& bias) {
  RoutingInputs in;
  in.tokens = 1;
  in.logits = logits;
  in.bias = bias;
  return route_exact(c, in).at(0);
}

using Ids = std::vector<std::int32_t>;

long double value(const DoubleDouble& w) { return static_cast<long double>(w.hi) + static_cast<long double>(w.lo); }

void expect_weight(const DoubleDouble& w, long double expected, const char* what) {
  EXPECT_NEAR(static_cast<double>(value(w) / expected - 1), 0.0, 1e-17)
      << what << ": got " << fmt::format("{:a} + {:a}", w.hi, w.lo) << ", expected " << static_cast<double>(expected);
}

/// What every answer satisfies, whatever the inputs: ids distinct, in range and from kept
/// groups; groups distinct and in range; one weight per id; margins >= 0 or +inf.
void expect_well_formed(const RoutingConfig& c, const TokenRouting& r, const std::string& where) {
  ASSERT_EQ(r.ids.size(), static_cast<std::size_t>(c.topk)) << where;
  ASSERT_EQ(r.weights.size(), r.ids.size()) << where;
  ASSERT_EQ(r.groups.size(), static_cast<std::size_t>(c.topk_group)) << where;
  const std::set<std::int32_t> groups(r.groups.begin(), r.groups.end());
  EXPECT_EQ(groups.size(), r.groups.size()) << where << ": repeated group";
  for (std::int32_t g : r.groups) EXPECT_TRUE(g >= 0 && g < c.n_group) << where << ": group " << g;
  const std::set<std::int32_t> ids(r.ids.begin(), r.ids.end());
  EXPECT_EQ(ids.size(), r.ids.size()) << where << ": repeated id";
  for (std::int32_t id : r.ids) {
    EXPECT_TRUE(id >= 0 && id < c.experts) << where << ": id " << id;
    EXPECT_TRUE(groups.count(id / c.experts_per_group())) << where << ": id " << id << " from a dropped group";
  }
  for (const DoubleDouble& w : r.weights) EXPECT_TRUE(std::isfinite(w.hi) && w.hi >= 0) << where << ": weight " << w.hi;
  EXPECT_GE(r.group_margin, 0.0) << where;
  EXPECT_GE(r.expert_margin, 0.0) << where;
}

// --- Brute force in long double: the op exactly as the spec states it, for finite inputs.

struct BruteForce {
  Ids ids;
  Ids groups;
  std::vector<long double> weights;
  long double group_margin = 0, expert_margin = 0;
  /// The smallest gap between two values the decisions compared; tiny means a near-tie
  /// that long double cannot be trusted with.
  long double closest = std::numeric_limits<long double>::infinity();
};

BruteForce brute_force(const RoutingConfig& c, const std::vector<double>& x, const std::vector<double>& bias) {
  const int E = c.experts, per = c.experts_per_group();
  std::vector<long double> s(E), b(E);
  if (c.scoring == Scoring::sigmoid) {
    for (int e = 0; e < E; ++e) s[e] = 1.0L / (1.0L + std::exp(-static_cast<long double>(x[e])));
  } else {
    const long double M = *std::max_element(x.begin(), x.end());
    long double z = 0;
    for (int e = 0; e < E; ++e) z += std::exp(x[e] - M);
    for (int e = 0; e < E; ++e) s[e] = std::exp(x[e] - M) / z;
  }
  for (int e = 0; e < E; ++e) b[e] = s[e] + bias[e];
  BruteForce out;
  auto rank = [&](std::vector<int>& idx, const std::vector<long double>& v) {
    std::stable_sort(idx.begin(), idx.end(), [&](int i, int j) { return v[i] > v[j]; });
    for (std::size_t k = 1; k < idx.size(); ++k) out.closest = std::min(out.closest, std::fabs(v[idx[k - 1]] - v[idx[k]]));
  };
  std::vector<long double> score(c.n_group);
  for (int g = 0; g < c.n_group; ++g) {
    std::vector<int> members(per);
    std::iota(members.begin(), members.end(), g * per);
    rank(members, b);
    score[g] = b[members[0]] + b[members[1]];
  }
  std::vector<int> order(c.n_group);
  std::iota(order.begin(), order.end(), 0);
  rank(order, score);
  out.groups.assign(order.begin(), order.begin() + c.topk_group);
  out.group_margin = c.topk_group < c.n_group ? score[order[c.topk_group - 1]] - score[order[c.topk_group]] : kInf;
  std::vector<int> candidates;
  for (int g = 0; g < c.n_group; ++g)
    if (std::count(out.groups.begin(), out.groups.end(), g))
      for (int e = g * per; e < (g + 1) * per; ++e) candidates.push_back(e);
  rank(candidates, b);
  out.ids.assign(candidates.begin(), candidates.begin() + c.topk);
  out.expert_margin = static_cast<std::size_t>(c.topk) < candidates.size()
                          ? b[candidates[c.topk - 1]] - b[candidates[c.topk]]
                          : kInf;
  long double total = 0;
  for (int id : out.ids) total += s[id];
  for (int id : out.ids) out.weights.push_back((c.renormalize ? s[id] / total : s[id]) * c.routed_scaling_factor);
  return out;
}

/// Random fp32 logits from N(0, sigma^2) and biases from N(mu, 0.5^2): distinct values,
/// so exact ties have probability ~0 and near-ties show in BruteForce::closest.
struct RandomTokens {
  std::vector<std::vector<double>> logits;
  std::vector<double> bias;
};

RandomTokens random_tokens(int experts, int tokens, std::uint64_t seed, double sigma = 2.0, double mu = 0.0) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> logit(0.0, sigma), bias(mu, 0.5);
  RandomTokens r;
  for (int e = 0; e < experts; ++e) r.bias.push_back(static_cast<float>(bias(rng)));
  r.logits.resize(static_cast<std::size_t>(tokens));
  for (auto& row : r.logits)
    for (int e = 0; e < experts; ++e) row.push_back(static_cast<float>(logit(rng)));
  return r;
}

RoutingInputs to_inputs(const RandomTokens& r) {
  RoutingInputs in;
  in.tokens = static_cast<std::int64_t>(r.logits.size());
  for (const auto& row : r.logits)
    for (double v : row) in.logits.push_back(f32(v));
  for (double v : r.bias) in.bias.push_back(f32(v));
  return in;
}

/// The oracle against brute force on every token whose decisions are not near-ties; returns
/// how many tokens were compared.
int expect_matches_brute_force(const RoutingConfig& c, const RandomTokens& r) {
  const std::vector<TokenRouting> got = route_exact(c, to_inputs(r));
  int compared = 0;
  for (std::size_t t = 0; t < r.logits.size(); ++t) {
    const std::string where = fmt::format("{} token {}", c.label(), t);
    expect_well_formed(c, got[t], where);
    const BruteForce want = brute_force(c, r.logits[t], r.bias);
    if (want.closest < 1e-12L) continue;
    ++compared;
    EXPECT_EQ(got[t].groups, want.groups) << where;
    EXPECT_EQ(got[t].ids, want.ids) << where;
    for (std::size_t k = 0; k < want.weights.size() && k < got[t].weights.size(); ++k)
      EXPECT_NEAR(static_cast<double>(value(got[t].weights[k]) - want.weights[k]), 0.0,
                  static_cast<double>(1e-16L * want.weights[k]))
          << where << " weight " << k;
    auto expect_margin = [&](double m, long double w, const char* what) {
      // long double's b carry ~1e-19 absolute error each, so the gap is checked absolutely too.
      if (std::isinf(w)) EXPECT_EQ(m, kInf) << where << " " << what;
      else EXPECT_NEAR(m, static_cast<double>(w), 1e-17 + 1e-15 * static_cast<double>(w)) << where << " " << what;
    };
    expect_margin(got[t].group_margin, want.group_margin, "group margin");
    expect_margin(got[t].expert_margin, want.expert_margin, "expert margin");
  }
  return compared;
}

// ===================================================================================================
// RoutingConfig

TEST(RoutingConfig, DeepSeekV3IsValidAndLabelled) {
  const RoutingConfig c = RoutingConfig::deepseek_v3();
  EXPECT_EQ(c.validate(), "");
  EXPECT_EQ(c.experts_per_group(), 32);
  EXPECT_EQ(c.label(), "E=256 groups=8 keep=4 top=8 sigmoid renorm scale=2.5");
  EXPECT_EQ(small_config(16, 4, 2, 3, Scoring::softmax, false, 1.0).label(),
            "E=16 groups=4 keep=2 top=3 softmax no-renorm scale=1");
  // An fp32 factor prints in fp32's shortest form, not as the double it widens to.
  EXPECT_EQ(small_config(8, 4, 2, 3, Scoring::sigmoid, true, static_cast<float>(2.3)).label(),
            "E=8 groups=4 keep=2 top=3 sigmoid renorm scale=2.3");
}

TEST(RoutingConfig, ScoringHasAName) {
  EXPECT_EQ(name(Scoring::sigmoid), "sigmoid");
  EXPECT_EQ(name(Scoring::softmax), "softmax");
}

TEST(RoutingConfig, ValidationSaysWhatIsWrong) {
  auto problem = [](RoutingConfig c) { return c.validate(); };
  RoutingConfig c = RoutingConfig::deepseek_v3();
  c.experts = 1;
  EXPECT_EQ(problem(c), "experts is 1; it must be in [2, 512]");
  c.experts = 1024;
  EXPECT_EQ(problem(c), "experts is 1024; it must be in [2, 512]");
  c = RoutingConfig::deepseek_v3();
  c.n_group = 0;
  EXPECT_EQ(problem(c), "n_group is 0; it must be in [1, 32]");
  c.n_group = 64;
  EXPECT_EQ(problem(c), "n_group is 64; it must be in [1, 32]");
  c = small_config(24, 5, 1, 1);
  EXPECT_EQ(problem(c), "n_group 5 does not divide experts 24; groups must be of equal size");
  c = small_config(8, 8, 1, 1);
  EXPECT_EQ(problem(c),
            "experts / n_group is 8 / 8 = 1; a group needs at least 2 experts (its score is the sum of its two "
            "largest)");
  c = small_config(16, 4, 0, 1);
  EXPECT_EQ(problem(c), "topk_group is 0; it must be in [1, n_group = 4]");
  c = small_config(16, 4, 5, 1);
  EXPECT_EQ(problem(c), "topk_group is 5; it must be in [1, n_group = 4]");
  c = small_config(16, 4, 2, 0);
  EXPECT_EQ(problem(c), "topk is 0; it must be in [1, topk_group * experts / n_group = 8]");
  c = small_config(16, 4, 2, 9);
  EXPECT_EQ(problem(c), "topk is 9; it must be in [1, topk_group * experts / n_group = 8]");
  c = small_config(16, 4, 2, 8, Scoring::sigmoid, true, 0.0);
  EXPECT_EQ(problem(c), "routed_scaling_factor is 0; it must be a finite fp32 value > 0");
  c.routed_scaling_factor = -1.0;
  EXPECT_EQ(problem(c), "routed_scaling_factor is -1; it must be a finite fp32 value > 0");
  c.routed_scaling_factor = kInf;
  EXPECT_EQ(problem(c), "routed_scaling_factor is inf; it must be a finite fp32 value > 0");
  c.routed_scaling_factor = kNaN;
  EXPECT_EQ(problem(c), "routed_scaling_factor is nan; it must be a finite fp32 value > 0");
  c.routed_scaling_factor = 2.3;
  EXPECT_EQ(problem(c),
            "routed_scaling_factor 2.3 is not an fp32 value (the nearest is 2.3); kernels receive a float");
  // The edges of the valid space.
  EXPECT_EQ(small_config(2, 1, 1, 2).validate(), "");
  EXPECT_EQ(small_config(512, 32, 32, 512).validate(), "");
  EXPECT_EQ(small_config(64, 32, 1, 2).validate(), "");
}

// ===================================================================================================
// RoutingOracle: inputs, threads, methods

TEST(RoutingOracle, InvalidConfigThrowsValidatesMessage) {
  RoutingConfig c = small_config(16, 4, 2, 9);
  try {
    route_exact(c, RoutingInputs{});
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find(c.validate()), std::string::npos) << e.what();
  }
}

TEST(RoutingOracle, InputSizesAreChecked) {
  const RoutingConfig c = small_config(8, 4, 2, 3);
  RoutingInputs in = one_token(std::vector<double>(8, 0.0), std::vector<double>(8, 0.0));
  in.logits.pop_back();
  try {
    route_exact(c, in);
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "route_exact: logits has 7 values, expected tokens * experts = 1 * 8 = 8");
  }
  in = one_token(std::vector<double>(8, 0.0), std::vector<double>(7, 0.0));
  try {
    route_exact(c, in);
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "route_exact: bias has 7 values, expected experts = 8");
  }
  in.tokens = -1;
  EXPECT_THROW(route_exact(c, in), std::invalid_argument);
}

TEST(RoutingOracle, NoTokensGiveNoAnswers) {
  RoutingInputs in;
  in.bias.assign(256, f32(0.0));
  EXPECT_TRUE(route_exact(RoutingConfig::deepseek_v3(), in).empty());
}

TEST(RoutingOracle, AnswersDoNotDependOnThreadsOrMethod) {
  // Random tokens with special values and repeated values mixed in, so ties, invalid
  // experts, infinities and the double tier's undecided cases all occur.
  const RoutingConfig c = small_config(16, 4, 2, 5);
  for (Scoring scoring : {Scoring::sigmoid, Scoring::softmax}) {
    RoutingConfig cs = c;
    cs.scoring = scoring;
    std::mt19937_64 rng(7);
    const std::uint32_t specials[] = {kPlusInf, kMinusInf, kQuietNaN, f32(0.0), f32(-0.0), f32(1.0), f32(-1.0),
                                      f32(0.5), f32(100.0), f32(-100.0), f32(1e30), f32(-1e30)};
    RoutingInputs in;
    in.tokens = 300;
    for (int e = 0; e < 16; ++e) in.bias.push_back(e % 3 == 0 ? f32(0.0) : f32(static_cast<int>(rng() % 5) * 0.5));
    for (std::int64_t i = 0; i < in.tokens * 16; ++i) {
      const auto pick = rng() % 8;
      in.logits.push_back(pick < 3 ? specials[rng() % std::size(specials)]
                                   : f32(static_cast<int>(rng() % 9) * 0.25 - 1.0));
    }
    RoutingOracleCounts one_counts, many_counts, mpfr_counts;
    const auto one = route_exact(cs, in, {.threads = 1}, &one_counts);
    const auto many = route_exact(cs, in, {.threads = 3}, &many_counts);
    const auto mpfr = route_exact(cs, in, {.method = RoutingMethod::mpfr_only, .threads = 2}, &mpfr_counts);
    for (std::size_t t = 0; t < one.size(); ++t) {
      const std::string where = fmt::format("{} token {}", cs.label(), t);
      expect_well_formed(cs, one[t], where);
      for (const auto* other : {&many[t], &mpfr[t]}) {
        EXPECT_EQ(one[t].ids, other->ids) << where;
        EXPECT_EQ(one[t].groups, other->groups) << where;
        for (std::size_t k = 0; k < one[t].weights.size(); ++k) {
          EXPECT_EQ(one[t].weights[k].hi, other->weights[k].hi) << where;
          EXPECT_EQ(one[t].weights[k].lo, other->weights[k].lo) << where;
        }
        EXPECT_EQ(one[t].group_margin, other->group_margin) << where;
        EXPECT_EQ(one[t].expert_margin, other->expert_margin) << where;
      }
    }
    EXPECT_EQ(one_counts.comparisons, many_counts.comparisons);
    EXPECT_EQ(one_counts.exact_ties, mpfr_counts.exact_ties) << "the same ties, proven either way";
    for (const RoutingOracleCounts& k : {one_counts, mpfr_counts}) {
      EXPECT_EQ(k.tokens, 300);
      EXPECT_EQ(k.comparisons, k.special + k.double_tier + k.exact_ties + k.mpfr_tier);
    }
    EXPECT_GT(one_counts.double_tier, 0);
    EXPECT_GT(one_counts.exact_ties, 0);
    EXPECT_GT(one_counts.special, 0);
    EXPECT_EQ(mpfr_counts.double_tier, 0);
  }
}

// ===================================================================================================
// RoutingOracle_sigmoid

// E = 8 in 4 groups of 2, keep 2, top 3, renormalised, scale 2.5. Biased scores:
//   group 0: sigmoid(0.5), sigmoid(-1)        sum 0.8914007525718496854
//   group 1: sigmoid(2), sigmoid(0.25)        sum 1.442973578863680548
//   group 2: sigmoid(-0.5), sigmoid(1.5)      sum 1.195115144991789095
//   group 3: sigmoid(3), sigmoid(-2) + 0.5    sum 1.571777048844550775
// Kept: groups 3, 1. Candidates 2, 3, 6, 7 with b = 0.8808, 0.5622, 0.9526, 0.6192: picked
// 6, 2, 7. Weights 2.5 s / (sigmoid(3) + sigmoid(2) + sigmoid(-2)) with the unbiased s.
TEST(RoutingOracle_sigmoid, HandComputedSmallCase) {
  const RoutingConfig c = small_config(8, 4, 2, 3);
  const TokenRouting r = route_one(c, {0.5, -1.0, 2.0, 0.25, -0.5, 1.5, 3.0, -2.0}, {0, 0, 0, 0, 0, 0, 0, 0.5});
  EXPECT_EQ(r.groups, (Ids{3, 1}));
  EXPECT_EQ(r.ids, (Ids{6, 2, 7}));
  ASSERT_EQ(r.weights.size(), 3u);
  expect_weight(r.weights[0], 1.219638877900920991352682L, "expert 6");  // mpmath
  expect_weight(r.weights[1], 1.12773833510135155856592L, "expert 2");
  expect_weight(r.weights[2], 0.152622786997727450081398L, "expert 7");
  // The same from long double sigmoids, as an independent check of the constants.
  auto sig = [](long double x) { return 1.0L / (1.0L + std::exp(-x)); };
  const long double total = sig(3) + sig(2) + sig(-2);
  expect_weight(r.weights[0], 2.5L * sig(3) / total, "expert 6 (long double)");
  EXPECT_NEAR(r.group_margin, 0.2478584338718914531187362, 1e-16);   // G1 - G2 (last kept, best dropped)
  EXPECT_NEAR(r.expert_margin, 0.05702642113631945191294722, 1e-16);  // b7 - b3
}

TEST(RoutingOracle_sigmoid, BiasSteersSelectionButWeightsUseUnbiasedScores) {
  // One group; expert 3 has the smallest logit but a bias that makes its b the largest.
  const RoutingConfig c = small_config(4, 1, 1, 2);
  const TokenRouting r = route_one(c, {2.0, 1.0, 0.0, -1.0}, {0, 0, 0, 1.0});
  EXPECT_EQ(r.ids, (Ids{3, 0}));
  auto sig = [](long double x) { return 1.0L / (1.0L + std::exp(-x)); };
  expect_weight(r.weights[0], 2.5L * sig(-1) / (sig(-1) + sig(2)), "biased pick");
  expect_weight(r.weights[1], 2.5L * sig(2) / (sig(-1) + sig(2)), "unbiased pick");
  // A constant added to every bias changes nothing: same ids, same weights.
  const TokenRouting shifted = route_one(c, {2.0, 1.0, 0.0, -1.0}, {4.0, 4.0, 4.0, 5.0});
  EXPECT_EQ(shifted.ids, r.ids);
  EXPECT_EQ(value(shifted.weights[0]), value(r.weights[0]));
}

TEST(RoutingOracle_sigmoid, RenormalizeOffGivesScaledScores) {
  const RoutingConfig c = small_config(4, 1, 1, 2, Scoring::sigmoid, false, 2.5);
  const TokenRouting r = route_one(c, {2.0, 1.0, 0.0, -1.0}, {0, 0, 0, 0});
  EXPECT_EQ(r.ids, (Ids{0, 1}));
  expect_weight(r.weights[0], 2.5L * 0.8807970779778824440597291L, "sigmoid(2) * 2.5");  // mpmath
  expect_weight(r.weights[1], 2.5L * 0.7310585786300048792511592L, "sigmoid(1) * 2.5");  // mpmath
}

TEST(RoutingOracle_sigmoid, RenormalizedWeightsSumToTheScale) {
  const RandomTokens tokens = random_tokens(256, 20, 11);
  const auto got = route_exact(RoutingConfig::deepseek_v3(), to_inputs(tokens));
  for (const TokenRouting& r : got) {
    long double total = 0;
    for (const DoubleDouble& w : r.weights) total += value(w);
    EXPECT_NEAR(static_cast<double>(total), 2.5, 1e-17);
  }
}

TEST(RoutingOracle_sigmoid, ScalingFactorMultipliesEveryWeight) {
  const RandomTokens tokens = random_tokens(16, 20, 12);
  for (bool renormalize : {true, false}) {
    const auto one = route_exact(small_config(16, 4, 2, 4, Scoring::sigmoid, renormalize, 1.0), to_inputs(tokens));
    const auto scaled =
        route_exact(small_config(16, 4, 2, 4, Scoring::sigmoid, renormalize, 0.375), to_inputs(tokens));
    for (std::size_t t = 0; t < one.size(); ++t) {
      EXPECT_EQ(one[t].ids, scaled[t].ids);
      for (std::size_t k = 0; k < one[t].weights.size(); ++k)
        expect_weight(scaled[t].weights[k], 0.375L * value(one[t].weights[k]), "scaled weight");
    }
  }
}

TEST(RoutingOracle_sigmoid, EqualLogitsInDifferentGroupsTieToTheLowerIndex) {
  // Every group is the same pair: every group score ties, so groups 0 and 1 are kept, and
  // within them the equal experts rank by index.
  const RoutingConfig c = small_config(8, 4, 2, 3);
  const TokenRouting r = route_one(c, {1.0, 0.5, 1.0, 0.5, 1.0, 0.5, 1.0, 0.5}, std::vector<double>(8, 0.0));
  EXPECT_EQ(r.groups, (Ids{0, 1}));
  EXPECT_EQ(r.ids, (Ids{0, 2, 1}));
  EXPECT_EQ(r.group_margin, 0.0) << "an exact tie resolved by index";
  EXPECT_EQ(r.expert_margin, 0.0) << "expert 1 (picked) and expert 3 (not) both score sigmoid(0.5)";
  const TokenRouting two = route_one(small_config(8, 4, 2, 2), {1.0, 0.5, 1.0, 0.5, 1.0, 0.5, 1.0, 0.5},
                                     std::vector<double>(8, 0.0));
  EXPECT_EQ(two.ids, (Ids{0, 2}));
  EXPECT_GT(two.expert_margin, 0.0) << "sigmoid(1) - sigmoid(0.5)";
}

TEST(RoutingOracle_sigmoid, EqualLogitsWithinAGroupTieToTheLowerIndex) {
  const RoutingConfig c = small_config(4, 1, 1, 2);
  const TokenRouting r = route_one(c, {0.5, 1.5, 0.75, 1.5}, {0, 0, 0, 0});
  EXPECT_EQ(r.ids, (Ids{1, 3}));
  const TokenRouting boundary = route_one(small_config(4, 1, 1, 1), {0.5, 1.5, 0.75, 1.5}, {0, 0, 0, 0});
  EXPECT_EQ(boundary.ids, (Ids{1}));
  EXPECT_EQ(boundary.expert_margin, 0.0);
  expect_weight(boundary.weights[0], 2.5L, "a single renormalised weight is the scale");
}

TEST(RoutingOracle_sigmoid, EqualValuesFromDifferentInputsTieExactly) {
  // sigmoid(+inf) + 0 = 1 = sigmoid(-inf) + 1 = sigmoid(0) + 0.5: three different inputs,
  // one value; the lowest index wins and the margin is exactly 0.
  const RoutingConfig c = small_config(4, 1, 1, 1);
  const TokenRouting r =
      route_bits(c, {f32(-3.0), kMinusInf, f32(0.0), kPlusInf}, {f32(0.0), f32(1.0), f32(0.5), f32(0.0)});
  EXPECT_EQ(r.ids, (Ids{1}));
  EXPECT_EQ(r.expert_margin, 0.0);
}

TEST(RoutingOracle_sigmoid, SymmetricPairsGiveEqualGroupScores) {
  // sigmoid(x) + sigmoid(-x) = 1 for every x: groups {0.75, -0.75} and {2, -2} both score
  // exactly 1, a tie no input bit reveals. Group 1 scores 1 - 2^-20 less.
  const RoutingConfig c = small_config(6, 3, 1, 1);
  const TokenRouting r = route_one(c, {2.0, -2.0, 0.75, -0.75, 0.75, -0.75}, {0, 0, 0, -0x1p-20, 0, 0});
  EXPECT_EQ(r.groups, (Ids{0}));
  EXPECT_EQ(r.group_margin, 0.0);
  const TokenRouting swapped = route_one(c, {0.75, -0.75, 2.0, -2.0, 0.75, -0.75}, {0, 0, 0, 0, 0, 0});
  EXPECT_EQ(swapped.groups, (Ids{0}));
  EXPECT_EQ(swapped.group_margin, 0.0);
}

TEST(RoutingOracle_sigmoid, AstronomicallyCloseValuesAreNotTies) {
  // b_0 = sigmoid(1e5) = 1 - e^-100000 and b_1 = sigmoid(-inf) + 1 = 1: expert 1 is larger
  // by about 2^-144270, far below any working precision and any double. The margin is
  // nonzero, so it is given as the smallest subnormal.
  const RoutingConfig c = small_config(4, 1, 1, 1);
  const TokenRouting r = route_bits(c, {f32(1e5), kMinusInf, kMinusInf, kMinusInf},
                                    {f32(0.0), f32(1.0), f32(0.0), f32(0.0)});
  EXPECT_EQ(r.ids, (Ids{1}));
  EXPECT_EQ(r.expert_margin, 0x1p-1074);
  // Equal biases: sigmoid(-1e30) > sigmoid(-2e30), both below 2^-10^30.
  const TokenRouting deep = route_bits(c, {f32(-2e30), f32(-1e30), kMinusInf, f32(-3e30)},
                                       {f32(0.0), f32(0.0), f32(0.0), f32(0.0)});
  EXPECT_EQ(deep.ids, (Ids{1}));
  EXPECT_EQ(deep.expert_margin, 0x1p-1074);
}

TEST(RoutingOracle_sigmoid, MarginsAreCorrectlyRoundedNextToADoubleMidpoint) {
  // Margin b_0 - b_1 = 1 - 2^-54 - sigmoid(x_1): just below the midpoint between 1 - 2^-53
  // and 1, so it rounds down, where ties-to-even would give 1. With x_1 = -200 (gap below
  // the midpoint ~2^-288) 267 bits cannot tell and 1065 can; with x_1 = -3000 (~2^-4328)
  // no precision of the ladder can, and the exact side-of-midpoint test decides.
  const RoutingConfig c = small_config(2, 1, 1, 1);
  for (double x1 : {-200.0, -3000.0}) {
    RoutingOracleCounts counts;
    const auto r = route_exact(c, one_token({kInf, x1}, {0.0, 0x1p-54}), {}, &counts).at(0);
    EXPECT_EQ(r.ids, (Ids{0}));
    EXPECT_EQ(r.expert_margin, 1.0 - 0x1p-53) << "x_1 = " << x1;
    EXPECT_EQ(counts.mpfr_retries, 1) << "the margin needed more than the first precision";
  }
  // Mirrored: 1 + 2^-53 + sigmoid(x_0) is just above the midpoint between 1 and 1 + 2^-52
  // (where ties-to-even gives 1): it rounds up.
  for (double x0 : {-200.0, -3000.0}) {
    const TokenRouting r = route_one(c, {x0, -kInf}, {1.0, -0x1p-53});
    EXPECT_EQ(r.ids, (Ids{0}));
    EXPECT_EQ(r.expert_margin, 1.0 + 0x1p-52) << "x_0 = " << x0;
  }
  // Exactly at a midpoint (no transcendental part at all): ties to even.
  EXPECT_EQ(route_one(c, {kInf, -kInf}, {0.0, 0x1p-54}).expert_margin, 1.0);
  EXPECT_EQ(route_one(c, {kInf, -kInf}, {0.0, -0x1p-53}).expert_margin, 1.0);
  EXPECT_EQ(route_one(c, {kInf, -kInf}, {0.0, -0x3p-53}).expert_margin, 1.0 + 0x1p-51);
}

TEST(RoutingOracle_sigmoid, MarginsArePositiveWhenDecidedAndInfiniteWhenNothingIsDropped) {
  const std::vector<double> logits{0.5, -1.0, 2.0, 0.25, -0.5, 1.5, 3.0, -2.0};
  const TokenRouting r = route_one(small_config(8, 4, 2, 3), logits, std::vector<double>(8, 0.0));
  EXPECT_GT(r.group_margin, 0.0);
  EXPECT_GT(r.expert_margin, 0.0);
  // Every group kept: no group margin. Every candidate picked: no expert margin.
  const TokenRouting all = route_one(small_config(8, 4, 4, 8), logits, std::vector<double>(8, 0.0));
  EXPECT_EQ(all.group_margin, kInf);
  EXPECT_EQ(all.expert_margin, kInf);
  const TokenRouting all_of_kept = route_one(small_config(8, 4, 2, 4), logits, std::vector<double>(8, 0.0));
  EXPECT_GT(all_of_kept.group_margin, 0.0);
  EXPECT_EQ(all_of_kept.expert_margin, kInf);
}

TEST(RoutingOracle_sigmoid, NanLogitsRankBelowEveryValidExpert) {
  // Group 0 holds two NaN logits (NaN patterns with and without a sign): it has no valid
  // pair, so its score is -inf and it is dropped although its bias is large.
  const RoutingConfig c = small_config(8, 4, 2, 3);
  const TokenRouting r = route_bits(c, {kQuietNaN, kNegNaN, f32(-3), f32(-4), f32(1), f32(2), f32(-1), f32(-2)},
                                    {f32(9), f32(9), 0, 0, 0, 0, 0, 0});
  expect_well_formed(c, r, "NaN group");
  EXPECT_EQ(std::count(r.groups.begin(), r.groups.end(), 0), 0);
  // One valid expert in a kept group: the NaN one is picked last, weight 0.
  const RoutingConfig one_group = small_config(4, 1, 1, 3);
  const TokenRouting partial =
      route_bits(one_group, {kQuietNaN, f32(1.0), kQuietNaN, f32(-1.0)}, {0, 0, 0, 0});
  EXPECT_EQ(partial.ids, (Ids{1, 3, 0}));
  EXPECT_EQ(partial.weights[2].hi, 0.0);
  EXPECT_EQ(partial.expert_margin, 0.0) << "NaN against NaN: a tie resolved by index";
  // A valid expert never loses to an invalid one: margin +inf.
  const TokenRouting two = route_bits(small_config(4, 1, 1, 2), {kQuietNaN, f32(1.0), kQuietNaN, f32(-1.0)},
                                      {0, 0, 0, 0});
  EXPECT_EQ(two.ids, (Ids{1, 3}));
  EXPECT_EQ(two.expert_margin, kInf);
}

TEST(RoutingOracle_sigmoid, NonFiniteBiasMakesItsExpertInvalid) {
  const RoutingConfig c = small_config(4, 1, 1, 2);
  const TokenRouting r = route_bits(c, {f32(5), f32(4), f32(-1), f32(-2)}, {kPlusInf, kQuietNaN, 0, 0});
  EXPECT_EQ(r.ids, (Ids{2, 3}));
  EXPECT_EQ(r.expert_margin, kInf);
}

TEST(RoutingOracle_sigmoid, InfiniteLogitsScoreOneAndZero) {
  const RoutingConfig c = small_config(4, 1, 1, 3, Scoring::sigmoid, false, 1.0);
  const TokenRouting r = route_bits(c, {kMinusInf, kPlusInf, f32(0.0), f32(-1.0)}, {0, 0, 0, 0});
  EXPECT_EQ(r.ids, (Ids{1, 2, 3}));
  EXPECT_EQ(r.weights[0].hi, 1.0);
  EXPECT_EQ(r.weights[1].hi, 0.5);
}

TEST(RoutingOracle_sigmoid, AllMinusInfLogitsGiveZeroWeightsAndValidIds) {
  // Every s is 0: the bias alone ranks, the picked s sum to 0, so weights are 0, not 0/0.
  const RoutingConfig c = small_config(8, 4, 2, 3);
  const TokenRouting r = route_bits(c, std::vector<std::uint32_t>(8, kMinusInf),
                                    {f32(0.1), f32(0.2), f32(0.3), f32(0.4), f32(0.5), f32(0.6), f32(0.7), f32(0.8)});
  expect_well_formed(c, r, "all -inf");
  EXPECT_EQ(r.groups, (Ids{3, 2}));
  EXPECT_EQ(r.ids, (Ids{7, 6, 5}));
  for (const DoubleDouble& w : r.weights) {
    EXPECT_EQ(w.hi, 0.0);
    EXPECT_EQ(w.lo, 0.0);
  }
  // Not renormalised: 0 * scale.
  const TokenRouting plain = route_bits(small_config(8, 4, 2, 3, Scoring::sigmoid, false),
                                        std::vector<std::uint32_t>(8, kMinusInf), std::vector<std::uint32_t>(8, 0));
  expect_well_formed(c, plain, "all -inf, no renorm");
  for (const DoubleDouble& w : plain.weights) EXPECT_EQ(w.hi, 0.0);
}

TEST(RoutingOracle_sigmoid, AllNanLogitsPickTheLowestIndices) {
  const RoutingConfig c = small_config(8, 4, 2, 3);
  const TokenRouting r = route_bits(c, std::vector<std::uint32_t>(8, kQuietNaN), std::vector<std::uint32_t>(8, 0));
  EXPECT_EQ(r.groups, (Ids{0, 1}));
  EXPECT_EQ(r.ids, (Ids{0, 1, 2}));
  EXPECT_EQ(r.group_margin, 0.0);
  EXPECT_EQ(r.expert_margin, 0.0);
  for (const DoubleDouble& w : r.weights) EXPECT_EQ(w.hi, 0.0);
}

TEST(RoutingOracle_sigmoid, TinyScoresKeepTheirRatios) {
  // sigmoid(-200) and sigmoid(-201) are below 2^-288; renormalised, their ratio e survives:
  // w = 1 / (1 + e^-1) (1 - tiny) and e^-1 / (1 + e^-1).
  const RoutingConfig c = small_config(4, 1, 1, 2, Scoring::sigmoid, true, 1.0);
  const TokenRouting r = route_one(c, {-201.0, -200.0, -1e4, -2e4}, {0, 0, 0, 0});
  EXPECT_EQ(r.ids, (Ids{1, 0}));
  const long double e = std::exp(1.0L);
  expect_weight(r.weights[0], e / (e + 1), "e / (e + 1)");
  expect_weight(r.weights[1], 1 / (e + 1), "1 / (e + 1)");
}

TEST(RoutingOracle_sigmoid, EveryTopkGroupAndTopkMatchesBruteForce) {
  // E = 16 in 4 groups of 4 and in 8 groups of 2: every topk_group and every topk.
  int compared = 0, configs = 0;
  for (int n_group : {1, 4, 8}) {
    const int per = 16 / n_group;
    for (int keep = 1; keep <= n_group; ++keep)
      for (int top = 1; top <= keep * per; ++top) {
        const RandomTokens tokens = random_tokens(16, 12, 1000 + configs);
        compared += expect_matches_brute_force(small_config(16, n_group, keep, top), tokens);
        ++configs;
      }
  }
  EXPECT_GT(compared, configs * 12 * 9 / 10) << "too many near-ties skipped";
}

TEST(RoutingOracle_sigmoid, DeepSeekV3MatchesBruteForce) {
  // DeepSeek-V3's shape with its bias range (>= 2.02): logits N(0, 2^2), bias N(3, 0.5^2).
  const RandomTokens tokens = random_tokens(256, 100, 21, 2.0, 3.0);
  EXPECT_GE(expect_matches_brute_force(RoutingConfig::deepseek_v3(), tokens), 95);
}

// ===================================================================================================
// RoutingOracle_softmax

// E = 8 in 4 groups of 2, keep 2, top 3, no bias, not renormalised, scale 1. Softmax of
// {1, 0.5, -1, 2, 0, -0.5, 1.5, -2} (mpmath): group scores 0.2380, 0.4228, 0.0876, 0.2516;
// kept 1, 3; picked 3 (0.4027), 6 (0.2443), 2 (0.0201).
TEST(RoutingOracle_softmax, HandComputedSmallCase) {
  const RoutingConfig c = small_config(8, 4, 2, 3, Scoring::softmax, false, 1.0);
  const TokenRouting r = route_one(c, {1, 0.5, -1, 2, 0, -0.5, 1.5, -2}, std::vector<double>(8, 0.0));
  EXPECT_EQ(r.groups, (Ids{1, 3}));
  EXPECT_EQ(r.ids, (Ids{3, 6, 2}));
  expect_weight(r.weights[0], 0.40272836382228512365L, "expert 3");
  expect_weight(r.weights[1], 0.24426710019412004763L, "expert 6");
  expect_weight(r.weights[2], 0.020050664583298093232L, "expert 2");
  EXPECT_NEAR(r.group_margin, 0.01362699773332662694, 1e-17);   // G3 - G0
  EXPECT_NEAR(r.expert_margin, 0.012674437301278360272, 1e-17);  // s2 - s7
}

TEST(RoutingOracle_softmax, PlusInfLogitsShareOneEqually) {
  const RoutingConfig c = small_config(8, 2, 2, 4, Scoring::softmax, false, 1.0);
  const TokenRouting r = route_bits(
      c, {kPlusInf, f32(50), kPlusInf, f32(1), kPlusInf, kMinusInf, f32(3), f32(2)}, std::vector<std::uint32_t>(8, 0));
  EXPECT_EQ(r.ids, (Ids{0, 2, 4, 1})) << "the +inf logits, then finite logits that all score 0, by index";
  for (int k = 0; k < 3; ++k) expect_weight(r.weights[static_cast<std::size_t>(k)], 1.0L / 3, "1/3");
  EXPECT_EQ(r.weights[3].hi, 0.0);
  EXPECT_EQ(r.expert_margin, 0.0) << "s = 0 for experts 1 and 3 alike: a tie";
  // Renormalised, three +inf picks share the scale; a bias still steers.
  const TokenRouting renorm = route_bits(small_config(8, 2, 2, 3, Scoring::softmax, true, 2.5),
                                         {kPlusInf, f32(50), kPlusInf, f32(1), kPlusInf, kMinusInf, f32(3), f32(2)},
                                         {0, f32(2.0), 0, 0, 0, 0, 0, 0});
  EXPECT_EQ(renorm.ids, (Ids{1, 0, 2}));
  EXPECT_EQ(renorm.weights[0].hi, 0.0);
  expect_weight(renorm.weights[1], 1.25L, "2.5 / 2");
}

TEST(RoutingOracle_softmax, AllMinusInfLogitsGiveZeroWeights) {
  const RoutingConfig c = small_config(8, 4, 2, 3, Scoring::softmax, true, 2.5);
  const TokenRouting r = route_bits(c, std::vector<std::uint32_t>(8, kMinusInf),
                                    {f32(0.1), f32(0.2), f32(0.3), f32(0.4), f32(0.5), f32(0.6), f32(0.7), f32(0.8)});
  expect_well_formed(c, r, "softmax all -inf");
  EXPECT_EQ(r.ids, (Ids{7, 6, 5}));
  for (const DoubleDouble& w : r.weights) EXPECT_EQ(w.hi, 0.0);
}

TEST(RoutingOracle_softmax, InvalidExpertsAreLeftOutOfTheSoftmax) {
  // Experts 1 (NaN logit) and 2 (NaN bias) are invalid: s is the softmax of {0, ln 3}
  // over experts 0 and 3, so 1/4 and 3/4.
  const RoutingConfig c = small_config(4, 1, 1, 2, Scoring::softmax, false, 1.0);
  const TokenRouting r =
      route_bits(c, {f32(0.0), kQuietNaN, f32(10.0), f32(std::log(3.0))}, {0, 0, kQuietNaN, 0});
  EXPECT_EQ(r.ids, (Ids{3, 0}));
  const long double three = static_cast<float>(std::log(3.0));
  expect_weight(r.weights[0], std::exp(three) / (1 + std::exp(three)), "e^x / (1 + e^x)");
  expect_weight(r.weights[1], 1 / (1 + std::exp(three)), "1 / (1 + e^x)");
}

TEST(RoutingOracle_softmax, OneFiniteLogitScoresOneExactly) {
  // With every other logit -inf, s = 1 exactly: b = 1 + 0 ties b = 0 + 1.
  const RoutingConfig c = small_config(4, 1, 1, 1, Scoring::softmax, false, 1.0);
  const TokenRouting r = route_bits(c, {kMinusInf, f32(-7.0), kMinusInf, kMinusInf}, {f32(1.0), 0, 0, 0});
  EXPECT_EQ(r.ids, (Ids{0}));
  EXPECT_EQ(r.expert_margin, 0.0);
  EXPECT_EQ(r.weights[0].hi, 0.0);
}

TEST(RoutingOracle_softmax, ScoresThatSumToOneTieWithABias) {
  // Two finite logits, the rest -inf: s_0 + s_1 = 1, so group 0 scores 1 + 0 exactly like
  // group 1's biases 0.25 + 0.75.
  const RoutingConfig c = small_config(4, 2, 1, 1, Scoring::softmax);
  const TokenRouting r = route_bits(c, {f32(0.3), f32(-1.7), kMinusInf, kMinusInf}, {0, 0, f32(0.25), f32(0.75)});
  EXPECT_EQ(r.groups, (Ids{0}));
  EXPECT_EQ(r.group_margin, 0.0);
}

TEST(RoutingOracle_softmax, EveryTopkGroupAndTopkMatchesBruteForce) {
  int compared = 0, configs = 0;
  for (int n_group : {2, 4}) {
    const int per = 16 / n_group;
    for (int keep = 1; keep <= n_group; ++keep)
      for (int top = 1; top <= keep * per; ++top) {
        const RandomTokens tokens = random_tokens(16, 12, 5000 + configs, 2.0, 0.0);
        for (bool renormalize : {true, false})
          compared += expect_matches_brute_force(small_config(16, n_group, keep, top, Scoring::softmax, renormalize,
                                                              renormalize ? 2.5 : 1.0),
                                                 tokens);
        ++configs;
      }
  }
  EXPECT_GT(compared, configs * 24 * 9 / 10) << "too many near-ties skipped";
}

}  // namespace
}  // namespace ulpcheck
