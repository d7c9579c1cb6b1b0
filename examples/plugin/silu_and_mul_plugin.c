/* An ulpcheck plugin in plain C99: the template to copy (docs/writing-a-plugin.md).
 *
 * It exports two host-memory kernels of the op silu_and_mul, y = silu(g) * u:
 *   example.silu_and_mul   fp32 arithmetic, one rounding to the output dtype;
 *   example.always_fails   shows how a kernel reports an error.
 *
 * Build:  cc -std=c99 -shared -fPIC -I<ulpcheck>/include silu_and_mul_plugin.c -lm -o libexample.so
 * Run:    ulpcheck report --plugin ./libexample.so --op silu_and_mul --dtype bf16 \
 *             --kernel example.silu_and_mul
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ulpcheck/kernel_abi.h"

/* --- Storage formats. Tensors hold raw bits: uint16_t for bf16 and fp16, uint32_t for
 * fp32. A real plugin calls its own kernel instead and needs none of this. */

static float float_from_bits(uint32_t b) {
  float f;
  memcpy(&f, &b, sizeof f);
  return f;
}

static uint32_t bits_from_float(float f) {
  uint32_t b;
  memcpy(&b, &f, sizeof b);
  return b;
}

/* bf16 is the top half of an fp32: widening is exact. */
static float bf16_to_float(uint16_t h) { return float_from_bits((uint32_t)h << 16); }

/* fp32 -> bf16, to nearest with ties to even. Adding 0x7fff plus the lowest kept bit to the
 * bits rounds the dropped half correctly everywhere: a carry into the exponent turns the
 * largest values into inf and the largest subnormals into the smallest normal, as it should.
 * NaN must not carry (it could turn into inf), so it is made quiet instead. */
static uint16_t float_to_bf16(float f) {
  uint32_t b = bits_from_float(f);
  if ((b & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((b >> 16) | 0x0040u);
  b += 0x7fffu + ((b >> 16) & 1u);
  return (uint16_t)(b >> 16);
}

/* fp16 -> fp32, exact: 1 sign, 5 exponent (bias 15), 10 fraction bits. */
static float fp16_to_float(uint16_t h) {
  const uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
  const uint32_t exponent = (h >> 10) & 0x1fu, fraction = h & 0x3ffu;
  if (exponent == 0x1f) return float_from_bits(sign | 0x7f800000u | (fraction << 13)); /* inf, NaN */
  if (exponent == 0) { /* zero or subnormal: fraction * 2^-24, exact in fp32 */
    const float v = (float)fraction * 0x1p-24f;
    return sign ? -v : v;
  }
  return float_from_bits(sign | ((exponent + 112u) << 23) | (fraction << 13)); /* rebias 15 -> 127 */
}

/* fp32 -> fp16, to nearest with ties to even. */
static uint16_t float_to_fp16(float f) {
  const uint32_t b = bits_from_float(f);
  const uint16_t sign = (uint16_t)((b >> 16) & 0x8000u);
  uint32_t a = b & 0x7fffffffu; /* |f| */
  if (a > 0x7f800000u) return (uint16_t)(sign | 0x7e00u); /* NaN: a quiet NaN */
  if (a >= 0x477ff000u) return (uint16_t)(sign | 0x7c00u); /* >= 65520, halfway above the largest fp16 65504: inf */
  if (a < 0x38800000u) {
    /* Below 2^-14, the smallest normal: subnormals are multiples of 2^-24. Scaling by 2^24
     * is exact and rintf rounds ties to even; 1024 (2^-14 after rounding up) is exactly
     * the bits of the smallest normal. */
    return (uint16_t)(sign | (uint16_t)rintf(float_from_bits(a) * 0x1p24f));
  }
  a -= (uint32_t)(127 - 15) << 23;    /* rebias the exponent */
  a += 0x0fffu + ((a >> 13) & 1u);    /* round the 13 dropped bits, ties to even */
  return (uint16_t)(sign | (a >> 13)); /* a carry into the exponent is the right answer */
}

/* --- The kernel: silu(g) * u in fp32, as FlashInfer and PyTorch's fused kernels compute
 * it. For g < -88.72, expf(-g) overflows and silu(g) comes out -0 where the exact value is
 * below 2.8e-37 in magnitude: the abs_floor 2^-121 claimed below covers exactly that tail. */
static float silu_and_mul(float g, float u) { return g / (1.0f + expf(-g)) * u; }

static int run_silu_and_mul(const DLTensor* input, DLTensor* output, const ulpcheck_op_params* params,
                            void* cuda_stream, char* error, size_t error_size) {
  const int64_t tokens = output->shape[0], d = output->shape[1];
  int64_t t, j;
  (void)params;      /* silu_and_mul has no parameters (limit is +inf) */
  (void)cuda_stream; /* a host kernel: always NULL */
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
static int run_always_fails(const DLTensor* input, DLTensor* output, const ulpcheck_op_params* params,
                            void* cuda_stream, char* error, size_t error_size) {
  (void)input;
  (void)output;
  (void)params;
  (void)cuda_stream;
  snprintf(error, error_size, "example.always_fails: refuses every input (this kernel shows how a plugin reports an error)");
  return 3;
}

/* --- The table ulpcheck reads. Budgets per dtype in the order bf16, fp16, fp32: one
 * rounding of an fp32 result is 0.5 ULP plus a few fp32 ULPs (0.51); fp32 itself is the
 * arithmetic (expf, add, divide, multiply: about 3 ULPs; 8 claimed). A max_ulp of -1 would
 * take the op's default budget instead. */
static const ulpcheck_kernel_desc kKernels[] = {
    {
        "example.silu_and_mul",                          /* name: what --kernel takes */
        "example plugin: fp32 silu(g) * u, one rounding", /* description for 'ulpcheck list' */
        "silu_and_mul",                                  /* op */
        ULPCHECK_DTYPE_BF16 | ULPCHECK_DTYPE_FP16 | ULPCHECK_DTYPE_FP32,
        ULPCHECK_MEMORY_HOST,
        {0.51, 0.51, 8.0},         /* max_ulp   bf16, fp16, fp32 */
        {0x1p-121, 0.0, 0x1p-121}, /* abs_floor bf16, fp16, fp32 */
        run_silu_and_mul,
    },
    {
        "example.always_fails",
        "example plugin: reports an error on every call",
        "silu_and_mul",
        ULPCHECK_DTYPE_BF16,
        ULPCHECK_MEMORY_HOST,
        {-1.0, -1.0, -1.0}, /* the op's default budget */
        {0.0, 0.0, 0.0},
        run_always_fails,
    },
};

static const ulpcheck_plugin kPlugin = {
    ULPCHECK_KERNEL_ABI_VERSION,
    (uint32_t)(sizeof kKernels / sizeof kKernels[0]),
    kKernels,
};

/* The one exported symbol. */
ULPCHECK_PLUGIN_EXPORT const ulpcheck_plugin* ulpcheck_plugin_entry(void) { return &kPlugin; }
