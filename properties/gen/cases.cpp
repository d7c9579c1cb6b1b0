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

rc::Gen<float> gen_limit() {
  using namespace rc;
  const std::vector<float> named{0.0f, 0x1p-149f, 1.0f, 7.0f, 10.0f, 1e30f, HUGE_VALF, static_cast<float>(7.3)};
  const Gen<float> any_nonnegative = gen::map(gen::inRange<std::uint32_t>(0, 0x7f800001u), [](std::uint32_t b) {
    float x;
    std::memcpy(&x, &b, sizeof x);
    return x;
  });
  return gen::weightedOneOf<float>({{4, gen::elementOf(named)}, {1, any_nonnegative}});
}

BitTensor FuzzCase::tensor() const { return BitTensor{format, shape.tokens, arity * shape.d, bits}; }

Params FuzzCase::params(const ElementwiseOp& op) const {
  Params p = op.default_params();
  if (p.has("limit")) p.set("limit", limit);
  return p;
}

namespace {

/// The case restricted to rows [r0, r1) and columns [c0, c1) of each of its arity parts.
FuzzCase sub_case(const FuzzCase& c, std::int64_t r0, std::int64_t r1, std::int64_t c0, std::int64_t c1) {
  FuzzCase s{c.format, c.arity, {r1 - r0, c1 - c0}, c.limit, {}};
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

}  // namespace

rc::Gen<FuzzCase> gen_case(const ElementwiseOp& op, Format f) {
  using namespace rc;
  const bool has_limit = op.default_params().has("limit");
  const Gen<float> limit = has_limit ? gen_limit() : gen::just(HUGE_VALF);
  const int arity = op.arity;
  const ElementwiseOp* o = &op;
  const Gen<FuzzCase> raw = gen::noShrink(gen::mapcat(gen::pair(gen_shape(), limit), [f, arity, o](std::pair<Shape, float> p) {
    // A large batch repeats its first kDistinctRows rows: drawing every input costs more
    // than the kernel and the oracle together, and the batch size is what it is there for.
    const std::int64_t row = arity * p.first.d, distinct = std::min(p.first.tokens, kDistinctRows);
    FuzzCase shape_only;
    shape_only.limit = p.second;
    return gen::map(gen::container<std::vector<std::uint32_t>>(static_cast<std::size_t>(distinct * row),
                                                               gen_input_value(f, *o, shape_only.params(*o))),
                    [f, arity, p, row, distinct](std::vector<std::uint32_t> bits) {
                      bits.resize(static_cast<std::size_t>(p.first.tokens * row));
                      for (std::int64_t i = distinct * row; i < p.first.tokens * row; ++i) bits[i] = bits[i % (distinct * row)];
                      return FuzzCase{f, arity, p.first, p.second, std::move(bits)};
                    });
  }));
  return [raw](const Random& random, int size) {
    return shrinkable::shrinkRecur(raw(random, size).value(), &shrink_case);
  };
}

void showValue(const FuzzCase& c, std::ostream& os) {
  const int width = info(c.format).storage_bits / 4;
  os << fmt::format("{} input [{}, {}] (tokens {}, d {}), limit {:a}", name(c.format), c.shape.tokens,
                    c.arity * c.shape.d, c.shape.tokens, c.shape.d, c.limit);
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
