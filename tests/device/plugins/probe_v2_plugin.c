/* A version 2 plugin that checks what ulpcheck hands it against kernel_abi.h's promises
 * (tests/device/plugin_v2_test.cpp pins them): the op by name, every parameter by name in
 * the op's order, user_data, the parameter range a kernel declares, the routing tensors and
 * configuration; and a routing kernel with a planted bug. Built with -DBROKEN_<defect>, it
 * is one of the broken version 2 plugins instead, one per check of the loader. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ulpcheck/kernel_abi.h"

/* In a broken build (-DBROKEN), the good kernels take other names, so that the probe and a
 * broken plugin load in one process and each broken load fails on its own defect. */
#ifdef BROKEN
#define PARAMS_NAME "broken2.fine"
#define ROUTING_NAME "broken2.fine_routing"
#else
#define PARAMS_NAME "probe2.params"
#define ROUTING_NAME "probe2.first_experts"
#endif

static int marker = 42; /* user_data of every kernel: its address comes back */

#define FAIL(code, ...)                          \
  do {                                           \
    snprintf(error, error_size, __VA_ARGS__);    \
    return code;                                 \
  } while (0)

/* silu_and_mul_clamp, fp32: checks the op name, the one parameter and user_data, then
 * writes the limit it was given into every output element. */
static int run_params(const char* op, const ulpcheck_param* params, uint32_t count, const DLTensor* in,
                      DLTensor* out, void* stream, void* user_data, char* error, size_t error_size) {
  int64_t i, n = out->shape[0] * out->shape[1];
  (void)in, (void)stream;
  if (strcmp(op, "silu_and_mul_clamp") != 0) FAIL(10, "probe: op is '%s'", op);
  if (count != 1 || strcmp(params[0].name, "limit") != 0) FAIL(11, "probe: parameters are not exactly 'limit'");
  if (user_data != &marker) FAIL(12, "probe: user_data is not the descriptor's");
  for (i = 0; i < n; ++i) ((float*)out->data)[i] = (float)params[0].value;
  return 0;
}

/* silu, fp32: no parameters. */
static int run_no_params(const char* op, const ulpcheck_param* params, uint32_t count, const DLTensor* in,
                         DLTensor* out, void* stream, void* user_data, char* error, size_t error_size) {
  (void)params, (void)in, (void)out, (void)stream, (void)user_data;
  if (strcmp(op, "silu") != 0 || count != 0) FAIL(13, "probe: silu with %u parameters, op '%s'", count, op);
  return 0;
}

static const ulpcheck_param_range kLimitRange[] = {{"limit", 1.0, 10.0}};

#define DEFAULT_BUDGET {-1.0, -1.0, -1.0}, {0.0, 0.0, 0.0}

static const ulpcheck_elementwise_kernel kElementwise[] = {
    {PARAMS_NAME, "limit in [1, 10]", "silu_and_mul_clamp", ULPCHECK_DTYPE_FP32, ULPCHECK_MEMORY_HOST,
     DEFAULT_BUDGET, 1, kLimitRange, run_params, &marker},
    {PARAMS_NAME, NULL, "silu", ULPCHECK_DTYPE_FP32, ULPCHECK_MEMORY_HOST, DEFAULT_BUDGET, 0, NULL,
     run_no_params, &marker},
#if defined(BROKEN_unknown_param)
    {"broken2.unknown_param", NULL, "silu_and_mul_clamp", ULPCHECK_DTYPE_FP32, ULPCHECK_MEMORY_HOST, DEFAULT_BUDGET, 1,
     (const ulpcheck_param_range[]){{"alpha", 0.0, 1.0}}, run_params, NULL},
#elif defined(BROKEN_inverted_range)
    {"broken2.inverted_range", NULL, "silu_and_mul_clamp", ULPCHECK_DTYPE_FP32, ULPCHECK_MEMORY_HOST, DEFAULT_BUDGET,
     1, (const ulpcheck_param_range[]){{"limit", 5.0, 1.0}}, run_params, NULL},
#elif defined(BROKEN_null_ranges)
    {"broken2.null_ranges", NULL, "silu_and_mul_clamp", ULPCHECK_DTYPE_FP32, ULPCHECK_MEMORY_HOST, DEFAULT_BUDGET, 2,
     NULL, run_params, NULL},
#endif
};

/* --- routing ---------------------------------------------------------------------------- */

/* Checks the tensors and the configuration, then picks experts 0..topk-1 with weight 1 for
 * every token: a router that ignores its inputs, which the checks must catch. */
static int run_routing(const ulpcheck_routing_config* c, const DLTensor* logits, const DLTensor* bias, DLTensor* ids,
                       DLTensor* weights, void* stream, void* user_data, char* error, size_t error_size) {
  const int64_t tokens = logits->shape[0];
  int64_t t, k;
  (void)stream;
  if (user_data != &marker) FAIL(20, "probe: user_data is not the descriptor's");
  if (logits->ndim != 2 || logits->shape[1] != c->experts) FAIL(21, "probe: logits are not [tokens, experts]");
  if (bias->ndim != 1 || bias->shape[0] != c->experts) FAIL(22, "probe: bias is not [experts]");
  if (ids->ndim != 2 || ids->shape[0] != tokens || ids->shape[1] != c->topk) FAIL(23, "probe: ids are not [tokens, topk]");
  if (ids->dtype.code != kDLInt || ids->dtype.bits != 32) FAIL(24, "probe: ids are not int32");
  if (weights->dtype.code != kDLFloat || weights->dtype.bits != 32) FAIL(25, "probe: weights are not fp32");
  if (logits->dtype.code != kDLBfloat || logits->dtype.bits != 16) FAIL(26, "probe: logits are not bf16");
  if (bias->dtype.code != kDLFloat || bias->dtype.bits != 32) FAIL(27, "probe: bias is not fp32");
  if (((uint32_t*)weights->data)[0] != 0xffffffffu) FAIL(28, "probe: weights were not poisoned");
  for (t = 0; t < tokens; ++t)
    for (k = 0; k < c->topk; ++k) {
      ((int32_t*)ids->data)[t * c->topk + k] = (int32_t)k;
      ((float*)weights->data)[t * c->topk + k] = 1.0f;
    }
  return 0;
}

/* Takes sigmoid scoring only, and widens the weight budget with topk. */
static int claim_for(const ulpcheck_routing_config* c, uint32_t logits_dtype, uint32_t bias_dtype,
                     ulpcheck_routing_claim* claim, void* user_data) {
  (void)logits_dtype, (void)bias_dtype, (void)user_data;
  if (c->scoring != ULPCHECK_SCORING_SIGMOID) return 0;
  claim->weight_max_ulp = 100.0 + c->topk;
  return 1;
}

#define CLAIM {ULPCHECK_DTYPE_FP32, 0.0, -1.0, 0.0, -1.0, 0, 1}

static const ulpcheck_routing_kernel kRouting[] = {
    {ROUTING_NAME, "picks experts 0..topk-1", ULPCHECK_DTYPE_BF16, ULPCHECK_DTYPE_FP32, ULPCHECK_MEMORY_HOST,
     CLAIM, claim_for, run_routing, &marker},
#if defined(BROKEN_null_routing_run)
    {"broken2.null_routing_run", NULL, ULPCHECK_DTYPE_BF16, ULPCHECK_DTYPE_FP32, ULPCHECK_MEMORY_HOST, CLAIM, NULL,
     NULL, NULL},
#elif defined(BROKEN_bad_arithmetic)
    {"broken2.bad_arithmetic", NULL, ULPCHECK_DTYPE_BF16, ULPCHECK_DTYPE_FP32, ULPCHECK_MEMORY_HOST,
     {3, 0.0, -1.0, 0.0, -1.0, 0, 1}, NULL, run_routing, NULL},
#elif defined(BROKEN_zero_bias_dtypes)
    {"broken2.zero_bias_dtypes", NULL, ULPCHECK_DTYPE_BF16, 0, ULPCHECK_MEMORY_HOST, CLAIM, NULL, run_routing, NULL},
#elif defined(BROKEN_bad_sorted)
    {"broken2.bad_sorted", NULL, ULPCHECK_DTYPE_BF16, ULPCHECK_DTYPE_FP32, ULPCHECK_MEMORY_HOST,
     {ULPCHECK_DTYPE_FP32, 0.0, -1.0, 0.0, -1.0, 0, 2}, NULL, run_routing, NULL},
#elif defined(BROKEN_routing_clash)
    {PARAMS_NAME, NULL, ULPCHECK_DTYPE_BF16, ULPCHECK_DTYPE_FP32, ULPCHECK_MEMORY_HOST, CLAIM, NULL, run_routing,
     NULL},
#elif defined(BROKEN_routing_builtin)
    {"host.routing_fp32", NULL, ULPCHECK_DTYPE_BF16, ULPCHECK_DTYPE_FP32, ULPCHECK_MEMORY_HOST, CLAIM, NULL,
     run_routing, NULL},
#endif
};

static const ulpcheck_plugin_v2 kPlugin = {
    ULPCHECK_KERNEL_ABI_VERSION,
#if defined(BROKEN_no_kernels)
    0, NULL, 0, NULL,
#elif defined(BROKEN_null_routing)
    sizeof kElementwise / sizeof kElementwise[0], kElementwise, 1, NULL,
#else
    sizeof kElementwise / sizeof kElementwise[0], kElementwise, sizeof kRouting / sizeof kRouting[0], kRouting,
#endif
};

ULPCHECK_PLUGIN_EXPORT const ulpcheck_plugin_v2* ulpcheck_plugin_entry(void) { return &kPlugin; }
