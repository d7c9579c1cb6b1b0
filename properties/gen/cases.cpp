#include "ulpcheck/properties/gen/cases.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <ostream>

#include "ulpcheck/properties/gen/values.hpp"

namespace ulpcheck {

namespace {

/// Output elements per case: the oracle's cost, so it caps d where a batch is large, never
/// the token count (kernels change code path with the batch, not with its byte size). A
/// row keeps at least one 8-wide vector: 4096 tokens of d = 8 are 2^15 elements.
constexpr std::int64_t kMaxElements = 1 << 14;

/// Rows of a case drawn one by one; a larger batch repeats them.
constexpr std::int64_t kDistinctRows = 64;

/// d cut to fit `most` elements a row, keeping its residue mod 8, so a scalar-tail case
/// stays one (a multiple of 8 stays on the vector path).
std::int64_t fit_d(std::int64_t d, std::int64_t most) {
  if (d <= most) return d;
  const std::int64_t tail = d % 8, fitted = (most - tail) / 8 * 8 + tail;
  return fitted >= 1 ? fitted : std::max<std::int64_t>(1, most);
}

}  // namespace

rc::Gen<Shape> gen_shape() {
  using namespace rc;
  const auto thresholds = dispatch_batch_sizes();
  const Gen<std::int64_t> tokens = gen::weightedOneOf<std::int64_t>({
      {2, gen::just<std::int64_t>(0)},
      {6, gen::just<std::int64_t>(1)},
      {8, gen::inRange<std::int64_t>(2, 9)},
      {2, gen::inRange<std::int64_t>(9, 65)},
      {3, gen::elementOf(std::vector<std::int64_t>(thresholds.begin(), thresholds.end()))},
      {1, gen::inRange<std::int64_t>(65, kMaxTokens + 1)},
  });
  const Gen<std::int64_t> d = gen::weightedOneOf<std::int64_t>({
      {2, gen::just<std::int64_t>(1)},
      {3, gen::inRange<std::int64_t>(2, 17)},                                                   // odd and tiny
      {3, gen::map(gen::inRange<std::int64_t>(1, 65), [](std::int64_t k) { return 8 * k; })},  // vector path
      {3, gen::map(gen::pair(gen::inRange<std::int64_t>(1, 65), gen::inRange<std::int64_t>(1, 8)),
                   [](std::pair<std::int64_t, std::int64_t> p) { return 8 * p.first + p.second; })},  // scalar tail
      {1, gen::elementOf(std::vector<std::int64_t>{4096, 4099, 13824 + 3})},                   // large d
  });
  return gen::map(gen::pair(tokens, d), [](std::pair<std::int64_t, std::int64_t> p) {
    const std::int64_t t = p.first;
    return Shape{t, t == 0 ? p.second : fit_d(p.second, std::max<std::int64_t>(kMaxElements / t, 8))};
  });
}

namespace {

/// fp32 values as unsigned integers in the order of the values: -inf ... -0, +0 ... +inf
/// (NaNs beyond either end), so that a range of values is a range of keys.
std::uint32_t order_key(float x) {
  std::uint32_t b;
  std::memcpy(&b, &x, sizeof b);
  return b & 0x80000000u ? ~b : b | 0x80000000u;
}

float from_order_key(std::uint32_t k) {
  const std::uint32_t b = k & 0x80000000u ? k & 0x7fffffffu : ~k;
  float x;
  std::memcpy(&x, &b, sizeof x);
  return x;
}

}  // namespace

rc::Gen<float> gen_param(const ParamSpec& spec) {
  using namespace rc;
  // Uniform over the bit patterns from lowest to highest, both included.
  const Gen<float> in_range =
      gen::map(gen::inRange<std::uint32_t>(order_key(static_cast<float>(spec.lowest)),
                                           order_key(static_cast<float>(spec.highest)) + 1),
               &from_order_key);
  if (spec.fuzzed_values.empty()) return in_range;
  std::vector<float> named;
  for (double v : spec.fuzzed_values) named.push_back(static_cast<float>(v));
  return gen::weightedOneOf<float>({{4, gen::elementOf(named)}, {1, in_range}});
}

BitTensor FuzzCase::tensor() const { return BitTensor{format, shape.tokens, arity * shape.d, bits}; }

Params FuzzCase::params(const ElementwiseOp& op) const {
  Params p = op.default_params();
  for (std::size_t i = 0; i < param_specs.size(); ++i) p.set(param_specs[i].name, param_values[i]);
  return p;
}

std::string params_text(const FuzzCase& c) {
  std::string out;
  for (std::size_t i = 0; i < c.param_specs.size(); ++i)
    out += fmt::format("{}{} {:a}", i ? ", " : "", c.param_specs[i].name, c.param_values[i]);
  return out;
}

namespace {

/// The case restricted to rows [r0, r1) and columns [c0, c1) of each of its arity parts.
FuzzCase sub_case(const FuzzCase& c, std::int64_t r0, std::int64_t r1, std::int64_t c0, std::int64_t c1) {
  FuzzCase s{c.format, c.arity, {r1 - r0, c1 - c0}, c.param_specs, c.param_values, {}};
  const std::int64_t d = c.shape.d;
  for (std::int64_t r = r0; r < r1; ++r)
    for (int part = 0; part < c.arity; ++part)
      for (std::int64_t col = c0; col < c1; ++col)
        s.bits.push_back(c.bits[static_cast<std::size_t>(r * c.arity * d + part * d + col)]);
  return s;
}

/// Smaller cases to try, boldest first: one row, half the columns, a share of the nonzero
/// inputs set to +0, then single inputs moved toward +0. Each accepted step shrinks the
/// case by a fraction, so a 32768-element case shrinks in a few hundred property runs
/// instead of the millions that element-by-element shrinking would take.
rc::Seq<FuzzCase> shrink_case(const FuzzCase& c) {
  std::vector<FuzzCase> out;
  const std::int64_t rows = c.shape.tokens, d = c.shape.d;
  if (rows > 1) {
    for (std::int64_t r = 0; r < std::min<std::int64_t>(rows, 16); ++r) out.push_back(sub_case(c, r, r + 1, 0, d));
    out.push_back(sub_case(c, 0, rows / 2, 0, d));
    out.push_back(sub_case(c, rows / 2, rows, 0, d));
    // A failure that needs a large batch (a kernel that switches path above 128 tokens)
    // fails on no half: fewer rows from the end, by a quarter, a sixteenth, then one.
    std::int64_t last_drop = 0;
    for (std::int64_t drop : {rows / 4, rows / 16, std::int64_t{1}}) {
      if (drop < 1 || drop == last_drop) continue;
      out.push_back(sub_case(c, 0, rows - drop, 0, d));
      last_drop = drop;
    }
  }
  if (d > 1) {
    out.push_back(sub_case(c, 0, rows, 0, d / 2));
    out.push_back(sub_case(c, 0, rows, d / 2, d));
    out.push_back(sub_case(c, 0, rows, 0, d - 1));
    out.push_back(sub_case(c, 0, rows, 1, d));
  }
  std::vector<std::size_t> nonzero;
  for (std::size_t i = 0; i < c.bits.size(); ++i)
    if (c.bits[i] != 0) nonzero.push_back(i);
  for (std::size_t parts = 2; parts <= std::min<std::size_t>(nonzero.size(), 64); parts *= 2)
    for (std::size_t k = 0; k < parts; ++k) {
      FuzzCase z = c;
      for (std::size_t j = k * nonzero.size() / parts; j < (k + 1) * nonzero.size() / parts; ++j) z.bits[nonzero[j]] = 0;
      out.push_back(std::move(z));
    }
  if (nonzero.size() <= 8)
    for (std::size_t i : nonzero) {
      // Toward +0 by halving the pattern, and the sign dropped.
      for (std::uint32_t b : {c.bits[i] / 2, c.bits[i] & ~(1u << (info(c.format).storage_bits - 1))}) {
        if (b == c.bits[i]) continue;
        FuzzCase z = c;
        z.bits[i] = b;
        out.push_back(std::move(z));
      }
    }
  return rc::seq::fromContainer(std::move(out));
}

/// The op's parameter values, one per ParamSpec in its order. One parameter is drawn by its
/// generator alone (a gen::pair would split the random differently) and none by no
/// generator, so cases are drawn as they were before parameters were generic, and the
/// replay tokens of that time still name them.
rc::Gen<std::vector<float>> gen_param_values(std::span<const ParamSpec> specs) {
  using namespace rc;
  if (specs.empty()) return gen::just(std::vector<float>{});
  Gen<std::vector<float>> values = gen::map(gen_param(specs[0]), [](float x) { return std::vector<float>{x}; });
  for (const ParamSpec& spec : specs.subspan(1))
    values = gen::map(gen::pair(values, gen_param(spec)), [](std::pair<std::vector<float>, float> p) {
      p.first.push_back(p.second);
      return std::move(p.first);
    });
  return values;
}

}  // namespace

rc::Gen<FuzzCase> gen_case(const ElementwiseOp& op, Format f) {
  using namespace rc;
  const int arity = op.arity;
  const ElementwiseOp* o = &op;
  using Drawn = std::pair<Shape, std::vector<float>>;
  const Gen<Drawn> drawn = gen::pair(gen_shape(), gen_param_values(op.params));
  const Gen<FuzzCase> raw = gen::noShrink(gen::mapcat(drawn, [f, arity, o](Drawn p) {
    // A large batch repeats its first kDistinctRows rows: drawing every input costs more
    // than the kernel and the oracle together, and the batch size is what it is there for.
    const std::int64_t row = arity * p.first.d, distinct = std::min(p.first.tokens, kDistinctRows);
    FuzzCase shape_only{f, arity, p.first, o->params, p.second, {}};
    return gen::map(gen::container<std::vector<std::uint32_t>>(static_cast<std::size_t>(distinct * row),
                                                               gen_input_value(f, *o, shape_only.params(*o))),
                    [shape_only, row, distinct](std::vector<std::uint32_t> bits) {
                      const std::int64_t tokens = shape_only.shape.tokens;
                      bits.resize(static_cast<std::size_t>(tokens * row));
                      for (std::int64_t i = distinct * row; i < tokens * row; ++i) bits[i] = bits[i % (distinct * row)];
                      FuzzCase c = shape_only;
                      c.bits = std::move(bits);
                      return c;
                    });
  }));
  return [raw](const Random& random, int size) {
    return shrinkable::shrinkRecur(raw(random, size).value(), &shrink_case);
  };
}

void showValue(const FuzzCase& c, std::ostream& os) {
  const int width = info(c.format).storage_bits / 4;
  os << fmt::format("{} input [{}, {}] (tokens {}, d {})", name(c.format), c.shape.tokens, c.arity * c.shape.d,
                    c.shape.tokens, c.shape.d);
  if (!c.param_specs.empty()) os << ", " << params_text(c);
  std::size_t shown = 0, nonzero = 0;
  const std::int64_t cols = c.arity * c.shape.d;
  for (std::size_t i = 0; i < c.bits.size(); ++i) {
    if (c.bits[i] == 0) continue;
    ++nonzero;
    if (shown++ < 16)
      os << fmt::format("\n  [{}, {}] = 0x{:0{}x} ({})", static_cast<std::int64_t>(i) / cols,
                        static_cast<std::int64_t>(i) % cols, c.bits[i], width, decode(c.format, c.bits[i]));
  }
  if (nonzero > shown) os << fmt::format("\n  ... {} more nonzero inputs", nonzero - shown);
  if (nonzero == 0) os << "\n  all inputs +0";
  else os << "\n  every other input +0";
}

}  // namespace ulpcheck
