/* A routing plugin in plain C99 (docs/writing-a-plugin.md): DeepSeek-V3's biased grouped
 * top-k as a host-memory kernel, the way the reference PyTorch code computes it in fp32:
 *
 *   s = 1 / (1 + expf(-logit))                  scores, sigmoid only (softmax is refused)
 *   c = s + bias                                 biased scores choose; s weighs
 *   group score = the sum of its two best c      the topk_group best groups are kept
 *   ids = the topk best c among kept experts     best first
 *   w = s / (sum of the picked s) * scale        renormalised without an epsilon
 *
 * Build:  cc -std=c99 -shared -fPIC -I<ulpcheck>/include routing_plugin.c -lm -o libroute.so
 * Run:    ulpcheck report --plugin ./libroute.so --op biased_grouped_topk --kernel example.routing_fp32
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storage_formats.h"
#include "ulpcheck/kernel_abi.h"

#define MAX_EXPERTS 512
#define MAX_GROUPS 32

/* One element of a logits or bias tensor as fp32 (exact for every input dtype). */
static float element(const DLTensor* t, int64_t i) {
  if (t->dtype.bits == 32) return ((const float*)t->data)[i];
  const uint16_t h = ((const uint16_t*)t->data)[i];
  return t->dtype.code == kDLBfloat ? bf16_to_float(h) : fp16_to_float(h);
}

/* An expert with a NaN logit or a non-finite bias cannot be ranked: it goes below every
 * other (as -inf would) and weighs 0, as ulpcheck's oracle defines (docs/routing.md). */
static int valid(float logit, float bias) { return !isnan(logit) && isfinite(bias); }

/* Index of the largest of values[0..n) whose taken[] is 0; the lowest index wins a tie.
 * Callers always leave one untaken (0 otherwise). */
static int best_untaken(const float* values, const unsigned char* taken, int n) {
  int i, best = -1;
  for (i = 0; i < n; ++i)
    if (!taken[i] && (best < 0 || values[i] > values[best])) best = i;
  return best < 0 ? 0 : best;
}

static int run_routing(const ulpcheck_routing_config* c, const DLTensor* logits, const DLTensor* bias,
                       DLTensor* ids, DLTensor* weights, void* cuda_stream, void* user_data, char* error,
                       size_t error_size) {
  const int64_t tokens = logits->shape[0];
  const int experts = c->experts, per_group = c->experts / c->n_group;
  int64_t t;
  (void)cuda_stream, (void)user_data;
  if (experts > MAX_EXPERTS || c->n_group > MAX_GROUPS) {
    snprintf(error, error_size, "example.routing_fp32: at most %d experts in %d groups", MAX_EXPERTS, MAX_GROUPS);
    return 1;
  }
  for (t = 0; t < tokens; ++t) {
    float s[MAX_EXPERTS], choice[MAX_EXPERTS], group_score[MAX_GROUPS], picked_sum = 0.0f;
    unsigned char taken[MAX_EXPERTS], group_taken[MAX_GROUPS];
    int32_t* row_ids = (int32_t*)ids->data + t * c->topk;
    float* row_weights = (float*)weights->data + t * c->topk;
    int e, g, k;
    for (e = 0; e < experts; ++e) {
      const float x = element(logits, t * experts + e), b = element(bias, e);
      s[e] = valid(x, b) ? 1.0f / (1.0f + expf(-x)) : 0.0f;
      choice[e] = valid(x, b) ? s[e] + b : -INFINITY;
    }
    /* Group scores: the two best choices of each group (-inf when a group has fewer than
     * two valid experts). */
    for (g = 0; g < c->n_group; ++g) {
      const float* member = choice + g * per_group;
      int first = 0, second;
      memset(taken, 0, (size_t)per_group);
      first = best_untaken(member, taken, per_group);
      taken[first] = 1;
      second = best_untaken(member, taken, per_group);
      group_score[g] = member[first] + member[second]; /* choices are never +inf: no NaN */
    }
    /* Keep the topk_group best groups: experts of the others are taken out of the choice. */
    memset(group_taken, 0, sizeof group_taken);
    for (k = 0; k < c->topk_group; ++k) group_taken[best_untaken(group_score, group_taken, c->n_group)] = 1;
    for (e = 0; e < experts; ++e) taken[e] = !group_taken[e / per_group];
    /* The topk best experts of the kept groups, best first. */
    for (k = 0; k < c->topk; ++k) {
      const int pick = best_untaken(choice, taken, experts);
      taken[pick] = 1;
      row_ids[k] = pick;
      row_weights[k] = s[pick];
      picked_sum += s[pick];
    }
    for (k = 0; k < c->topk; ++k) {
      if (c->renormalize) row_weights[k] /= picked_sum; /* 0 / 0 = NaN when every picked s is 0 */
      row_weights[k] *= c->routed_scaling_factor;
    }
  }
  return 0;
}

/* Sigmoid only; the weight budget grows with topk (the renormalising sum adds a rounding
 * per term): k + 10 ULPs renormalised, 6 not. */
static int claim_for(const ulpcheck_routing_config* c, uint32_t logits_dtype, uint32_t bias_dtype,
                     ulpcheck_routing_claim* claim, void* user_data) {
  (void)logits_dtype, (void)bias_dtype, (void)user_data;
  if (c->scoring != ULPCHECK_SCORING_SIGMOID) return 0;
  claim->weight_max_ulp = c->renormalize ? c->topk + 10 : 6;
  claim->nan_weights_when_scores_vanish = c->renormalize;
  return 1;
}

#define ALL_DTYPES (ULPCHECK_DTYPE_BF16 | ULPCHECK_DTYPE_FP16 | ULPCHECK_DTYPE_FP32)

static const ulpcheck_routing_kernel kRouting[] = {
    {
        "example.routing_fp32",                                       /* name: what --kernel takes */
        "example plugin: fp32 sigmoid routing, reference arithmetic", /* for 'ulpcheck list' */
        ALL_DTYPES,                                                   /* logits dtypes */
        ALL_DTYPES,                                                   /* bias dtypes */
        ULPCHECK_MEMORY_HOST,
        {
            ULPCHECK_DTYPE_FP32, /* arithmetic: scores and sums in fp32 */
            0.0,                 /* score_abs_error: expf is within an ulp or two, as fp32 allows */
            -1.0, 0.0,           /* weight budget: set per configuration by claim_for */
            -1.0,                /* min_score_sum: the default */
            1,                   /* NaN weights where every picked score is 0 */
            1,                   /* ids best first */
        },
        claim_for,
        run_routing,
        NULL, /* user_data */
    },
};

static const ulpcheck_plugin_v2 kPlugin = {
    ULPCHECK_KERNEL_ABI_VERSION,
    0, NULL, /* no elementwise kernels: silu_and_mul_plugin.c shows them */
    (uint32_t)(sizeof kRouting / sizeof kRouting[0]),
    kRouting,
};

ULPCHECK_PLUGIN_EXPORT const ulpcheck_plugin_v2* ulpcheck_plugin_entry(void) { return &kPlugin; }
