#include "ulpcheck/reference/certified/pair_tables.hpp"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

#include "ulpcheck/support/parallel.hpp"

namespace ulpcheck {

PairTables pair_tables(const ElementwiseOp& op, Format f, const Params& params) {
  if (op.arity != 2 || info(f).storage_bits != 16)
    throw std::invalid_argument(fmt::format("pair tables: {} on {} is not a gated op on a 16-bit format", op.name,
                                            name(f)));
  constexpr int kPatterns = 1 << 16;
  PairTables t{std::vector<PreparedGate>(kPatterns), std::vector<double>(kPatterns)};
  const Activation& act = *op.activation;
  // A prepared gate the special rules answer for every finite nonzero up needs no value:
  // NaN, infinities, zeros and the two tails (special_values).
  const auto needs_value = [&](double g) {
    const Tails tails = with_tier(act.kind, [](auto tier) { return decltype(tier)::tails; });
    return std::isfinite(g) && g != 0.0 && g > tails.deep_negative && g < tails.large_gate;
  };
  constexpr std::int64_t kChunk = 1024;
  parallel_for(kPatterns / kChunk, [&](std::int64_t chunk) {
    for (std::int64_t b = chunk * kChunk; b < (chunk + 1) * kChunk; ++b) {
      const double x = decode(f, static_cast<std::uint32_t>(b));
      const ActivationInput gate = op.prepare(x, 1.0, params), up = op.prepare(1.0, x, params);
      PreparedGate& g = t.gates[static_cast<std::size_t>(b)];
      g.gate = gate.gate;
      t.ups[static_cast<std::size_t>(b)] = up.up;
      if (!needs_value(g.gate)) continue;
      if (std::fabs(g.gate) < kSeriesBelow) {
        g = with_tier(act.kind, [&](auto tier) { return series_gate<decltype(tier)>(g.gate); });
        continue;
      }
      const Enclosure v = act.mpfr_value(g.gate);
      g.negligible = std::fabs(v.value.hi) < 0x1p-900;
      if (!g.negligible) g.hi = v.value.hi, g.lo = v.value.lo, g.error = v.error;
    }
  });
  return t;
}

}  // namespace ulpcheck
