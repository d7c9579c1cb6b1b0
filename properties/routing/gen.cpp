#include "ulpcheck/properties/routing/gen.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <ostream>

namespace ulpcheck {

namespace {

using namespace rc;

/// Values that break routing kernels: 0, +-1, +-inf, NaN, logits whose fp32 sigmoid is
/// subnormal (-88) or 0 (-120), huge ones, and ties with a neighbour's value.
std::vector<double> special_logits() {
  return {0.0, 1.0, -1.0, 2.5, -2.5, 20.0, -20.0, -88.0, -120.0, -1e30, 1e30, HUGE_VAL, -HUGE_VAL, NAN};
}

Gen<double> gen_logit_value() {
  return gen::weightedOneOf<double>({
      {6, gen::map(gen::inRange(-4000, 4001), [](int v) { return v / 1000.0; })},  // a Gaussian-like gate
      {2, gen::elementOf(special_logits())},
      {1, gen::map(gen::arbitrary<std::uint32_t>(),
                   [](std::uint32_t b) {
                     float f;
                     std::memcpy(&f, &b, 4);
                     return static_cast<double>(f);
                   })},
  });
}

Gen<double> gen_bias_value() {
  return gen::weightedOneOf<double>({
      {3, gen::map(gen::inRange(2000, 3001), [](int v) { return v / 1000.0; })},     // DeepSeek-V3-like
      {2, gen::map(gen::inRange(-2000, 2001), [](int v) { return v / 1000.0; })},    // around 0
      {1, gen::map(gen::inRange(0, 64), [](int v) { return v / 8.0 - 4.0; })},       // a coarse grid: ties
      {1, gen::elementOf(std::vector<double>{7.0, -7.0, 100.0, -100.0, 0.0})},
  });
}

std::uint32_t bits_of(Format f, double v) { return encode(f, round_to(f, v)); }

/// Near-ties on purpose: copy some logits onto others (same group and other groups), or
/// make one group a copy of another. Or a token whose every sigmoid vanishes in fp32 (all
/// logits below -104, or -inf), where renormalising divides 0 by 0.
RoutingInputs with_ties(RoutingInputs in, const RoutingConfig& c, int kind, std::uint64_t salt) {
  const int E = c.experts, per = c.experts_per_group();
  if (kind == 3) {
    const double vanishing[] = {-120.0, -200.0, -1e30, -HUGE_VAL};
    for (int e = 0; e < E; ++e) in.logits[e] = bits_of(in.logits_format, vanishing[(salt + e) % 4]);
  }
  if (kind == 1) {
    for (std::int64_t t = 0; t < in.tokens; ++t)
      for (int e = 0; e < E; e += 3) in.logits[t * E + e] = in.logits[t * E + (e + 1 + salt % 7) % E];
  } else if (kind == 2 && c.n_group > 1) {
    const int g = static_cast<int>(salt % (c.n_group - 1)) + 1;
    for (std::int64_t t = 0; t < in.tokens; ++t)
      for (int i = 0; i < per; ++i) in.logits[t * E + g * per + i] = in.logits[t * E + i];
    for (int i = 0; i < per; ++i) in.bias[g * per + i] = in.bias[i];
  }
  return in;
}

}  // namespace

RoutingInputs repeated_tokens(const RoutingInputs& in, int experts, std::int64_t tokens) {
  RoutingInputs out = in;
  out.tokens = tokens;
  out.logits.resize(static_cast<std::size_t>(tokens * experts));
  for (std::int64_t t = 0; t < tokens; ++t)
    std::copy_n(in.logits.begin() + t % in.tokens * experts, experts, out.logits.begin() + t * experts);
  return out;
}

Gen<RoutingConfig> gen_routing_config() {
  const Gen<RoutingConfig> any = gen::mapcat(
      gen::pair(gen::inRange(1, 33), gen::inRange(2, 33)), [](std::pair<int, int> shape) {
        int groups = shape.first, per = shape.second;
        while (groups * per > 512) per = std::max(2, per / 2), groups = std::min(groups, 512 / per);
        return gen::mapcat(gen::inRange(1, groups + 1), [groups, per](int keep) {
          const int most = std::min(32, keep * per);
          return gen::map(gen::tuple(gen::inRange(1, most + 1), gen::arbitrary<bool>(), gen::arbitrary<bool>(),
                                     gen::elementOf(std::vector<double>{1.0, 2.5, 0.5, 16.0, 1.3})),
                          [groups, per, keep](std::tuple<int, bool, bool, double> t) {
                            RoutingConfig c;
                            c.experts = groups * per;
                            c.n_group = groups;
                            c.topk_group = keep;
                            c.topk = std::get<0>(t);
                            c.scoring = std::get<1>(t) ? Scoring::softmax : Scoring::sigmoid;
                            c.renormalize = std::get<2>(t);
                            c.routed_scaling_factor = static_cast<float>(std::get<3>(t));
                            return c;
                          });
        });
      });
  return gen::weightedOneOf<RoutingConfig>({{1, gen::just(RoutingConfig::deepseek_v3())}, {2, any}});
}

Gen<RoutingCase> gen_routing_case(Format logits, Format bias) {
  const auto sizes = dispatch_batch_sizes();
  const Gen<std::int64_t> batch = gen::weightedOneOf<std::int64_t>({
      {8, gen::just<std::int64_t>(0)},  // the distinct tokens alone
      {1, gen::elementOf(std::vector<std::int64_t>(sizes.begin(), sizes.end()))},
      {1, gen::inRange<std::int64_t>(7, kMaxTokens + 1)},
  });
  return gen::mapcat(gen::tuple(gen_routing_config(), gen::inRange<std::int64_t>(1, 7), batch), [logits, bias](auto p) {
    const RoutingConfig c = std::get<0>(p);
    const std::int64_t distinct = std::get<1>(p);
    const std::int64_t tokens = std::min(std::get<2>(p) ? std::get<2>(p) : distinct, kMaxRoutingLogits / c.experts);
    const auto n = static_cast<std::size_t>(distinct * c.experts);
    return gen::map(gen::tuple(gen::container<std::vector<double>>(n, gen_logit_value()),
                               gen::container<std::vector<double>>(static_cast<std::size_t>(c.experts), gen_bias_value()),
                               gen::elementOf(std::vector<int>{0, 0, 1, 2, 3, 3}), gen::arbitrary<std::uint64_t>()),
                    [c, distinct, tokens, logits, bias](
                        const std::tuple<std::vector<double>, std::vector<double>, int, std::uint64_t>& t) {
                      RoutingInputs in{logits, bias, distinct, {}, {}};
                      for (double v : std::get<0>(t)) in.logits.push_back(bits_of(logits, v));
                      for (double v : std::get<1>(t)) in.bias.push_back(bits_of(bias, v));
                      in = with_ties(std::move(in), c, std::get<2>(t), std::get<3>(t));
                      return RoutingCase{c, repeated_tokens(in, c.experts, tokens), tokens > distinct ? distinct : 0};
                    });
  });
}

void showValue(const RoutingCase& c, std::ostream& os) {
  const RoutingInputs& in = c.inputs;
  os << fmt::format("{}; logits {} [{}, {}], bias {}", c.config.label(), name(in.logits_format), in.tokens,
                    c.config.experts, name(in.bias_format));
  const int E = c.config.experts;
  const std::int64_t shown_tokens = c.distinct_tokens ? c.distinct_tokens : in.tokens;
  if (c.distinct_tokens)
    os << fmt::format("; the batch of {} tokens repeats the {} below cyclically", in.tokens, c.distinct_tokens);
  for (std::int64_t t = 0; t < shown_tokens; ++t) {
    std::string row;
    int shown = 0;
    for (int e = 0; e < E; ++e)
      if (in.logits[t * E + e] != 0 && shown++ < 24)
        row += fmt::format(" [{}]={:g}", e, decode(in.logits_format, in.logits[t * E + e]));
    os << fmt::format("\n  token {} logits (non-zero):{}{}", t, row, shown > 24 ? " ..." : "");
  }
  std::string bias;
  for (int e = 0; e < E && e < 32; ++e) bias += fmt::format(" {:g}", decode(in.bias_format, in.bias[e]));
  os << "\n  bias:" << bias << (E > 32 ? " ..." : "");
}

}  // namespace ulpcheck
