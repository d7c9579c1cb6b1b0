// The case generator reads an op's parameters from its ParamSpecs: the values it favours,
// its range, and whether the inputs cross it; the clamp op's draws stay what they were, so
// replay tokens reproduce.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <set>
#include <sstream>
#include <string>

#include "ulpcheck/properties/gen/cases.hpp"
#include "ulpcheck/properties/gen/values.hpp"
#include "ulpcheck/reference/registry.hpp"

namespace ulpcheck {
namespace {

std::string accept_all(double) { return {}; }

const double kFavoured[] = {3.0, 5.0};
const ParamSpec kScaleSpec[] = {{
    .name = "scale",
    .doc = "a made-up parameter",
    .default_value = 1.0,
    .validate = &accept_all,
    .lowest = -2.0,
    .highest = 2.0,
    .fuzzed_values = kFavoured,
    .inputs_cross = true,
}};

/// A gated op with one parameter of its own, computed as silu_and_mul (the generator never
/// evaluates it).
ElementwiseOp scaled_op(std::span<const ParamSpec> specs) {
  const ElementwiseOp& base = *find_op("silu_and_mul");
  return ElementwiseOp{.name = "scaled",
                       .formula = "",
                       .arity = 2,
                       .params = specs,
                       .activation = base.activation,
                       .prepare = base.prepare,
                       .default_budget = base.default_budget};
}

/// A value of `gen` for one seed, at RapidCheck's largest size by default (the ranges of
/// inRange grow with the size).
template <class T>
T draw(const rc::Gen<T>& gen, std::uint64_t seed, int size = 100) {
  return gen(rc::Random(seed), size).value();
}

TEST(GenCase, DrawsEachParameterFromItsSpec) {
  const ElementwiseOp op = scaled_op(kScaleSpec);
  const rc::Gen<FuzzCase> gen = gen_case(op, Format::fp32);
  int favoured = 0, in_range = 0;
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    const FuzzCase c = draw(gen, seed);
    ASSERT_EQ(c.param_values.size(), 1u);
    ASSERT_EQ(c.param_specs.data(), op.params.data());
    const float v = c.param_values[0];
    if (v == 3.0f || v == 5.0f) ++favoured;
    else {
      EXPECT_TRUE(v >= -2.0f && v <= 2.0f) << v;
      ++in_range;
    }
    EXPECT_EQ(c.params(op).get("scale"), static_cast<double>(v));
  }
  // 4 in 5 draws pick a favoured value.
  EXPECT_GT(favoured, 120);
  EXPECT_GT(in_range, 15);
}

TEST(GenCase, ShowsEachParameterByItsName) {
  const ElementwiseOp op = scaled_op(kScaleSpec);
  FuzzCase c = draw(gen_case(op, Format::bf16), 7);
  c.param_values = {7.0f};
  std::ostringstream shown;
  showValue(c, shown);
  EXPECT_NE(shown.str().find("), scale 0x1.cp+2\n"), std::string::npos) << shown.str();
  EXPECT_EQ(params_text(c), "scale 0x1.cp+2");
}

TEST(GenCase, AnOpWithoutParametersGetsNoneAndShowsNone) {
  const ElementwiseOp& op = *find_op("silu_and_mul");
  const FuzzCase c = draw(gen_case(op, Format::bf16), 3);
  EXPECT_TRUE(c.param_values.empty());
  EXPECT_EQ(params_text(c), "");
  std::ostringstream shown;
  showValue(c, shown);
  const std::string first_line = shown.str().substr(0, shown.str().find('\n'));
  EXPECT_EQ(first_line.back(), ')') << shown.str();
}

/// The clamp limits fuzzing drew before the generator read them from the spec: any
/// replay token depends on this stream.
rc::Gen<float> limits_as_drawn_before() {
  using namespace rc;
  const std::vector<float> named{0.0f, 0x1p-149f, 1.0f, 7.0f, 10.0f, 1e30f, HUGE_VALF, static_cast<float>(7.3)};
  const Gen<float> any_nonnegative = gen::map(gen::inRange<std::uint32_t>(0, 0x7f800001u), [](std::uint32_t b) {
    float x;
    std::memcpy(&x, &b, sizeof x);
    return x;
  });
  return gen::weightedOneOf<float>({{4, gen::elementOf(named)}, {1, any_nonnegative}});
}

TEST(GenParam, TheClampLimitIsDrawnAsBefore) {
  const ParamSpec& limit = find_op("silu_and_mul_clamp")->params[0];
  const rc::Gen<float> now = gen_param(limit), before = limits_as_drawn_before();
  for (std::uint64_t seed = 1; seed <= 2000; ++seed)
    for (int size : {0, 1, 50, 100}) {
      const float a = now(rc::Random(seed), size).value(), b = before(rc::Random(seed), size).value();
      ASSERT_EQ(std::memcmp(&a, &b, sizeof a), 0) << "seed " << seed << " size " << size << ": " << a << " vs " << b;
    }
}

TEST(GenParam, ARangeAcrossZeroKeepsItsEnds) {
  const ParamSpec spec{.name = "x", .doc = "", .default_value = 0.0, .validate = &accept_all, .lowest = -1.5,
                       .highest = 0.25};
  std::set<bool> signs;
  for (std::uint64_t seed = 1; seed <= 500; ++seed) {
    const float v = draw(gen_param(spec), seed);
    ASSERT_TRUE(v >= -1.5f && v <= 0.25f) << v;
    signs.insert(std::signbit(v));
  }
  EXPECT_EQ(signs.size(), 2u);
}

TEST(SpecialValues, AParameterTheInputsCrossIsAHardInputWithItsNeighbours) {
  const ElementwiseOp crossed = scaled_op(kScaleSpec);
  ParamSpec not_crossed_spec = kScaleSpec[0];
  not_crossed_spec.inputs_cross = false;
  const ElementwiseOp not_crossed = scaled_op(std::span(&not_crossed_spec, 1));
  Params p;
  p.set("scale", 3.25);
  const std::uint32_t at = encode(Format::bf16, 3.25);
  const auto with = special_values(Format::bf16, crossed, p), without = special_values(Format::bf16, not_crossed, p);
  for (std::uint32_t b : {at - 1, at, at + 1, at ^ 0x8000u}) {
    EXPECT_TRUE(std::ranges::binary_search(with, b)) << std::hex << b;
    EXPECT_FALSE(std::ranges::binary_search(without, b)) << std::hex << b;
  }
  EXPECT_EQ(with.size(), without.size() + 6);
}

}  // namespace
}  // namespace ulpcheck
