#include "ulpcheck/device/routing_variants.hpp"

#include <algorithm>
#include <cmath>

namespace ulpcheck::routing_variants {

namespace {

/// Softmax weights are held to the budget only where their own exact score and their
/// token's picked sum reach this (see fp32_weight_ulps: the bound grows with ln(1/s)).
/// Below 2^-24 a score is under one fp32 ulp of the largest score of its row: the expert
/// takes a share of the output no fp32 sum of the row can see.
constexpr double kSoftmaxMinScore = 0x1p-24;

/// Weights from fp32 arithmetic, in fp32 ULPs of the exact weight. Errors are counted in
/// units of u = 2^-24: a normal fp32 result with relative error n u is under n ULPs off
/// (ulp(r) = 2^(floor(log2 r) - 23) > r 2^-24).
///
/// Sigmoid, s = 1 / (1 + e^-x): exp_fp32 is within 0.94 ulp (2 u), damped by
/// e^-x / (1 + e^-x) < 1 in the sum, whose rounding adds u, and the division u: 4 u.
///
/// Softmax, s_e = v_e / R with v_e = exp_fp32(fl(l_e - m)), m the row's largest logit, and
/// R the sum of the v_e over the row in index order. The subtraction is not exact (logits
/// far apart), and exp turns its relative error u into |d_e| u with d_e = l_e - m, its
/// condition number; exp_fp32 adds 2 u and the division u: (|d_e| + 3) u, times R's error,
/// which every score of the row shares. Since e^(d_e) = s_e R and R >= 1 (the largest
/// logit contributes e^0), |d_e| <= ln(1/s_e). R's error is (E - 1) u of accumulation plus
/// the average of its terms' errors weighted by p_e = v_e / R:
/// sum p_e (|d_e| + 2) <= sum p_e ln(1/p_e) + 2 <= ln E + 2 (the entropy bound).
///
/// Renormalised, w_i = s_i / S * scale with S the picked sum of k terms: R cancels to
/// first order. The numerator carries s_i's own error; S carries (k - 1) u of accumulation
/// plus the average of its terms' errors weighted by q_j = s_j / S, for softmax
/// sum q_j (ln(1/s_j) + 3) = H(q) + ln(1/S) + 3 <= ln k + ln(1/S) + 3; the division and
/// the scaling add u each. Held only where s_i and S reach min_score (the checks put the
/// rest in the floor), ln(1/s_i) and ln(1/S) are at most ln(1/min_score).
///   sigmoid:  4 + 4 + (k - 1) + 2 = k + 9
///   softmax:  (ln(1/min) + 3) + (ln k + ln(1/min) + 3) + (k - 1) + 2 = 2 ln(1/min) + ln k + k + 7
/// Not renormalised, w = s * scale:
///   sigmoid:  4 + 1 = 5
///   softmax:  (ln(1/min) + 3) + (E - 1 + ln E + 2) + 1 = ln(1/min) + E + ln E + 5
/// Each with 1 ULP of margin for the second-order terms.
double fp32_weight_ulps(const RoutingConfig& c, double min_score) {
  const double k = c.topk, E = c.experts, ln_inv_min = std::log(1.0 / min_score);
  const bool softmax = c.scoring == Scoring::softmax;
  double ulps;
  if (c.renormalize) ulps = softmax ? 2 * ln_inv_min + std::log(k) + k + 7 : k + 9;
  else ulps = softmax ? ln_inv_min + E + std::log(E) + 5 : 5;
  return std::ceil(ulps) + 1;
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
  double rounding_ulps = 0.0;  // of scores kept in a 16-bit format
  if (c.scoring == Scoring::softmax) r.min_score_sum = kSoftmaxMinScore;
  r.nan_weights_when_scores_vanish = !v.epsilon && c.renormalize;
  // The + 1e-20 in the renormalising sum is a relative error of 1e-20 / S in every weight:
  // under 2^-24 (half an ulp) only while the picked sum S is above 2^-43 or so. Tokens whose
  // picked scores sum below 2^-40 (every picked sigmoid logit below about -27) are held to
  // nothing: their weights are as wrong as the epsilon makes them.
  if (v.epsilon && c.renormalize) r.min_score_sum = std::max(r.min_score_sum, 0x1p-40);
  if (v.input_dtype_arithmetic && logits != Format::fp32) {
    // s kept in the logits' format: each score off by up to 2^-p relative (half an ulp of
    // a p-bit format), 2^(25-p) fp32 ULPs; renormalised, numerator and sum both: 2^(26-p).
    const int p = info(logits).precision;
    r.arithmetic = logits;
    rounding_ulps = std::ldexp(1.0, (c.renormalize ? 26 : 25) - p);
    // fp16 scores lose relative accuracy below its smallest normal, 2^-14.
    if (logits == Format::fp16) r.min_score_sum = std::max(r.min_score_sum, 0x1p-13);
  }
  if (v.sigmoid == Sigmoid::tanh && c.scoring == Scoring::sigmoid) {
    // tanhf is within 2 ulps of |tanh| <= 1, so 0.5 tanh(x/2) + 0.5 is within 2^-22 of s
    // absolutely, whatever s is: no relative bound for small s. A weight s_i / S (S the
    // picked sum, s_i <= S) is then off by at most (k + 1) 2^-22 / S; held to that for
    // S >= 1/16: (k + 1) 2^-18.
    r.score_abs_error = 0x1p-22;
    if (c.renormalize) {
      r.weights.abs_floor = (c.topk + 1) * 0x1p-18;
      r.min_score_sum = std::max(r.min_score_sum, 0x1p-4);
    } else {
      r.weights.abs_floor = 0x1p-22;
    }
  }
  // Last: the softmax bound depends on the held region, which the lines above may narrow.
  r.weights.max_ulp = fp32_weight_ulps(c, r.min_score_sum) + rounding_ulps;
  return r;
}

}  // namespace ulpcheck::routing_variants
