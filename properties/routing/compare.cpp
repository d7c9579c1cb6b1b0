#include "ulpcheck/properties/routing/compare.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "ulpcheck/properties/error_stats.hpp"
#include "ulpcheck/reference/ulp.hpp"

namespace ulpcheck {

namespace {

double ulp_in(Format f, double magnitude) { return std::ldexp(1.0, ulp_exponent(f, magnitude)); }

/// The error of one score s in the kernel's arithmetic: its rounding (s < 1, so an ulp of
/// 1 covers it with margin), the softmax row sum's rounding over E terms (it scales every
/// s), and what the claim adds.
double score_error(const RoutingConfig& c, const RoutingClaim& claim) {
  const double one = ulp_in(claim.arithmetic, 1.0);
  return one * (c.scoring == Scoring::softmax ? c.experts : 1) + claim.score_abs_error;
}

/// Scores of a token in long double: accurate to far better than any band, which is all
/// the magnitudes, near-tie checks of order and floor checks need (the oracle's exact
/// values decide everything else). NaN marks an invalid expert.
std::vector<long double> approx_scores(const RoutingConfig& c, const RoutingInputs& in, std::int64_t t) {
  std::vector<long double> s(static_cast<std::size_t>(c.experts));
  std::vector<long double> x(s.size());
  bool any_pos_inf = false;
  long double max = -INFINITY;
  for (int e = 0; e < c.experts; ++e) {
    x[e] = decode(in.logits_format, in.logits[static_cast<std::size_t>(t * c.experts + e)]);
    const bool valid = !std::isnan(x[e]) && std::isfinite(decode(in.bias_format, in.bias[static_cast<std::size_t>(e)]));
    if (!valid) x[e] = NAN;
    else if (x[e] > max) max = x[e];
    any_pos_inf |= x[e] == INFINITY;
  }
  long double sum = 0;
  for (int e = 0; e < c.experts; ++e) {
    if (std::isnan(x[e])) {
      s[e] = 0;
      continue;
    }
    if (c.scoring == Scoring::sigmoid) s[e] = 1 / (1 + std::exp(-x[e]));
    else if (any_pos_inf) s[e] = x[e] == INFINITY ? 1 : 0;
    else s[e] = std::isfinite(max) ? std::exp(x[e] - max) : 0;
    sum += s[e];
  }
  if (c.scoring == Scoring::softmax)
    for (auto& v : s) v = sum > 0 ? v / sum : 0;
  return s;
}

double bias_of(const RoutingInputs& in, int e) { return decode(in.bias_format, in.bias[static_cast<std::size_t>(e)]); }

/// An upper bound of |b| for expert e (s is in [0, 1]).
double b_magnitude(const RoutingInputs& in, int e) { return std::fabs(bias_of(in, e)) + 1.0; }

}  // namespace

double expert_tie_band(const RoutingConfig& c, const RoutingClaim& claim, double b_mag) {
  return 2.0 * (ulp_in(claim.arithmetic, b_mag) + score_error(c, claim));
}

double group_tie_band(const RoutingConfig& c, const RoutingClaim& claim, double gs_mag, double b_mag) {
  return 2.0 * ulp_in(claim.arithmetic, gs_mag) + 2.0 * expert_tie_band(c, claim, b_mag);
}

std::string_view describe(IdVerdict v) {
  switch (v) {
    case IdVerdict::match: return "same experts";
    case IdVerdict::near_tie: return "different experts at a near-tie (within the band of the kernel's arithmetic)";
    case IdVerdict::mismatch: return "different experts with no near-tie to explain them: a routing error";
    case IdVerdict::invalid: return "invalid ids (out of range, repeated, or from more than topk_group groups)";
  }
  return "?";
}

TokenCheck check_token(const RoutingConfig& c, const RoutingClaim& claim, const RoutingInputs& in, std::int64_t t,
                       const TokenRouting& exact, const std::int32_t* ids, const float* weights,
                       bool order_sensitive, std::vector<float>* weight_ulps) {
  TokenCheck r;
  const int per_group = c.experts_per_group();
  std::set<int> seen, groups;
  for (int k = 0; k < c.topk; ++k) {
    if (ids[k] < 0 || ids[k] >= c.experts || !seen.insert(ids[k]).second) {
      r.ids = IdVerdict::invalid;
      return r;
    }
    groups.insert(ids[k] / per_group);
  }
  if (static_cast<int>(groups.size()) > c.topk_group) {
    r.ids = IdVerdict::invalid;
    return r;
  }
  const std::set<int> oracle(exact.ids.begin(), exact.ids.end());
  if (seen != oracle) {
    // The oracle's boundaries: its last picked expert and its last kept group.
    const int last = exact.ids.back();
    const int last_group = exact.groups.back();
    double group_b = 0.0;
    for (int e = last_group * per_group; e < (last_group + 1) * per_group; ++e)
      group_b = std::max(group_b, b_magnitude(in, e));
    const bool expert_tie = exact.expert_margin <= expert_tie_band(c, claim, b_magnitude(in, last));
    const bool group_tie = exact.group_margin <= group_tie_band(c, claim, 2.0 * group_b, group_b);
    r.ids = expert_tie || group_tie ? IdVerdict::near_tie : IdVerdict::mismatch;
    return r;
  }

  const std::vector<long double> s = approx_scores(c, in, t);
  if (order_sensitive && claim.sorted) {
    for (int k = 0; k < c.topk; ++k) {
      if (ids[k] == exact.ids[static_cast<std::size_t>(k)]) continue;
      r.order_differs = true;
      const auto b = [&](int e) { return static_cast<double>(s[e]) + bias_of(in, e); };
      const double gap = std::fabs(b(ids[k]) - b(exact.ids[static_cast<std::size_t>(k)]));
      if (!(gap <= expert_tie_band(c, claim, std::max(b_magnitude(in, ids[k]), b_magnitude(in, exact.ids[k])))))
        r.ids = IdVerdict::mismatch;
    }
    if (r.ids == IdVerdict::mismatch) return r;
  }

  // Weights, by id.
  long double picked = 0;
  for (int e : exact.ids) picked += s[e];
  const double scale = c.routed_scaling_factor;
  double sum = 0.0;
  bool all_finite = true;
  for (int k = 0; k < c.topk; ++k) {
    const auto at = std::find(exact.ids.begin(), exact.ids.end(), ids[k]) - exact.ids.begin();
    const DoubleDouble& want = exact.weights[static_cast<std::size_t>(at)];
    const double w = weights[k];
    // Held to the budget only where its own score and its token's picked sum are both
    // representable in the kernel's arithmetic (softmax scores go subnormal, one by one).
    const bool floor = s[ids[k]] < claim.min_score_sum || (c.renormalize && picked < claim.min_score_sum);
    r.weights_in_floor |= floor;
    if (!std::isfinite(w) || w < 0) {
      all_finite = false;
      const bool declared = std::isnan(w) && claim.nan_weights_when_scores_vanish && picked < 0x1p-120L;
      if (!declared) r.bad_weight = true;
      continue;
    }
    sum += w;
    if (floor) continue;
    r.weights_checked = true;
    const double ulp = ulp_error(Format::fp32, w, want);
    r.max_weight_ulp = std::max(r.max_weight_ulp, ulp);
    if (weight_ulps) weight_ulps->push_back(static_cast<float>(ulp));
    if (ulp > claim.weights.max_ulp && std::fabs(w - want.hi - want.lo) > claim.weights.abs_floor * scale)
      ++r.weight_breaches;
  }
  if (c.renormalize && all_finite && !r.weights_in_floor && scale > 0) r.weight_sum_error = std::fabs(sum - scale) / scale;
  return r;
}

RoutingStats compare_routing(const RoutingConfig& c, const RoutingClaim& claim, const RoutingInputs& in,
                             const std::vector<TokenRouting>& exact, const RoutingOutputs& out, bool order_sensitive) {
  RoutingStats st;
  for (std::int64_t t = 0; t < in.tokens; ++t) {
    const TokenRouting& x = exact[static_cast<std::size_t>(t)];
    const std::int32_t* ids = out.ids.data() + t * c.topk;
    const float* w = out.weights.data() + t * c.topk;
    const TokenCheck k = check_token(c, claim, in, t, x, ids, w, order_sensitive, &st.weight_ulps);
    ++st.tokens;
    st.group_margins.push_back(x.group_margin);
    st.expert_margins.push_back(x.expert_margin);
    switch (k.ids) {
      case IdVerdict::match: ++st.matches; break;
      case IdVerdict::near_tie:
        ++st.near_ties;
        st.near_tie_tokens.push_back(t);
        break;
      case IdVerdict::mismatch: ++st.mismatches; break;
      case IdVerdict::invalid: ++st.invalid; break;
    }
    st.order_differs += k.order_differs;
    st.weights_in_floor += k.weights_in_floor;
    st.weight_tokens_checked += k.weights_checked;
    st.weight_breaches += k.weight_breaches;
    st.bad_weights += k.bad_weight;
    st.max_weight_ulp = std::max(st.max_weight_ulp, k.max_weight_ulp);
    st.max_weight_sum_error = std::max(st.max_weight_sum_error, k.weight_sum_error);
    if (!k.passes() && st.failures.size() < RoutingStats::kKeep)
      st.failures.push_back(explain_token(c, claim, in, t, x, ids, w, k));
  }
  return st;
}

double RoutingStats::weight_ulp_percentile(double q) const { return nearest_rank_percentile(weight_ulps, q); }

std::string explain_token(const RoutingConfig& c, const RoutingClaim& claim, const RoutingInputs& in, std::int64_t t,
                          const TokenRouting& exact, const std::int32_t* ids, const float* weights,
                          const TokenCheck& check) {
  std::string out = fmt::format("token {} of {} ({}; logits {}, bias {}): {}\n", t, in.tokens, c.label(),
                                name(in.logits_format), name(in.bias_format), describe(check.ids));
  out += "  kernel ids:   ";
  for (int k = 0; k < c.topk; ++k) out += fmt::format(" {}", ids[k]);
  out += "\n  oracle ids:   ";
  for (int e : exact.ids) out += fmt::format(" {}", e);
  out += "\n  oracle groups:";
  for (int g : exact.groups) out += fmt::format(" {}", g);
  out += "\n  kernel weights:";
  for (int k = 0; k < c.topk; ++k) out += fmt::format(" {:.9g}", weights[k]);
  out += "\n  oracle weights:";
  for (const DoubleDouble& w : exact.weights) out += fmt::format(" {:.9g}", w.hi);
  out += fmt::format("\n  margins: group {:.6g}, expert {:.6g}; band at the last pick {:.3g} (arithmetic {})\n",
                     exact.group_margin, exact.expert_margin,
                     expert_tie_band(c, claim, b_magnitude(in, exact.ids.back())), name(claim.arithmetic));
  if (check.weight_breaches)
    out += fmt::format("  {} weights outside {} ULP (abs floor {:.3g} x scale); worst {:.4g} ULP\n", check.weight_breaches,
                       claim.weights.max_ulp, claim.weights.abs_floor, check.max_weight_ulp);
  if (check.bad_weight) out += "  a weight is NaN, infinite or negative\n";
  return out;
}

}  // namespace ulpcheck
