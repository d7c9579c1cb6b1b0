#include "ulpcheck/device/combine_variants.hpp"

#include <algorithm>
#include <cmath>

namespace ulpcheck::combine_variants {

namespace {

/// Error bounds in units of s = rsf * S + |shared|, S = sum_k |w_k y_k|, with u = 2^-24
/// (an fp32 rounding: relative error <= u) and u_s = 2^-p of the storage format (bf16 2^-8,
/// fp16 2^-11, fp32 2^-24). Each rounding's error is at most its unit times the magnitude
/// it rounds; every partial sum, product and output before the last rounding is at most
/// s (1 + O(k u_s)) in magnitude, and rsf * S <= s, |shared| <= s. For each variant, the
/// roundings *before the last one* (E' below) cost, in units of s:
///
///   fold_fused          w' = rsf w: u; k fmas: k u; + shared: u               (k + 2) u
///   scale_output_fused  k fmas: k u; rsf * acc: u; + shared: u                (k + 2) u
///   fold                w': u; k fmas: k u; routed to storage: u_s            (k + 1) u + u_s
///   scale_output        k fmas: k u; routed to storage: u_s;
///                       * rsf: u, to storage: u_s                             (k + 1) u + 2 u_s
///   fold_storage_sum    per row: w': u, product: u, to storage: u_s;
///                       per add (k - 1 of them): u, to storage: u_s           (3k - 1) u + (2k - 1) u_s
///   fp16_guard          (in output units, times rsf) k fmas: k u; routed to
///                       storage: u_s; 1/rsf: u, shared * (1/rsf): u, to
///                       storage: u_s; the add: u, to storage: u_s; * rsf: u   (k + 4) u + 3 u_s
///
/// The last rounding y = round(x) adds at most ulp(x) / 2. With |x - r| <= E', either
/// E' <= ulp(r) / 2 and |y - r| <= ulp(r) (at a binade boundary, y = 2^e exactly or the
/// second case), or E' > ulp(r) / 2 >= |y - x| and |y - r| < 2 E'. So the claim is
/// max_ulp 1 and a floor of 2 E' (times 1 + 2^-10 for the products of errors).
///
/// Roundings into the subnormals are absolute, not relative: at most 2^(emin - p) for
/// each rounding to storage and 2^-150 for each fp32 one, times rsf for those the guard's
/// rescale multiplies; `absolute` is twice their sum, as above.
struct Roundings {
  double u32 = 0;      ///< count of fp32 roundings before the last, in units of u
  double storage = 0;  ///< count of roundings to storage before the last, in units of u_s
};

Roundings roundings(const Variant& v, int k) {
  const double K = k;
  switch (v.scale) {
    case ScalePlacement::fold_weights:
      if (v.accumulation == Accumulation::storage) return {3 * K - 1, 2 * K - 1};
      return v.shared_add == SharedAdd::fp32 ? Roundings{K + 2, 0} : Roundings{K + 1, 1};
    case ScalePlacement::routed_output:
      if (v.accumulation == Accumulation::storage) return {3 * K + 1, 2 * K + 1};
      return v.shared_add == SharedAdd::fp32 ? Roundings{K + 2, 0} : Roundings{K + 1, 2};
    case ScalePlacement::fp16_guard:
      return v.accumulation == Accumulation::storage ? Roundings{3 * K + 3, 2 * K + 2} : Roundings{K + 4, 3};
  }
  return {};
}

}  // namespace

std::optional<CombineClaim> claim(const Variant& v, const CombineConfig& c, Format f) {
  if (!c.validate().empty()) return std::nullopt;
  if (f == Format::fp16 && !v.takes_fp16) return std::nullopt;
  const FormatShape s = format_shape(f);
  const double u = 0x1p-24, u_s = std::ldexp(1.0, -s.precision);
  const Roundings n = roundings(v, c.topk);
  const double margin = 1 + 0x1p-10;
  const double relative = 2 * (n.u32 * u + n.storage * u_s) * margin;
  const double rescale = v.scale == ScalePlacement::fp16_guard ? std::max(1.0, c.routed_scaling_factor) : 1.0;
  const double absolute = 2 * (n.u32 * 0x1p-150 + n.storage * std::ldexp(1.0, s.emin - s.precision)) * rescale;
  return CombineClaim{.max_ulp = 1.0, .relative = relative, .absolute = absolute};
}

math::CombineShape shape(const Variant& v, const CombineConfig& c, Format f) {
  return {f, c.topk, c.hidden, static_cast<float>(c.routed_scaling_factor), v.scale, v.accumulation, v.shared_add};
}

}  // namespace ulpcheck::combine_variants
