// Device helpers of the GELU GPU tests (host compiler side sees only declarations).
#pragma once

namespace ulpcheck {

struct TanhApproxError {
  double max_relative = 0.0;  ///< max |tanh.approx(x) - tanh(x)| / |tanh(x)| over finite x != 0
  double max_ulp = 0.0;       ///< the same as a ULP error of the fp32 result
  float worst_x = 0.0f;
};

/// tanh.approx.f32 against double-precision tanh on the GPU, for all 2^32 bit patterns.
TanhApproxError tanh_approx_error_over_all_floats();

}  // namespace ulpcheck
