/* Conversions between fp32 and the 16-bit storage formats, for the example plugins. Tensors
 * hold raw bits: uint16_t for bf16 and fp16, uint32_t for fp32. A real plugin calls its own
 * kernel instead and needs none of this. */
#ifndef ULPCHECK_EXAMPLE_STORAGE_FORMATS_H
#define ULPCHECK_EXAMPLE_STORAGE_FORMATS_H

#include <math.h>
#include <stdint.h>
#include <string.h>

static inline float float_from_bits(uint32_t b) {
  float f;
  memcpy(&f, &b, sizeof f);
  return f;
}

static inline uint32_t bits_from_float(float f) {
  uint32_t b;
  memcpy(&b, &f, sizeof b);
  return b;
}

/* bf16 is the top half of an fp32: widening is exact. */
static inline float bf16_to_float(uint16_t h) { return float_from_bits((uint32_t)h << 16); }

/* fp32 -> bf16, to nearest with ties to even. Adding 0x7fff plus the lowest kept bit to the
 * bits rounds the dropped half correctly everywhere: a carry into the exponent turns the
 * largest values into inf and the largest subnormals into the smallest normal, as it should.
 * NaN must not carry (it could turn into inf), so it is made quiet instead. */
static inline uint16_t float_to_bf16(float f) {
  uint32_t b = bits_from_float(f);
  if ((b & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((b >> 16) | 0x0040u);
  b += 0x7fffu + ((b >> 16) & 1u);
  return (uint16_t)(b >> 16);
}

/* fp16 -> fp32, exact: 1 sign, 5 exponent (bias 15), 10 fraction bits. */
static inline float fp16_to_float(uint16_t h) {
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
static inline uint16_t float_to_fp16(float f) {
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

#endif /* ULPCHECK_EXAMPLE_STORAGE_FORMATS_H */
