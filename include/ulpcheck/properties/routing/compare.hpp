// A routing kernel's output against the exact oracle, token by token. A different expert is
// a routing error unless the oracle's own decision at that boundary was closer than the
// kernel's declared arithmetic can resolve (a near-tie); weights are compared in fp32 ULPs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ulpcheck/device/routing_kernel.hpp"
#include "ulpcheck/reference/routing.hpp"

namespace ulpcheck {

/// How far apart two exact biased scores (or group scores) must be for the kernel's
/// arithmetic to order them correctly, given their magnitude. Each b = s + bias is off by
/// at most its own rounding (one ulp of b in the arithmetic format, for margin), the
/// rounding of s (one ulp of 1: s < 1) and the claim's score_abs_error; two of them can
/// err in opposite directions. A group score adds the rounding of the sum.
double expert_tie_band(const RoutingConfig& config, const RoutingClaim& claim, double b_magnitude);
double group_tie_band(const RoutingConfig& config, const RoutingClaim& claim, double group_score_magnitude,
                      double b_magnitude);

enum class IdVerdict : std::uint8_t {
  match,      ///< the same set of experts as the oracle (and the same order, when asked)
  near_tie,   ///< a different set, but the oracle's margin at a boundary is within the band
  mismatch,   ///< a different set with no near-tie to explain it: a routing error
  invalid,    ///< an id out of range, repeated, or more groups used than topk_group
};
std::string_view describe(IdVerdict v);

/// One token compared.
struct TokenCheck {
  IdVerdict ids = IdVerdict::match;
  bool order_differs = false;   ///< same set, other order (only counts for sorted kernels)
  bool weights_in_floor = false;  ///< exact picked-score sum below claim.min_score_sum
  bool weights_checked = false;   ///< ids matched and the token is outside the floor
  int weight_breaches = 0;        ///< weights outside the budget
  bool bad_weight = false;        ///< a NaN, infinite or negative weight not declared by the claim
  double max_weight_ulp = 0.0;    ///< over the checked weights
  double weight_sum_error = 0.0;  ///< |sum of weights - scale| / scale, renormalised tokens only
  bool passes() const {
    return (ids == IdVerdict::match || ids == IdVerdict::near_tie) && weight_breaches == 0 && !bad_weight;
  }
};

/// Compares token t of a batch: the kernel's ids and weights [topk] against the oracle's
/// answer for that token, given the token's inputs (for the magnitudes of the bands).
/// `weight_ulps`, when given, receives the ULP error of every weight held to the budget.
TokenCheck check_token(const RoutingConfig& config, const RoutingClaim& claim, const RoutingInputs& inputs,
                       std::int64_t token, const TokenRouting& exact, const std::int32_t* ids, const float* weights,
                       bool order_sensitive = false, std::vector<float>* weight_ulps = nullptr);

/// Figures over a batch.
struct RoutingStats {
  std::int64_t tokens = 0;
  std::int64_t matches = 0, near_ties = 0, mismatches = 0, invalid = 0, order_differs = 0;
  std::int64_t weight_tokens_checked = 0, weights_in_floor = 0, weight_breaches = 0, bad_weights = 0;
  double max_weight_ulp = 0.0;
  double max_weight_sum_error = 0.0;
  std::vector<float> weight_ulps;  ///< every checked weight's ULP error, for percentiles
  /// The oracle's margins of every token (exact, as doubles), for their distribution.
  std::vector<double> group_margins, expert_margins;
  /// Tokens whose ids differ from the oracle's at a near-tie, in order.
  std::vector<std::int64_t> near_tie_tokens;
  /// The first failing tokens, explained.
  std::vector<std::string> failures;
  static constexpr std::size_t kKeep = 8;
  bool passes() const { return mismatches == 0 && invalid == 0 && weight_breaches == 0 && bad_weights == 0; }
  /// Nearest-rank percentile (q in [0, 1]) of weight_ulps; 0 when no weight was checked.
  double weight_ulp_percentile(double q) const;
};

/// Compares a whole batch.
RoutingStats compare_routing(const RoutingConfig& config, const RoutingClaim& claim, const RoutingInputs& inputs,
                             const std::vector<TokenRouting>& exact, const RoutingOutputs& outputs,
                             bool order_sensitive = false);

/// What went wrong with a token, for a person: the config, the token's ids and weights
/// beside the oracle's, its margins and the band, and the verdict.
std::string explain_token(const RoutingConfig& config, const RoutingClaim& claim, const RoutingInputs& inputs,
                          std::int64_t token, const TokenRouting& exact, const std::int32_t* ids,
                          const float* weights, const TokenCheck& check);

}  // namespace ulpcheck
