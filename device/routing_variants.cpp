#include "ulpcheck/device/routing_variants.hpp"

#include <cmath>

namespace ulpcheck::routing_variants {

namespace {

/// Weights from fp32 arithmetic, in fp32 ULPs of the exact weight. Each relative error of
/// n units of 2^-23 (one fp32 ulp at most) is at most 2n ULPs. s = 1 / (1 + e^-x): exp_fp32
/// within 1 ulp and two roundings, 2 units (1 + e^-x >= 1, no cancellation; the relative
/// error of e^-x reaches s damped by e^-x / (1 + e^-x) < 1). The picked sum of k positive
/// terms: (k - 1)/2 units of rounding plus the terms' own 2. The division and the scaling:
/// 1/2 each. Renormalised: 2 (2 + 2 + (k - 1)/2 + 1) + 1 = 11 + (k - 1) ULPs, the 1 for
/// margin; not renormalised: 2 (2 + 1/2) + 1 = 6. Softmax without renormalisation also
/// carries the row sum over E terms, (E - 1)/2 units; renormalised, that common factor
/// cancels to first order.
double fp32_weight_ulps(const RoutingConfig& c) {
  if (c.renormalize) return 11.0 + (c.topk - 1);
  if (c.scoring == Scoring::softmax) return 2.0 * ((c.experts - 1) / 2.0 + 3.0) + 1.0;
  return 6.0;
}

}  // namespace

math::RoutingShape shape(const Variant& v, const RoutingConfig& c, Format logits) {
  return {c.experts,
          c.n_group,
          c.topk_group,
          c.topk,
          c.scoring == Scoring::softmax,
          c.renormalize,
          static_cast<float>(c.routed_scaling_factor),
          v.input_dtype_arithmetic ? logits : Format::fp32};
}

std::optional<RoutingClaim> claim(const Variant& v, const RoutingConfig& c, Format logits, Format) {
  if (!c.validate().empty()) return std::nullopt;
  RoutingClaim r;
  r.weights = {.max_ulp = fp32_weight_ulps(c), .abs_floor = 0.0};
  r.nan_weights_when_scores_vanish = !v.epsilon && c.renormalize;
  // The + 1e-20 in the renormalising sum is a relative error of 1e-20 / S in every weight:
  // under 2^-24 (half an ulp) only while the picked sum S is above 2^-43 or so. Tokens whose
  // picked scores sum below 2^-40 (every picked sigmoid logit below about -27) are held to
  // nothing: their weights are as wrong as the epsilon makes them.
  if (v.epsilon && c.renormalize) r.min_score_sum = 0x1p-40;
  if (v.input_dtype_arithmetic && logits != Format::fp32) {
    // s kept in the logits' format: each score off by up to 2^-p relative (half an ulp of
    // a p-bit format), 2^(25-p) fp32 ULPs; renormalised, numerator and sum both: 2^(26-p).
    const int p = info(logits).precision;
    r.arithmetic = logits;
    r.weights.max_ulp += std::ldexp(1.0, (c.renormalize ? 26 : 25) - p);
    // fp16 scores lose relative accuracy below its smallest normal, 2^-14.
    if (logits == Format::fp16) r.min_score_sum = 0x1p-13;
  }
  if (v.sigmoid == Sigmoid::tanh && c.scoring == Scoring::sigmoid) {
    // tanhf is within 2 ulps of |tanh| <= 1, so 0.5 tanh(x/2) + 0.5 is within 2^-22 of s
    // absolutely, whatever s is: no relative bound for small s. A weight s_i / S (S the
    // picked sum, s_i <= S) is then off by at most (k + 1) 2^-22 / S; held to that for
    // S >= 1/16: (k + 1) 2^-18.
    r.score_abs_error = 0x1p-22;
    if (c.renormalize) {
      r.weights.abs_floor = (c.topk + 1) * 0x1p-18;
      r.min_score_sum = 0x1p-4;
    } else {
      r.weights.abs_floor = 0x1p-22;
    }
  }
  return r;
}

}  // namespace ulpcheck::routing_variants
