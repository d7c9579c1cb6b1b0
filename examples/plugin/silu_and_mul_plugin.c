/* An ulpcheck plugin in plain C99: the template to copy (docs/writing-a-plugin.md).
 *
 * It exports two host-memory kernels of the op silu_and_mul, y = silu(g) * u:
 *   example.silu_and_mul   fp32 arithmetic, one rounding to the output dtype;
 *   example.always_fails   shows how a kernel reports an error.
 *
 * Build:  cc -std=c99 -shared -fPIC -I<ulpcheck>/include silu_and_mul_plugin.c -lm -o libexample.so
 *         (storage_formats.h, beside it, converts bf16 and fp16; a real plugin calls its
 *         own kernel instead)
 * Run:    ulpcheck report --plugin ./libexample.so --op silu_and_mul --dtype bf16 \
 *             --kernel example.silu_and_mul
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ulpcheck/kernel_abi.h"

#include "storage_formats.h"

/* --- The kernel: silu(g) * u in fp32, as FlashInfer and PyTorch's fused kernels compute
 * it. For g < -88.72, expf(-g) overflows and silu(g) comes out -0 where the exact value is
 * below 2.8e-37 in magnitude: the abs_floor 2^-121 claimed below covers exactly that tail. */
static float silu_and_mul(float g, float u) { return g / (1.0f + expf(-g)) * u; }

static int run_silu_and_mul(const char* op, const ulpcheck_param* params, uint32_t param_count,
                            const DLTensor* input, DLTensor* output, void* cuda_stream, void* user_data, char* error,
                            size_t error_size) {
  const int64_t tokens = output->shape[0], d = output->shape[1];
  int64_t t, j;
  (void)op;                   /* always "silu_and_mul": the one op this kernel declares */
  (void)params, (void)param_count; /* silu_and_mul has no parameters */
  (void)cuda_stream;          /* a host kernel: always NULL */
  (void)user_data;            /* the descriptor's user_data: NULL here */
  /* ulpcheck guarantees the layout (kernel_abi.h); a kernel may still check what it relies on. */
  if (input->ndim != 2 || output->ndim != 2 || input->shape[0] != tokens || input->shape[1] != 2 * d) {
    snprintf(error, error_size, "example.silu_and_mul: expected input [t, 2d] and output [t, d]");
    return 1;
  }
  for (t = 0; t < tokens; ++t) {
    for (j = 0; j < d; ++j) {
      const int64_t g = t * 2 * d + j, u = g + d, y = t * d + j; /* row t is [gate | up] */
      if (output->dtype.bits == 32) {
        const float* in = (const float*)input->data;
        ((float*)output->data)[y] = silu_and_mul(in[g], in[u]);
      } else if (output->dtype.code == kDLBfloat) {
        const uint16_t* in = (const uint16_t*)input->data;
        ((uint16_t*)output->data)[y] = float_to_bf16(silu_and_mul(bf16_to_float(in[g]), bf16_to_float(in[u])));
      } else { /* kDLFloat, 16 bits */
        const uint16_t* in = (const uint16_t*)input->data;
        ((uint16_t*)output->data)[y] = float_to_fp16(silu_and_mul(fp16_to_float(in[g]), fp16_to_float(in[u])));
      }
    }
  }
  return 0;
}

/* A kernel that fails: nonzero return, NUL-terminated message. ulpcheck prints
 * "example.always_fails: run failed (code 3): <message>" and exits with status 2. */
static int run_always_fails(const char* op, const ulpcheck_param* params, uint32_t param_count,
                            const DLTensor* input, DLTensor* output, void* cuda_stream, void* user_data, char* error,
                            size_t error_size) {
  (void)op, (void)params, (void)param_count, (void)input, (void)output, (void)cuda_stream, (void)user_data;
  snprintf(error, error_size, "example.always_fails: refuses every input (this kernel shows how a plugin reports an error)");
  return 3;
}

/* --- The table ulpcheck reads. Budgets per dtype in the order bf16, fp16, fp32: one
 * rounding of an fp32 result is 0.5 ULP plus a few fp32 ULPs (0.51); fp32 itself is the
 * arithmetic (expf, add, divide, multiply: about 3 ULPs; 8 claimed). A max_ulp of -1 would
 * take the op's default budget instead. */
static const ulpcheck_elementwise_kernel kKernels[] = {
    {
        "example.silu_and_mul",                          /* name: what --kernel takes */
        "example plugin: fp32 silu(g) * u, one rounding", /* description for 'ulpcheck list' */
        "silu_and_mul",                                  /* op */
        ULPCHECK_DTYPE_BF16 | ULPCHECK_DTYPE_FP16 | ULPCHECK_DTYPE_FP32,
        ULPCHECK_MEMORY_HOST,
        {0.51, 0.51, 8.0},         /* max_ulp   bf16, fp16, fp32 */
        {0x1p-121, 0.0, 0x1p-121}, /* abs_floor bf16, fp16, fp32 */
        0, NULL,                   /* parameter ranges: silu_and_mul has no parameters */
        run_silu_and_mul,
        NULL, /* user_data, handed to run as is */
    },
    {
        "example.always_fails",
        "example plugin: reports an error on every call",
        "silu_and_mul",
        ULPCHECK_DTYPE_BF16,
        ULPCHECK_MEMORY_HOST,
        {-1.0, -1.0, -1.0}, /* the op's default budget */
        {0.0, 0.0, 0.0},
        0, NULL,
        run_always_fails,
        NULL,
    },
};

static const ulpcheck_plugin_v2 kPlugin = {
    ULPCHECK_KERNEL_ABI_VERSION,
    (uint32_t)(sizeof kKernels / sizeof kKernels[0]),
    kKernels,
    0, NULL, /* no routing kernels: routing_plugin.c shows one */
};

/* The one exported symbol. */
ULPCHECK_PLUGIN_EXPORT const ulpcheck_plugin_v2* ulpcheck_plugin_entry(void) { return &kPlugin; }
