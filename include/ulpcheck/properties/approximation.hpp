// An op against the op it approximates (ElementwiseOp's `approximates`) on the same inputs:
// how often their correctly rounded results differ and by how many ULPs, and the same for
// the outputs of a kernel of each. What a reader needs to decide whether running the
// approximation (the tanh GELU) where a model was trained with the exact op matters.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "ulpcheck/device/tensor.hpp"
#include "ulpcheck/properties/inputs.hpp"
#include "ulpcheck/properties/measure.hpp"

namespace ulpcheck {

/// The element where two results differ most (of a DifferenceStats).
struct DifferenceAt {
  std::int64_t row = 0;
  std::int64_t col = 0;
  std::uint32_t x0_bits = 0;  ///< input (unary) or gate
  std::uint32_t x1_bits = 0;  ///< up (arity 2)
  double result = 0.0;         ///< the exact op's result there (correctly rounded, or its kernel's output)
  double approx_result = 0.0;  ///< the approximation's (correctly rounded, or its kernel's output)
  DoubleDouble exact;          ///< the exact op's exact value
  double ulp_difference = 0.0;
};

/// The figures of one sign and binade of the input (gate): finite nonzero inputs x with
/// 2^binade <= |x| < 2^(binade+1).
struct DifferenceBinade {
  int sign = 1;  ///< -1 or +1
  int binade = 0;
  std::int64_t count = 0;
  std::int64_t differ = 0;
  std::int64_t in_floor_region = 0;  ///< of the elements with a ULP figure
  double max_ulp = 0.0;
  double max_ulp_above_floor = 0.0;
};

/// Two results per element over one input set, and how they differ.
///
/// Two results differ unless they are the same value with the same sign (+0 and -0 differ;
/// any NaN equals any NaN). A ULP difference is in units in the last place of the output
/// format at the exact op's exact value r (ulp_of(f, r), reference/ulp.hpp); it is given
/// where both results and r are finite ("compared"). The floor region is the exact op's
/// default budget's: |r| < abs_floor * |up|, the tail where the values themselves are
/// negligible and a ULP figure says little.
struct DifferenceStats {
  std::int64_t count = 0;
  std::int64_t differ = 0;
  std::int64_t compared = 0;
  std::int64_t in_floor_region = 0;  ///< of the compared elements
  std::int64_t above_floor = 0;      ///< compared elements outside the floor region
  std::int64_t differ_above_floor = 0;  ///< of those, the ones whose results differ
  double max_ulp = 0.0;              ///< over the compared elements
  double max_ulp_above_floor = 0.0;  ///< over the compared elements outside the floor region
  std::optional<DifferenceAt> worst;              ///< where max_ulp is reached (the first such); none when 0
  std::optional<DifferenceAt> worst_above_floor;  ///< where max_ulp_above_floor is reached
  std::vector<DifferenceBinade> binades;  ///< by sign (negative first), then binade upwards

  double fraction_differ() const { return count ? static_cast<double>(differ) / static_cast<double>(count) : 0.0; }
  double fraction_differ_above_floor() const {
    return above_floor ? static_cast<double>(differ_above_floor) / static_cast<double>(above_floor) : 0.0;
  }
};

/// The correctly rounded results of `exact_op` and of the op that approximates it on the
/// same inputs: `exact` and `approx` are the oracle's answers for each (evaluate_inputs).
/// The ULP difference of an element is |approx rounded - r| / ulp(r), r the exact op's exact
/// value: ulp_error(f, approx rounded, r), the error of a perfect kernel of the
/// approximation measured against the exact op. Where the two round alike it is <= 0.5.
/// Throws std::invalid_argument when the answers do not have one entry per element.
DifferenceStats compare_rounded(const ElementwiseOp& exact_op, Format f, const Params& params,
                                const InputSet& inputs, const OracleAnswers& exact, const OracleAnswers& approx);

/// The outputs of a kernel of `exact_op` and of a kernel of the approximation (run_kernel)
/// on the same inputs. The ULP difference of an element is |a - b| / ulp(r), a and b the
/// two outputs and r the exact op's exact value (from `exact`): 0 where they agree. Throws
/// std::invalid_argument when a shape does not match the inputs.
DifferenceStats compare_outputs(const ElementwiseOp& exact_op, Format f, const Params& params,
                                const InputSet& inputs, const OracleAnswers& exact, const BitTensor& exact_kernel_out,
                                const BitTensor& approx_kernel_out);

}  // namespace ulpcheck
