// Biased grouped top-k routing for one token, as production kernels compute it (SGLang's
// biased_grouped_topk / moe_fused_gate, vLLM's grouped_topk, TensorRT-LLM's noaux_tc):
// fp32 scores, the bias added for selection only, group score = sum of the two largest
// biased scores, topk_group groups kept, topk experts picked among them, weights from the
// unbiased scores. The variants production differs in are policies: the sigmoid's form,
// the format scores and sums are kept in, and an epsilon in the renormalising sum.
//
// Selections compare exactly and break ties to the lower index, and the renormalising sum
// runs in pick order, so any two implementations of this math (the host loop, the CUDA
// warp) give the same bits.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

#include "ulpcheck/device/math/exp.cuh"
#include "ulpcheck/device/math/storage.cuh"

namespace ulpcheck::math {

/// The routing parameters a kernel receives (RoutingConfig, flattened for the device).
struct RoutingShape {
  int experts;
  int n_group;
  int topk_group;
  int topk;
  bool softmax;
  bool renormalize;
  float scale;
  /// The format scores, biased scores and group sums are kept in (fp32: no rounding).
  Format arithmetic;
};

/// 1 / (1 + e^-x) with exp_fp32: the same bits on host and GPU.
struct SigmoidExp {
  static ULPCHECK_HD float eval(float x) { return 1.0f / (1.0f + exp_fp32(-x)); }
};
/// 0.5 tanh(x / 2) + 0.5, the form some kernels use to avoid exp's overflow (tanhf is the
/// C library's on the host and CUDA's on the GPU: not the same bits).
struct SigmoidTanh {
  static ULPCHECK_HD float eval(float x) { return 0.5f * tanhf(0.5f * x) + 0.5f; }
};


inline constexpr float kInvalid = std::numeric_limits<float>::quiet_NaN();

/// The order every selection uses: larger first, the lower index on ties; an invalid entry
/// (NaN) ranks below everything, -inf included. True when (a, ia) comes before (b, ib).
ULPCHECK_HD bool ranks_before(float a, int ia, float b, int ib) {
  const bool a_invalid = a != a, b_invalid = b != b;
  if (a_invalid != b_invalid) return b_invalid;
  if (!a_invalid && a != b) return a > b;
  return ia < ib;
}

/// Scores of expert e: s (unbiased, for the weight) and b (biased, for selection; NaN when
/// the expert is invalid: a NaN logit or a non-finite bias, which also makes s 0).
/// Sigmoid scoring only; softmax needs the whole row (softmax_scores).
template <class Sigmoid>
ULPCHECK_HD void sigmoid_score(const RoutingShape& c, float logit, float bias, float& s, float& b) {
  if (logit != logit || !(fabsf(bias) <= 0x1.fffffep+127f)) {
    s = 0.0f;
    b = kInvalid;
    return;
  }
  s = round_to_format(c.arithmetic, Sigmoid::eval(logit));
  b = round_to_format(c.arithmetic, s + bias);
}

/// The sum of the two largest valid values of a group, rounded to the arithmetic format;
/// -inf when fewer than two are valid.
ULPCHECK_HD float top_two_sum(const RoutingShape& c, float m1, float m2) {
  if (m1 != m1 || m2 != m2) return -HUGE_VALF;
  return round_to_format(c.arithmetic, m1 + m2);
}

/// Keeps the two best (value, index) pairs seen so far.
struct TopTwo {
  float v1 = kInvalid, v2 = kInvalid;
  int i1 = 0x7fffffff, i2 = 0x7fffffff;
  ULPCHECK_HD void add(float v, int i) {
    if (ranks_before(v, i, v1, i1)) {
      v2 = v1;
      i2 = i1;
      v1 = v;
      i1 = i;
    } else if (ranks_before(v, i, v2, i2)) {
      v2 = v;
      i2 = i;
    }
  }
};

/// Softmax over the valid logits of a row (NaN logits and experts with a non-finite bias
/// are invalid: s = 0, b = NaN). +inf logits share 1 equally; when no valid logit is
/// finite or +inf, every s is 0. The sum runs in index order.
ULPCHECK_HD void softmax_scores(const RoutingShape& c, const float* logits, const float* bias, float* s, float* b) {
  float max = -HUGE_VALF;
  int infinite = 0;
  for (int e = 0; e < c.experts; ++e) {
    const bool valid = logits[e] == logits[e] && fabsf(bias[e]) <= 0x1.fffffep+127f;
    if (!valid) continue;
    if (logits[e] > max) max = logits[e];
    if (logits[e] == HUGE_VALF) ++infinite;
  }
  float sum = 0.0f;
  for (int e = 0; e < c.experts; ++e) {
    const bool valid = logits[e] == logits[e] && fabsf(bias[e]) <= 0x1.fffffep+127f;
    float v = 0.0f;
    if (valid && infinite) v = logits[e] == HUGE_VALF ? 1.0f : 0.0f;
    else if (valid && max > -HUGE_VALF) v = exp_fp32(logits[e] - max);
    s[e] = v;
    sum += v;
  }
  for (int e = 0; e < c.experts; ++e) {
    const bool valid = logits[e] == logits[e] && fabsf(bias[e]) <= 0x1.fffffep+127f;
    s[e] = sum > 0.0f ? round_to_format(c.arithmetic, s[e] / sum) : 0.0f;
    b[e] = valid ? round_to_format(c.arithmetic, s[e] + bias[e]) : kInvalid;
  }
}

/// The weights of the picked experts, in place: on entry the unbiased scores s in pick
/// order, on exit s / (their sum [+ 1e-20]) * scale when renormalising (Hugging Face's
/// DeepSeek-V3 order: divide, then scale), s * scale otherwise. Without the epsilon an
/// all-zero pick gives 0/0 = NaN, as kernels without it do.
template <bool Epsilon>
ULPCHECK_HD void routing_weights(const RoutingShape& c, float* weights) {
  float sum = 0.0f;
  for (int k = 0; k < c.topk; ++k) sum += weights[k];
  if (Epsilon) sum += 1e-20f;
  for (int k = 0; k < c.topk; ++k) weights[k] = c.renormalize ? weights[k] / sum * c.scale : weights[k] * c.scale;
}

/// One token, start to end, with scratch s[experts], b[experts], group_score[n_group] and
/// flags kept[n_group], taken[experts] supplied by the caller. Writes ids[topk] (best
/// first) and weights[topk].
template <class Sigmoid, bool Epsilon>
ULPCHECK_HD void route_token(const RoutingShape& c, const float* logits, const float* bias, float* s, float* b,
                             float* group_score, bool* kept, bool* taken, std::int32_t* ids, float* weights) {
  if (c.softmax) {
    softmax_scores(c, logits, bias, s, b);
  } else {
    for (int e = 0; e < c.experts; ++e) sigmoid_score<Sigmoid>(c, logits[e], bias[e], s[e], b[e]);
  }
  const int per_group = c.experts / c.n_group;
  for (int g = 0; g < c.n_group; ++g) {
    TopTwo t;
    for (int e = g * per_group; e < (g + 1) * per_group; ++e) t.add(b[e], e);
    group_score[g] = top_two_sum(c, t.v1, t.v2);
    kept[g] = false;
  }
  for (int k = 0; k < c.topk_group; ++k) {
    int best = -1;
    for (int g = 0; g < c.n_group; ++g)
      if (!kept[g] && (best < 0 || ranks_before(group_score[g], g, group_score[best], best))) best = g;
    kept[best] = true;
  }
  for (int e = 0; e < c.experts; ++e) taken[e] = false;
  for (int k = 0; k < c.topk; ++k) {
    int best = -1;
    for (int e = 0; e < c.experts; ++e)
      if (kept[e / per_group] && !taken[e] && (best < 0 || ranks_before(b[e], e, b[best], best))) best = e;
    taken[best] = true;
    ids[k] = best;
    weights[k] = s[best];
  }
  routing_weights<Epsilon>(c, weights);
}

}  // namespace ulpcheck::math
