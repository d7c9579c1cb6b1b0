// Figures over many elements: what a precision report quotes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "ulpcheck/properties/compare.hpp"
#include "ulpcheck/reference/exact.hpp"

namespace ulpcheck {

/// One element worth showing: where it is, its inputs and output as bits, the exact value.
struct ElementReport {
  std::int64_t row = 0;  ///< in the kernel call (batch) that computed it
  std::int64_t col = 0;
  int arity = 1;
  std::uint32_t x0_bits = 0;  ///< input (unary) or gate
  std::uint32_t x1_bits = 0;  ///< up (arity 2)
  std::uint32_t got_bits = 0;
  Exact exact;
  ElementCheck check;
  std::size_t batch = 0;   ///< which call of the input set's batches (0 when there is one)
  std::int64_t index = 0;  ///< the element's place in the input set, whatever its batches
};

/// One element, compactly, for the tables of a report (where the error lives, special
/// values): its inputs as bits, its ULP error and the binade of the exact result.
struct ElementTrace {
  static constexpr std::uint8_t kNumeric = 1, kCorrectlyRounded = 2, kSemanticDifference = 4, kBreach = 8,
                                kInFloorRegion = 16;
  /// result_binade for an exact result of 0, and for a non-finite one.
  static constexpr std::int16_t kBinadeZero = -32768, kBinadeNonFinite = 32767;
  std::uint32_t x0_bits = 0;  ///< input (unary) or gate
  std::uint32_t x1_bits = 0;  ///< up (arity 2)
  float ulp_error = 0.0f;     ///< 0 when not numeric
  std::int16_t result_binade = 0;  ///< floor(log2 |exact|), or kBinadeZero / kBinadeNonFinite
  std::uint8_t flags = 0;
  bool has(std::uint8_t flag) const { return (flags & flag) != 0; }
};

/// Running figures. Fractions are over all elements.
struct ErrorStats {
  std::int64_t count = 0;
  std::int64_t numeric = 0;            ///< elements with a ULP figure
  std::int64_t correctly_rounded = 0;
  std::int64_t off_by_one_ulp = 0;     ///< ulp_error >= 1
  std::int64_t in_floor_region = 0;
  std::int64_t above_floor = 0;                    ///< numeric elements outside the floor region
  std::int64_t correctly_rounded_above_floor = 0;  ///< of those, correctly rounded
  std::int64_t budget_breaches = 0;
  std::int64_t semantic_differences = 0;  ///< all semantic disagreements
  std::int64_t semantic_violations = 0;   ///< those that fail (see ElementCheck)
  double max_ulp = 0.0;                ///< over all numeric elements
  double max_ulp_above_floor = 0.0;    ///< over numeric elements outside the floor region

  /// Every numeric element's ULP error (as float: percentiles need no more), in element
  /// order, for percentiles and histograms.
  std::vector<float> ulp_errors;

  /// Every element (numeric or not), in element order.
  std::vector<ElementTrace> elements;

  static constexpr std::size_t kKeep = 8;
  std::vector<ElementReport> worst;          ///< largest ULP errors outside the floor region
  std::vector<ElementReport> worst_in_floor; ///< largest ULP errors inside it
  std::vector<ElementReport> breaches;       ///< first budget breaches
  std::vector<ElementReport> semantic;       ///< first semantic disagreements
  std::vector<ElementReport> semantic_failures;  ///< first semantic disagreements that fail

  void add(const ElementReport& e);
  /// Folds in the figures of elements that come after this one's (order matters for the
  /// "first" lists only).
  void merge(const ErrorStats& later);
  bool passes() const { return budget_breaches == 0 && semantic_violations == 0; }
  /// The element to show first when the case fails: the first budget breach, else the first
  /// failing semantic difference. Only for stats that do not pass.
  const ElementReport& first_failure() const { return !breaches.empty() ? breaches.front() : semantic_failures.front(); }
  double fraction(std::int64_t n) const { return count ? static_cast<double>(n) / count : 0.0; }
  /// The q-quantile (0 <= q <= 1) of the numeric elements' ULP errors, nearest rank; 0
  /// when there are none. p50 = percentile(0.5), p99.9 = percentile(0.999).
  double percentile(double q) const;
};

/// The q-quantile (0 <= q <= 1) of `values` by nearest rank: the smallest value with at
/// least q of them at or below it; 0 for no values.
double nearest_rank_percentile(std::vector<float> values, double q);

}  // namespace ulpcheck
