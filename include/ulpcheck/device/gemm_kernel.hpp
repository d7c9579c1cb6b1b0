// A GEMM under test, for the MoE block's expert layers (reference/moe_block.hpp): inputs in
// a storage format F, fp32 accumulation, output rounded to F. Its claim bounds the error of
// one output against the exact dot product of its (F) inputs.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "ulpcheck/device/kernel.hpp"
#include "ulpcheck/reference/format.hpp"

namespace ulpcheck {

/// An output y with exact value r = sum_i a_i b_i passes when
///
///   |y - r| <= max(max_ulp * ulp(r),  relative * s + absolute),   s = sum_i |a_i b_i|.
///
/// A sum of n products in fp32 by any order of additions, each rounded to nearest (with or
/// without fused multiply-adds), is within gamma(n) * s of r, gamma(n) = n u / (1 - n u),
/// u = 2^-24 (Higham, Accuracy and Stability of Numerical Algorithms, 2nd ed., sec. 3.1),
/// plus an absolute 2^-150 per rounding that lands among fp32's subnormals. Rounding that
/// sum once more to F gives |y - r| <= max(ulp(r), 2 gamma(n) s): within ulp(r) / 2 + d
/// when y's binade is r's, and within 2 d when the sum crossed into the next binade (y is
/// then the binade's edge or beyond it by less than d).
struct GemmClaim {
  double max_ulp = 1.0;
  double relative = 0.0;
  double absolute = 0.0;
  double floor(double scale) const { return relative * scale + absolute; }
};

/// The claim above for a depth of n products whose additions round with unit `unit`
/// (2^-24 for round to nearest; 2^-23 for additions that may truncate).
GemmClaim fp32_accumulation_claim(std::int64_t depth, double unit = 0x1p-24);

struct GemmShape {
  std::int64_t m = 0, k = 0, n = 0;
};

class GemmKernel {
 public:
  virtual ~GemmKernel() = default;
  /// "<backend>.<variant>", e.g. "host.gemm_fp32_accumulate".
  virtual std::string_view name() const = 0;
  virtual std::string_view description() const = 0;
  /// The claim for a depth (k) in format f.
  virtual GemmClaim claim(Format f, std::int64_t depth) const = 0;
  /// c [m, n] = a [m, k] @ b [k, n], row-major bit patterns of f; the caller sizes c.
  /// Throws KernelError when it cannot run.
  virtual void run(Format f, GemmShape shape, const std::vector<std::uint32_t>& a, const std::vector<std::uint32_t>& b,
                   std::vector<std::uint32_t>& c) const = 0;
};

/// Throws KernelError naming the kernel unless a, b and c are sized for the shape.
void require_valid_gemm(std::string_view kernel, GemmShape shape, const std::vector<std::uint32_t>& a,
                        const std::vector<std::uint32_t>& b, const std::vector<std::uint32_t>& c);

/// The host GEMM: for each output, fmaf over i = 0, 1, ..., k - 1 into an fp32 accumulator
/// starting at 0 (a fixed order), then one rounding to F.
const GemmKernel& host_gemm_kernel();

}  // namespace ulpcheck
