// oracle_dump [N]: the MPFR tier of the oracle on seeded inputs, one line per element, for
// an independent re-computation (tests/reference/mpmath_crosscheck.py, test
// reference.mpmath_crosscheck).
//
// For each op configuration (silu; silu_and_mul; silu_and_mul_clamp with L = fp32(7.3)
// and with L = 0; gelu, gelu_and_mul, gelu_tanh, gelu_tanh_and_mul) and each format (bf16,
// fp16, fp32) it draws N inputs (default 400): the first half are uniformly random bit
// patterns of the format (NaN and inf redrawn); the next three eighths have a gate drawn
// uniformly from the activation's working range as a value and rounded to the format (the
// bend near 0, the tail down to the formats' subnormals and to zero, and past the
// large-gate cut); the last eighth have a gate uniform in a deep range, where the exact
// result falls through double's subnormal range and past the special rules' deep-tail
// cut. The ranges, per activation:
//
//   silu       working [-100, 20]   deep [-1100, -600]   (cuts -1024 and 64)
//   gelu       working [-16, 14]    deep [-48, -36]      (cuts -45 and 12; double
//                                                         subnormal below -37.5)
//   gelu_tanh  working [-12, 12]    deep [-26, -19]      (cuts -24 and 10; double
//                                                         subnormal below -21.4)
//
// Ups outside the first half are a random bit pattern or a value uniform in [-10, 10],
// alternately. Every input is a value of the format. Output lines:
//
//   op format limit x0 x1 rounded exact_hi exact_lo
//
// limit is "none" for ops without one, x1 is "-" for unary ops, and every number is a C99
// hex float ("%a"), so nothing is lost in the text.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "ulpcheck/reference/format.hpp"
#include "ulpcheck/reference/oracle.hpp"
#include "ulpcheck/reference/registry.hpp"

namespace {

using namespace ulpcheck;

constexpr std::uint64_t kSeed = 0x5eed'0bac'1e5a'11e5ULL;

/// A uniformly random double in [lo, hi) from 53 random bits: the same on every platform
/// (std::uniform_real_distribution is implementation-defined; mt19937_64 is not).
double uniform(std::mt19937_64& rng, double lo, double hi) {
  const double unit = static_cast<double>(rng() >> 11) * 0x1p-53;
  return lo + (hi - lo) * unit;
}

/// A finite value of `f` from a uniformly random bit pattern (NaN and inf redrawn).
double random_finite(std::mt19937_64& rng, Format f) {
  const int bits = info(f).storage_bits;
  for (;;) {
    const auto pattern = static_cast<std::uint32_t>(rng() & ((std::uint64_t{1} << bits) - 1));
    const double v = decode(f, pattern);
    if (std::isfinite(v)) return v;
  }
}

/// A finite value of `f` nearest a uniform draw from [lo, hi).
double random_value(std::mt19937_64& rng, Format f, double lo, double hi) {
  for (;;) {
    const double v = round_to(f, uniform(rng, lo, hi));
    if (std::isfinite(v)) return v;
  }
}

/// C99 hex float, exactly as printf's %a writes it.
std::string hex(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%a", v);
  return buf;
}

struct Range {
  double lo, hi;
};

struct Config {
  const char* op;
  bool has_limit;
  double limit;
  Range working;
  Range deep;
};

}  // namespace

int main(int argc, char** argv) {
  long n = 400;
  if (argc > 1) {
    char* end = nullptr;
    n = std::strtol(argv[1], &end, 10);
    if (*end != '\0' || n < 2) {
      fmt::print(stderr, "usage: oracle_dump [N >= 2]  (N inputs per op and format)\n");
      return 2;
    }
  }
  if (argc > 2) {
    fmt::print(stderr, "usage: oracle_dump [N >= 2]\n");
    return 2;
  }

  const Range silu_working{-100.0, 20.0}, silu_deep{-1100.0, -600.0};
  const Range gelu_working{-16.0, 14.0}, gelu_deep{-48.0, -36.0};
  const Range gelu_tanh_working{-12.0, 12.0}, gelu_tanh_deep{-26.0, -19.0};
  const Config configs[] = {
      {"silu", false, 0.0, silu_working, silu_deep},
      {"silu_and_mul", false, 0.0, silu_working, silu_deep},
      {"silu_and_mul_clamp", true, static_cast<double>(7.3f), silu_working, silu_deep},
      {"silu_and_mul_clamp", true, 0.0, silu_working, silu_deep},
      {"gelu", false, 0.0, gelu_working, gelu_deep},
      {"gelu_and_mul", false, 0.0, gelu_working, gelu_deep},
      {"gelu_tanh", false, 0.0, gelu_tanh_working, gelu_tanh_deep},
      {"gelu_tanh_and_mul", false, 0.0, gelu_tanh_working, gelu_tanh_deep},
  };

  std::mt19937_64 rng(kSeed);
  std::string out;
  for (const Config& c : configs) {
    const ElementwiseOp* op = find_op(c.op);
    if (!op) {
      fmt::print(stderr, "oracle_dump: op {} is not registered\n", c.op);
      return 1;
    }
    Params params = op->default_params();
    if (c.has_limit) {
      for (const ParamSpec& spec : op->params)
        if (spec.name == "limit" && !spec.validate(c.limit).empty()) {
          fmt::print(stderr, "oracle_dump: limit {}: {}\n", c.limit, spec.validate(c.limit));
          return 1;
        }
      params.set("limit", c.limit);
    }
    for (const Format f : all_formats()) {
      std::vector<double> x0, x1;
      for (long i = 0; i < n; ++i) {
        const bool bits = i < n / 2;
        const bool deep = i >= n - n / 8;
        x0.push_back(bits   ? random_finite(rng, f)
                     : deep ? random_value(rng, f, c.deep.lo, c.deep.hi)
                            : random_value(rng, f, c.working.lo, c.working.hi));
        if (op->arity == 2)
          x1.push_back(!bits && i % 2 ? random_value(rng, f, -10.0, 10.0) : random_finite(rng, f));
      }
      const std::vector<Exact> exact = evaluate(*op, f, x0, x1, params, OracleMethod::mpfr_only);
      const std::string limit = c.has_limit ? hex(c.limit) : "none";
      for (std::size_t i = 0; i < x0.size(); ++i)
        out += fmt::format("{} {} {} {} {} {} {} {}\n", op->name, name(f), limit, hex(x0[i]),
                           op->arity == 2 ? hex(x1[i]) : "-", hex(exact[i].rounded),
                           hex(exact[i].value.hi), hex(exact[i].value.lo));
    }
  }
  std::fputs(out.c_str(), stdout);
  return std::fflush(stdout) == 0 ? 0 : 1;
}
