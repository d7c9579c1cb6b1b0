// Error budgets: how far from the exact value an output may be and still pass.
#pragma once

#include "ulpcheck/support/hd.hpp"

namespace ulpcheck {

/// An output y with exact value r passes when |y - r| <= max(max_ulp * ulp(r), abs_floor * s),
/// where s is the op's floor scale for that element (ElementwiseOp::floor_scale): 1 for a
/// unary op, |up| for act(gate) * up, because an absolute error e of the activation becomes
/// e * |up| in the output. The floor is what keeps tails where r underflows or cancels
/// (SiLU for gate < -88.7 in fp32 arithmetic, GELU for gate < -4) from being reported as
/// 1e7-ULP headlines: they pass on the floor, and reports count them apart.
struct Budget {
  double max_ulp = 0.5;
  double abs_floor = 0.0;
};

/// The pass rule above, given the element's ULP error and absolute error.
ULPCHECK_HD bool within_budget(double ulp_error, double abs_error, double floor_scale, const Budget& b) {
  return ulp_error <= b.max_ulp || abs_error <= b.abs_floor * floor_scale;
}

/// True when the exact value is inside the floor region, |r| < abs_floor * s: such elements
/// are reported apart ("tail") from the ULP headline.
ULPCHECK_HD bool in_floor_region(double abs_exact, double floor_scale, const Budget& b) {
  return abs_exact < b.abs_floor * floor_scale;
}

}  // namespace ulpcheck
