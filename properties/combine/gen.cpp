#include "ulpcheck/properties/combine/gen.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numbers>
#include <ostream>
#include <random>
#include <stdexcept>
#include <tuple>

namespace ulpcheck {

namespace {

using namespace rc;

/// [min, max) at every size: gen::inRange narrows the range with RapidCheck's size, which
/// would hold the first cases of a run to the low end of every range.
/// Shrinks toward min all the same.
template <class T = int>
Gen<T> combine_in_range(T min, T max) {
  return gen::resize(kNominalSize, gen::inRange<T>(min, max));
}

std::uint32_t combine_bits(Format f, double v) { return encode(f, round_to(f, v)); }

/// An exponent in [-below, above], shrinking toward 0 (a value of magnitude 1 reads best in
/// a counterexample).
Gen<int> combine_exponent(int below, int above) {
  return gen::map(gen::tuple(gen::arbitrary<bool>(), combine_in_range(0, std::max(below, above) + 1)),
                  [below, above](const std::tuple<bool, int>& t) {
                    return std::get<0>(t) ? -std::min(std::get<1>(t), below) : std::min(std::get<1>(t), above);
                  });
}

/// +-(1 + m / 4096) * 2^e: 12 significant bits, more than bf16 holds, so rounding to the
/// format is part of the draw.
double combine_signed_value(bool negative, int exponent, int mantissa) {
  return (negative ? -1.0 : 1.0) * std::ldexp(1.0 + mantissa / 4096.0, exponent);
}

/// A routed or shared output: most over 2^-8 .. 2^8 (several binades, so that with mixed
/// signs the terms of an element cancel), some 0, a few at and below the format's smallest
/// normal, where a kernel's roundings are absolute and only the claim's `absolute` holds.
Gen<double> gen_combine_value(Format f) {
  const int emin = format_shape(f).emin;
  return gen::weightedOneOf<double>({
      {16, gen::map(gen::tuple(gen::arbitrary<bool>(), combine_exponent(8, 8), combine_in_range(0, 4096)),
                    [](const std::tuple<bool, int, int>& t) {
                      return combine_signed_value(std::get<0>(t), std::get<1>(t), std::get<2>(t));
                    })},
      {2, gen::just(0.0)},
      {1, gen::map(gen::tuple(gen::arbitrary<bool>(), combine_in_range(0, 4), combine_in_range(0, 4096)),
                   [emin](const std::tuple<bool, int, int>& t) {
                     return combine_signed_value(std::get<0>(t), emin - std::get<1>(t), std::get<2>(t));
                   })},
  });
}

/// The router's logit for one picked expert, in thousandths of [-4, 4], shrinking toward 0
/// (the weight 0.5); -inf gives the weight 0 (a padded slot).
Gen<double> gen_combine_logit() {
  return gen::weightedOneOf<double>({
      {12,
       gen::map(gen::tuple(gen::arbitrary<bool>(), combine_in_range(0, 4001)),
                [](const std::tuple<bool, int>& t) { return (std::get<0>(t) ? -1 : 1) * std::get<1>(t) / 1000.0; })},
      {1, gen::just(-HUGE_VAL)},
  });
}

float combine_sigmoid(double logit) { return static_cast<float>(1.0 / (1.0 + std::exp(-logit))); }

/// The weights of `tokens` tokens from their logits: sigmoid scores, divided by their fp32
/// sum per token when `renormalise` (as routers with renormalize=True give them; a token
/// whose scores are all 0 keeps them), raw otherwise (summing to anything in [0, topk]).
std::vector<float> combine_router_weights(const std::vector<double>& logits, int topk, bool renormalise) {
  std::vector<float> w(logits.size());
  std::transform(logits.begin(), logits.end(), w.begin(), combine_sigmoid);
  if (!renormalise) return w;
  for (std::size_t t = 0; t < w.size(); t += static_cast<std::size_t>(topk)) {
    float sum = 0.0f;
    for (int k = 0; k < topk; ++k) sum += w[t + k];
    if (sum > 0.0f)
      for (int k = 0; k < topk; ++k) w[t + k] /= sum;
  }
  return w;
}

/// A non-finite input put into a case: what and where (the position taken modulo the
/// tensor's size).
struct CombineSpecial {
  enum Kind : int {
    routed_nan,
    routed_inf,
    shared_nan,
    shared_inf,
    weight_nan,
    weight_inf,
    zero_weight_on_inf,  ///< 0 * inf: the exact element is NaN
    kinds
  };
  int kind;
  bool negative;
  std::uint32_t position;
};

Gen<CombineSpecial> gen_combine_special() {
  return gen::map(gen::tuple(combine_in_range(0, static_cast<int>(CombineSpecial::kinds)), gen::arbitrary<bool>(),
                             gen::arbitrary<std::uint32_t>()),
                  [](const std::tuple<int, bool, std::uint32_t>& t) {
                    return CombineSpecial{std::get<0>(t), std::get<1>(t), std::get<2>(t)};
                  });
}

void put_combine_special(CombineInputs& in, const CombineConfig& c, const CombineSpecial& s) {
  const Format f = in.format;
  const double inf = s.negative ? -HUGE_VAL : HUGE_VAL;
  const auto routed = s.position % in.routed.size(), shared = s.position % in.shared.size(),
             weight = s.position % in.weights.size();
  switch (s.kind) {
    case CombineSpecial::routed_nan: in.routed[routed] = encode(f, NAN); break;
    case CombineSpecial::routed_inf: in.routed[routed] = encode(f, inf); break;
    case CombineSpecial::shared_nan: in.shared[shared] = encode(f, NAN); break;
    case CombineSpecial::shared_inf: in.shared[shared] = encode(f, inf); break;
    case CombineSpecial::weight_nan: in.weights[weight] = NAN; break;
    case CombineSpecial::weight_inf: in.weights[weight] = static_cast<float>(inf); break;
    case CombineSpecial::zero_weight_on_inf: {
      // Weight (t, k) set to 0 and routed output (t, k, h) to inf, for some h.
      const std::size_t h = s.position % static_cast<std::uint32_t>(c.hidden);
      in.weights[weight] = 0.0f;
      in.routed[weight * static_cast<std::size_t>(c.hidden) + h] = encode(f, inf);
      break;
    }
    default: break;
  }
}

std::size_t combine_count(std::int64_t n) { return static_cast<std::size_t>(n); }

/// SplitMix64's finaliser: a bijection that spreads every input bit over the output.
std::uint64_t combine_mix(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  return z ^ (z >> 31);
}

/// The generator's seed for one batch: the caller's seed mixed with the config and format,
/// so that the batches of one report or golden file, seeded alike, are not the same draws.
std::uint64_t combine_seed(const CombineConfig& c, Format f, std::uint64_t seed) {
  const float rsf = static_cast<float>(c.routed_scaling_factor);
  std::uint32_t rsf_bits;
  std::memcpy(&rsf_bits, &rsf, 4);
  const std::uint64_t shape = static_cast<std::uint64_t>(c.topk) | static_cast<std::uint64_t>(c.hidden) << 8 |
                              static_cast<std::uint64_t>(f) << 28 | static_cast<std::uint64_t>(rsf_bits) << 32;
  return combine_mix(seed ^ combine_mix(shape));
}

/// topk in [1, 32], 1 to 8 half the time (DeepSeek-V3's 8 and 6 among them): 1 + u^2 / 32
/// for u uniform in [0, 32). One range, not a choice of ranges, so that it shrinks to 1.
Gen<int> gen_combine_topk() {
  return gen::map(combine_in_range(0, 32), [](int u) { return 1 + u * u / 32; });
}

constexpr int kMaxCombineHidden = 97;

/// One token of a generated case: its K logits, and per hidden element its K routed values
/// and its shared value.
using CombineToken = std::pair<std::vector<double>, std::vector<std::vector<double>>>;

/// hidden 1 to 17 as often as 1 to 97: odd sizes, sizes below and past a vector width.
Gen<int> gen_combine_hidden() {
  return gen::weightedOneOf<int>({{1, combine_in_range(1, 18)}, {1, combine_in_range(1, kMaxCombineHidden + 1)}});
}

/// 1, DeepSeek-V3's 2.5 and 0.1f, or any fp32 value in [2^-4, 2^4): an exponent and 23
/// bits of significand.
Gen<double> gen_combine_factor() {
  const Gen<double> any_factor = gen::map(
      gen::tuple(combine_exponent(4, 3), combine_in_range(0, 1 << 23)),
      [](const std::tuple<int, int>& t) { return std::ldexp(1.0 + std::get<1>(t) * 0x1p-23, std::get<0>(t)); });
  return gen::weightedOneOf<double>({
      {3, gen::elementOf(std::vector<double>{2.5, 1.0, static_cast<double>(0.1f)})},
      {2, any_factor},
  });
}

}  // namespace

Gen<CombineConfig> gen_combine_config() {
  return gen::map(gen::tuple(gen_combine_topk(), gen_combine_hidden(), gen_combine_factor()),
                  [](const std::tuple<int, int, double>& t) {
                    return CombineConfig{
                        .topk = std::get<0>(t), .hidden = std::get<1>(t), .routed_scaling_factor = std::get<2>(t)};
                  });
}

Gen<CombineCase> gen_combine_case(Format format) {
  const Gen<int> specials = gen::weightedOneOf<int>({{7, gen::just(0)}, {1, combine_in_range(1, 4)}});
  return gen::mapcat(gen::tuple(gen_combine_topk(), gen_combine_factor(), specials), [format](const auto& p) {
    const int K = std::get<0>(p);
    const double rsf = std::get<1>(p);
    // Tokens as a list, each its K logits and its hidden elements as a list of columns (the
    // K routed values and the shared value at that h); the case's hidden size is the
    // shortest token's. Shrinking drops whole tokens and columns that do not matter to a
    // failure and keeps the others as they were, so a failure ends as one element.
    const auto tokens = gen::withSize([K, format](int size) {
      const auto column = gen::container<std::vector<double>>(combine_count(K + 1), gen_combine_value(format));
      const auto token =
          gen::pair(gen::container<std::vector<double>>(combine_count(K), gen_combine_logit()),
                    gen::resize(std::clamp(size, 1, kMaxCombineHidden),
                                gen::nonEmpty(gen::container<std::vector<std::vector<double>>>(column))));
      return gen::resize(std::clamp(1 + size / 25, 1, 4),
                         gen::nonEmpty(gen::container<std::vector<CombineToken>>(token)));
    });
    return gen::map(
        gen::tuple(tokens, gen::arbitrary<bool>(),
                   gen::container<std::vector<CombineSpecial>>(static_cast<std::size_t>(std::get<2>(p)),
                                                               gen_combine_special())),
        [K, rsf, format](const std::tuple<std::vector<CombineToken>, bool, std::vector<CombineSpecial>>& t) {
          const std::vector<CombineToken>& rows = std::get<0>(t);
          const auto T = static_cast<std::int64_t>(rows.size());
          std::size_t hidden = rows.front().second.size();
          for (const CombineToken& row : rows) hidden = std::min(hidden, row.second.size());
          const CombineConfig c{.topk = K, .hidden = static_cast<int>(hidden), .routed_scaling_factor = rsf};
          std::vector<double> logits;
          for (const CombineToken& row : rows) logits.insert(logits.end(), row.first.begin(), row.first.end());
          CombineInputs in{format, T, std::vector<std::uint32_t>(combine_count(T * K * c.hidden)),
                           combine_router_weights(logits, K, std::get<1>(t)),
                           std::vector<std::uint32_t>(combine_count(T * c.hidden))};
          for (std::int64_t tok = 0; tok < T; ++tok)
            for (std::int64_t h = 0; h < c.hidden; ++h) {
              const std::vector<double>& v = rows[combine_count(tok)].second[combine_count(h)];
              for (std::int64_t k = 0; k < K; ++k)
                in.routed[combine_count((tok * K + k) * c.hidden + h)] = combine_bits(format, v[combine_count(k)]);
              in.shared[combine_count(tok * c.hidden + h)] = combine_bits(format, v[combine_count(K)]);
            }
          for (const CombineSpecial& s : std::get<2>(t)) put_combine_special(in, c, s);
          return CombineCase{c, std::move(in)};
        });
  });
}

Gen<CombineCase> gen_fp16_near_overflow_case() {
  const Gen<double> factor = gen::weightedOneOf<double>({
      {2, gen::just(2.5)},
      {1, gen::map(combine_in_range(0, 1 << 20),
                   [](int m) { return static_cast<double>(static_cast<float>(1.5 + 1.5 * m * 0x1p-20)); })},
  });
  const auto shape =
      gen::tuple(combine_in_range<std::int64_t>(1, 4), combine_in_range(1, 9), combine_in_range(1, 17), factor);
  return gen::mapcat(shape, [](const std::tuple<std::int64_t, int, int, double>& s) {
    const std::int64_t T = std::get<0>(s);
    const int K = std::get<1>(s), H = std::get<2>(s);
    const CombineConfig c{.topk = K, .hidden = H, .routed_scaling_factor = std::get<3>(s)};
    const std::size_t elements = combine_count(T * H);
    // Per element: where rsf * sum lies in [67000, top] and where the exact result lies in
    // what the shared output can reach; per routed output a jitter of +-2%; the sign.
    return gen::map(gen::tuple(gen::container<std::vector<int>>(combine_count(T * K), combine_in_range(-2000, 2001)),
                               gen::container<std::vector<int>>(elements, combine_in_range(0, 1001)),
                               gen::container<std::vector<int>>(elements, combine_in_range(0, 1001)),
                               gen::container<std::vector<int>>(combine_count(T * K * H), combine_in_range(-20, 21)),
                               gen::container<std::vector<bool>>(elements, gen::arbitrary<bool>())),
                    [c, T](const std::tuple<std::vector<int>, std::vector<int>, std::vector<int>, std::vector<int>,
                                            std::vector<bool>>& d) {
                      const Format f = Format::fp16;
                      const auto& [logits, scaled_at, exact_at, jitter, negative] = d;
                      const int K = c.topk, H = c.hidden;
                      const double rsf = c.routed_scaling_factor;
                      std::vector<double> logit_values(logits.begin(), logits.end());
                      for (double& v : logit_values) v /= 1000.0;
                      CombineInputs in{f, T, std::vector<std::uint32_t>(combine_count(T * K * H)),
                                       combine_router_weights(logit_values, K, true),
                                       std::vector<std::uint32_t>(combine_count(T * H))};
                      // The unscaled weighted sum stays below 63000 * 1.02 < 65504 (the guard's
                      // routed sum fits fp16); the scaled one above 67000 * 0.98 > 65520, where fp16
                      // rounds to inf.
                      const double top = std::min(95000.0, 63000.0 * rsf);
                      for (std::int64_t t = 0; t < T; ++t)
                        for (int h = 0; h < H; ++h) {
                          const auto e = static_cast<std::size_t>(t * H + h);
                          const double sign = negative[e] ? -1.0 : 1.0;
                          const double unscaled = (67000.0 + (top - 67000.0) * scaled_at[e] / 1000.0) / rsf;
                          double routed_sum = 0.0;
                          for (int k = 0; k < K; ++k) {
                            const auto i = static_cast<std::size_t>((t * K + k) * H + h);
                            const double y =
                                round_to(f, sign * std::min(65504.0, unscaled * (1.0 + jitter[i] / 1000.0)));
                            in.routed[i] = encode(f, y);
                            routed_sum += in.weights[static_cast<std::size_t>(t * K + k)] * y;
                          }
                          // The exact result: of the routed sum's sign, at least what the shared output
                          // (at most 65504 in magnitude, opposite sign) leaves, at most 32000 < 2^15.
                          const double scaled = std::fabs(rsf * routed_sum);
                          const double least = std::clamp(scaled - 65504.0 + 64.0, 0.0, 32000.0);
                          const double exact = least + (32000.0 - least) * exact_at[e] / 1000.0;
                          in.shared[e] = encode(f, round_to(f, sign * (exact - scaled)));
                        }
                      return CombineCase{c, std::move(in)};
                    });
  });
}

CombineInputs combine_inputs(const CombineConfig& c, Format f, std::int64_t tokens, std::uint64_t seed) {
  if (const std::string e = c.validate(); !e.empty()) throw std::invalid_argument("combine_inputs: " + e);
  if (tokens < 0) throw std::invalid_argument(fmt::format("combine_inputs: tokens is {}; it must be >= 0", tokens));
  std::mt19937_64 rng(combine_seed(c, f, seed));
  const auto value = [&] {
    const std::uint64_t u = rng();
    if ((u & 15) == 0) return encode(f, 0.0);
    const int exponent = static_cast<int>((u >> 5) % 17) - 8;
    return combine_bits(f, combine_signed_value(((u >> 4) & 1) != 0, exponent, static_cast<int>((u >> 16) & 4095)));
  };
  // A standard normal logit from two 53-bit uniforms (Box-Muller).
  const auto logit = [&] {
    const auto uniform = [&] { return (static_cast<double>(rng() >> 11) + 0.5) * 0x1p-53; };
    const double u1 = uniform(), u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
  };
  CombineInputs in{f, tokens, {}, {}, {}};
  in.routed.resize(combine_count(tokens * c.topk * c.hidden));
  for (auto& v : in.routed) v = value();
  in.shared.resize(combine_count(tokens * c.hidden));
  for (auto& v : in.shared) v = value();
  for (std::int64_t t = 0; t < tokens; ++t) {
    std::vector<double> logits(static_cast<std::size_t>(c.topk));
    for (double& x : logits) x = logit();
    const std::vector<float> w = combine_router_weights(logits, c.topk, t % 2 == 0);
    in.weights.insert(in.weights.end(), w.begin(), w.end());
  }
  return in;
}

void showValue(const CombineCase& c, std::ostream& os) {
  const CombineInputs& in = c.inputs;
  const Format f = in.format;
  const std::int64_t K = c.config.topk, H = c.config.hidden;
  os << fmt::format("{}; {} [{} tokens]", c.config.label(), name(f), in.tokens);
  for (std::int64_t t = 0; t < in.tokens; ++t) {
    std::string weights, routed, shared;
    for (std::int64_t k = 0; k < K; ++k) weights += fmt::format(" {:.9g}", in.weights[combine_count(t * K + k)]);
    int shown = 0;
    for (std::int64_t k = 0; k < K; ++k)
      for (std::int64_t h = 0; h < H; ++h) {
        const std::uint32_t b = in.routed[combine_count((t * K + k) * H + h)];
        if (b != 0 && shown++ < 24) routed += fmt::format(" [{},{}]={:g}", k, h, decode(f, b));
      }
    int shown_shared = 0;
    for (std::int64_t h = 0; h < H; ++h) {
      const std::uint32_t b = in.shared[combine_count(t * H + h)];
      if (b != 0 && shown_shared++ < 24) shared += fmt::format(" [{}]={:g}", h, decode(f, b));
    }
    os << fmt::format("\n  token {} weights:{}\n    routed (non-zero, [k,h]):{}{}\n    shared (non-zero):{}{}", t,
                      weights, routed, shown > 24 ? " ..." : "", shared, shown_shared > 24 ? " ..." : "");
  }
}

}  // namespace ulpcheck
