#include "ulpcheck/reference/oracle.hpp"

#include <fmt/format.h>

#include <cmath>
#include <optional>
#include <stdexcept>

namespace ulpcheck {

std::vector<Exact> evaluate(const ElementwiseOp& op, Format f, std::span<const double> x0,
                            std::span<const double> x1, const Params& params,
                            OracleMethod method, OracleCounts* counts) {
  if (op.arity == 2 && x1.size() != x0.size())
    throw std::invalid_argument(fmt::format("oracle: {} needs as many up values ({}) as gate values ({})",
                                            op.name, x1.size(), x0.size()));
  const Activation& act = *op.activation;
  const std::size_t n = x0.size();
  std::vector<std::optional<Exact>> decided(n);
  OracleCounts local;

  // Special values and the double tier; whatever they leave goes to MPFR.
  std::vector<std::size_t> pending;
  std::vector<double> pending_gate, pending_up;
  for (std::size_t i = 0; i < n; ++i) {
    const ActivationInput in = op.prepare(x0[i], op.arity == 2 ? x1[i] : 1.0, params);
    if (auto s = act.special(f, in.gate, in.up)) {
      decided[i] = *s;
      ++local.special;
      continue;
    }
    if (method == OracleMethod::double_then_mpfr) {
      if (auto y = act.in_double(in.gate, in.up)) {
        if (const Decided e = decide_in_double(f, *y, act.double_error_units); e.decided) {
          decided[i] = e.exact;
          ++local.double_tier;
          continue;
        }
      }
    }
    pending.push_back(i);
    pending_gate.push_back(in.gate);
    pending_up.push_back(in.up);
  }
  local.mpfr_tier = static_cast<std::int64_t>(pending.size());

  // Ziv's loop over the batch: each rung keeps what it decides and passes the rest on.
  for (std::size_t rung = 0; rung < act.mpfr_rungs.size() && !pending.empty(); ++rung) {
    if (rung > 0) local.mpfr_retries += static_cast<std::int64_t>(pending.size());
    std::vector<std::optional<Exact>> out(pending.size());
    act.mpfr_rungs[rung](f, pending_gate, pending_up, out);
    std::size_t kept = 0;
    for (std::size_t j = 0; j < pending.size(); ++j) {
      if (out[j]) {
        decided[pending[j]] = *out[j];
      } else {
        pending[kept] = pending[j];
        pending_gate[kept] = pending_gate[j];
        pending_up[kept] = pending_up[j];
        ++kept;
      }
    }
    pending.resize(kept);
    pending_gate.resize(kept);
    pending_up.resize(kept);
  }
  if (!pending.empty())
    throw std::runtime_error(fmt::format(
        "oracle: {} could not decide the rounding of act({:a}) * {:a} to {} at {} digits; "
        "an exact rounding boundary reached the numeric tiers, which the op's special rules "
        "must catch",
        op.name, pending_gate[0], pending_up[0], name(f), kMpfrRungDigits10.back()));

  if (counts) *counts += local;
  std::vector<Exact> result(n);
  for (std::size_t i = 0; i < n; ++i) result[i] = *decided[i];
  return result;
}

Params ElementwiseOp::default_params() const {
  Params p;
  for (const ParamSpec& s : params) p.set(s.name, s.default_value);
  return p;
}

std::vector<Params> ElementwiseOp::checked_params() const {
  std::vector<Params> out{default_params()};
  for (const ParamSpec& s : params) {
    if (s.checked_values.empty()) continue;
    std::vector<Params> next;
    for (const Params& p : out)
      for (double v : s.checked_values) next.push_back(Params(p).set(s.name, v));
    out = std::move(next);
  }
  return out;
}

}  // namespace ulpcheck
