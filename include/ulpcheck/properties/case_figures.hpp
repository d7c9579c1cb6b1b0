// Where a measurement's error lives, as tables: per sign and binade of the input and per
// binade of the exact result, the same merged into a few ranges, the special-value table and
// a ULP histogram. They are what a report shows of the per-element data, so a run keeps them
// and lets the elements go (a report of many cases holds their figures, not their elements).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ulpcheck/device/sweep/sweep.hpp"
#include "ulpcheck/properties/measure.hpp"

namespace ulpcheck {

/// The figures of a set of numeric elements: a binade, a range, a special row.
struct ErrorFigures {
  std::int64_t count = 0, not_correctly_rounded = 0, in_floor_region = 0, breaches = 0;
  double max_ulp = 0.0, max_ulp_above_floor = 0.0, p99_ulp = 0.0;
};

/// What a row of a table holds: a binade (or a range of binades), or one of the rows that
/// lie outside them.
enum class RowKind { binade, zero, underflow, non_finite };

/// One row of a table by binade. Input tables: sign -1 or +1 (0 on the zero and non-finite
/// rows); result tables: sign 0, by |exact result|.
struct BinadeRow {
  RowKind kind = RowKind::binade;
  int sign = 0;
  int binade = 0;
  ErrorFigures figures;
};

/// One row of a table by range: consecutive binades of one sign with alike errors.
struct RangeRow {
  RowKind kind = RowKind::binade;
  std::string label;  ///< "[2^-3, 2^2)", "(-2^5, -2^1]", "(0, 2^-133) below subnormal"
  int sign = 0;
  int binade_lo = 0, binade_hi = 0;
  ErrorFigures figures;
};

/// Input classes of the special-value table.
enum class ValueClass { nan, plus_inf, minus_inf, zero, subnormal, normal };
const char* name(ValueClass c);

struct SpecialValueRow {
  ValueClass x0;  ///< input (unary) or gate
  ValueClass x1;  ///< up; unused for unary ops
  std::int64_t count = 0, semantic_differences = 0, breaches = 0;
};

/// Counts of ULP errors in log-scale bins: [0, 2^-8), [2^k, 2^(k+1)) for k = -8..31, and
/// [2^32, inf), with how many of each lie in the floor region. 2^32 is past any ULP error a
/// 24-bit format can have short of a wrong exponent.
struct HistogramBin {
  double lo = 0.0, hi = 0.0;
  std::int64_t count = 0, in_floor_region = 0;
};

struct CaseFigures {
  double p50_ulp = 0.0, p99_ulp = 0.0, p99_9_ulp = 0.0;
  std::vector<BinadeRow> binades_input, binades_result;
  std::vector<RangeRow> ranges_input, ranges_result;
  std::vector<SpecialValueRow> special_values;
  std::vector<HistogramBin> ulp_histogram;
};

/// The tables of a measurement. Ranges: consecutive binades of one sign merge while their
/// maximum ULP errors outside the floor region stay within a factor of two of each other
/// (exact binades apart), they lie mostly in the floor region or mostly outside it, have
/// breaches or none, and are all subnormal or all normal; then, while there are more than
/// 14 ranges, the two neighbours of one sign whose maxima are closest merge. Empty binades
/// are left out; exact results below the smallest subnormal form one "underflow" row.
CaseFigures case_figures(const Measurement& m);

/// The same tables for an exhaustive sweep, from its figures: counts and maxima exact;
/// percentiles, there kept as counts by bins 2^-7 wide (relatively, sweep::Figures), are the
/// top of the bin the nearest-rank element lies in, so at most 0.8% above the exact figure
/// (0 when that bin is the lowest, below 1e-40).
CaseFigures case_figures(const sweep::Figures& figures, Format format);

/// The q-quantile read from counts by bin (sweep::Figures' distributions), as above.
double distribution_percentile(std::vector<std::pair<std::uint16_t, std::int64_t>> bins, double q);

/// A measurement with its figures, its per-element data released.
struct CaseResult {
  Measurement measurement;  ///< stats.elements and stats.ulp_errors are empty
  CaseFigures figures;
};
CaseResult digest(Measurement m);

}  // namespace ulpcheck
