// routing_dump [N]: the routing oracle on seeded tokens of small configurations, one line
// per token, for an independent re-computation (tests/reference/routing_mpmath_crosscheck.py,
// test reference.routing_mpmath_crosscheck).
//
// Six configurations cover both scorings, renormalised or not, every input format for
// logits and bias, and group shapes from 2 to 8 experts; each gets N tokens (default 80).
// A logit is, with probability 1/32 each, NaN, +inf, -inf, a signed zero, a copy of an
// earlier logit of the row (exact ties within and across groups) or a value of magnitude
// 50 to 300 (scores within e^-50 of 0 or 1), and otherwise uniform in [-6, 6]; every
// 40th token is all -inf and the next all NaN. Biases are uniform in the configuration's
// range, with bias[1] = bias[0]; one configuration has a NaN bias and one an infinite one.
// Every value is one of its format. Output lines:
//
//   config=E,n_group,topk_group,topk,scoring,renorm,scale formats=LOGITS,BIAS bias=BITS,...
//   logits=BITS,... ids=... groups=... w_hi=... w_lo=... margins=GROUP,EXPERT
//
// (one line per token), bit patterns as hex integers and every number a C99 hex float
// ("%a"; inf as "inf"), so nothing is lost in the text.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "ulpcheck/reference/format.hpp"
#include "ulpcheck/reference/routing.hpp"

namespace {

using namespace ulpcheck;

constexpr std::uint64_t kSeed = 0x5eed'2047'e5'0ac1eULL;

/// A uniformly random double in [lo, hi) from 53 random bits (platform independent).
double uniform(std::mt19937_64& rng, double lo, double hi) {
  return lo + (hi - lo) * (static_cast<double>(rng() >> 11) * 0x1p-53);
}

std::uint32_t bits_of(Format f, double v) { return encode(f, round_to(f, v)); }

std::string hex(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%a", v);
  return buf;
}

struct Case {
  RoutingConfig config;
  Format logits;
  Format bias;
  double bias_lo, bias_hi;
  int bad_bias;  ///< index of a NaN (or, if negative, -index of an infinite) bias; 0 for none
};

std::vector<std::uint32_t> random_row(std::mt19937_64& rng, Format f, int experts, long token) {
  std::vector<std::uint32_t> row;
  const double nan = std::nan("");
  for (int e = 0; e < experts; ++e) {
    double v;
    if (token % 40 == 39) {
      v = -HUGE_VAL;
    } else if (token % 40 == 0 && token > 0) {
      v = nan;
    } else {
      switch (rng() % 32) {
        case 0: v = nan; break;
        case 1: v = HUGE_VAL; break;
        case 2: v = -HUGE_VAL; break;
        case 3: v = (rng() & 1) ? 0.0 : -0.0; break;
        case 4:
          if (e > 0) {
            row.push_back(row[rng() % static_cast<std::uint64_t>(e)]);
            continue;
          }
          v = 1.0;
          break;
        case 5: v = ((rng() & 1) ? 1.0 : -1.0) * uniform(rng, 50.0, 300.0); break;
        default: v = uniform(rng, -6.0, 6.0);
      }
    }
    row.push_back(bits_of(f, v));
  }
  return row;
}

template <class T, class Fmt>
std::string join(const std::vector<T>& xs, Fmt fmt_one) {
  std::string out;
  for (const T& x : xs) {
    if (!out.empty()) out += ',';
    out += fmt_one(x);
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  long n = 80;
  if (argc > 1) {
    char* end = nullptr;
    n = std::strtol(argv[1], &end, 10);
    if (*end != '\0' || n < 1 || argc > 2) {
      fmt::print(stderr, "usage: routing_dump [N >= 1]  (N tokens per configuration)\n");
      return 2;
    }
  }
  auto config = [](int E, int g, int keep, int top, Scoring s, bool renorm, double scale) {
    return RoutingConfig{.experts = E, .n_group = g, .topk_group = keep, .topk = top, .scoring = s,
                         .renormalize = renorm, .routed_scaling_factor = scale};
  };
  const Case cases[] = {
      {config(8, 4, 2, 3, Scoring::sigmoid, true, 2.5), Format::fp32, Format::fp32, -0.5, 0.5, 0},
      {config(16, 4, 2, 4, Scoring::softmax, false, 1.0), Format::bf16, Format::fp32, -0.05, 0.05, 0},
      {config(16, 8, 3, 5, Scoring::sigmoid, false, 1.5), Format::fp16, Format::bf16, -0.5, 0.5, 5},
      {config(12, 3, 1, 2, Scoring::softmax, true, 2.5), Format::fp32, Format::fp16, -0.1, 0.1, -7},
      {config(32, 4, 2, 8, Scoring::sigmoid, true, static_cast<float>(2.3)), Format::bf16, Format::bf16, -1.0, 1.0,
       0},
      {config(64, 8, 4, 8, Scoring::sigmoid, true, 2.5), Format::fp32, Format::fp32, 2.0, 3.0, 0},
  };

  std::mt19937_64 rng(kSeed);
  std::string out;
  for (const Case& c : cases) {
    if (const std::string problem = c.config.validate(); !problem.empty()) {
      fmt::print(stderr, "routing_dump: {}: {}\n", c.config.label(), problem);
      return 1;
    }
    const int E = c.config.experts;
    RoutingInputs in;
    in.logits_format = c.logits;
    in.bias_format = c.bias;
    in.tokens = n;
    for (int e = 0; e < E; ++e) in.bias.push_back(bits_of(c.bias, uniform(rng, c.bias_lo, c.bias_hi)));
    in.bias[1] = in.bias[0];
    if (c.bad_bias > 0) in.bias[static_cast<std::size_t>(c.bad_bias)] = bits_of(c.bias, std::nan(""));
    if (c.bad_bias < 0) in.bias[static_cast<std::size_t>(-c.bad_bias)] = bits_of(c.bias, -HUGE_VAL);
    for (long t = 0; t < n; ++t) {
      const auto row = random_row(rng, c.logits, E, t);
      in.logits.insert(in.logits.end(), row.begin(), row.end());
    }
    const std::vector<TokenRouting> routed = route_exact(c.config, in);
    const RoutingConfig& k = c.config;
    const std::string head =
        fmt::format("config={},{},{},{},{},{},{} formats={},{} bias={}", k.experts, k.n_group, k.topk_group, k.topk,
                    name(k.scoring), k.renormalize ? 1 : 0, hex(k.routed_scaling_factor), name(c.logits), name(c.bias),
                    join(in.bias, [](std::uint32_t b) { return fmt::format("{:#x}", b); }));
    for (long t = 0; t < n; ++t) {
      const TokenRouting& r = routed[static_cast<std::size_t>(t)];
      const std::vector<std::uint32_t> row(in.logits.begin() + t * E, in.logits.begin() + (t + 1) * E);
      auto number = [](std::int32_t v) { return std::to_string(v); };
      out += fmt::format("{} logits={} ids={} groups={} w_hi={} w_lo={} margins={},{}\n", head,
                         join(row, [](std::uint32_t b) { return fmt::format("{:#x}", b); }), join(r.ids, number),
                         join(r.groups, number), join(r.weights, [](const DoubleDouble& w) { return hex(w.hi); }),
                         join(r.weights, [](const DoubleDouble& w) { return hex(w.lo); }), hex(r.group_margin),
                         hex(r.expert_margin));
    }
  }
  std::fputs(out.c_str(), stdout);
  return std::fflush(stdout) == 0 ? 0 : 1;
}
