// The kernels of an exhaustive sweep (sweep.cu) as host code sees them: plain structs and
// launch functions returning a cudaError_t, so that the sweep's host side (sweep.cpp) is
// compiled by the host compiler, with no CUDA header.
#pragma once

#include <cstdint>

#include "ulpcheck/device/sweep/sweep.hpp"
#include "ulpcheck/reference/certified/element_oracles.hpp"

namespace ulpcheck::sweep::detail {

using u64 = unsigned long long;

inline constexpr int kWarpsPerBlock = 4;
inline constexpr int kPrefixBins = 65536;  ///< Figures::input_prefix's bins
/// The distributions' table: every input bucket's bins, then every result bucket's.
inline constexpr int kPrefixBuckets = kInputBuckets + kResultBuckets;
inline constexpr std::int64_t kPrefixEntries = static_cast<std::int64_t>(kPrefixBuckets) * kPrefixBins;
inline constexpr std::int64_t kEscalationCapacity = 1 << 22;

/// Accumulators::totals, in the order of Totals' counters, then Figures::special_rules.
enum TotalIndex {
  kCount, kNumeric, kCorrectlyRounded, kOffByOneUlp, kInFloorRegion, kAboveFloor, kCorrectlyRoundedAboveFloor,
  kBudgetBreaches, kSemanticDifferences, kSemanticViolations, kSpecialRules, kTotals
};

/// Where the device accumulates.
struct Accumulators {
  u64* totals;      ///< [kTotals]
  u64* maxima;      ///< [2] max_ulp, max_ulp_above_floor as double bits (non-negative: integer order)
  u64* in_counts;   ///< [kInputBuckets][4]: count, not_cr, in_floor, breaches
  u64* in_max;      ///< [kInputBuckets][2]
  u64* res_counts;  ///< [kResultBuckets][4]
  u64* res_max;     ///< [kResultBuckets][2]
  u64* special;     ///< [36][3]
  u64* histogram;   ///< [42][2]
  u64* prefix;      ///< [kInputBuckets + kResultBuckets][kPrefixBins]
  Listed* lists;    ///< [rows][kListKinds][kKeep]
  int* list_sizes;  ///< [rows][kListKinds]
  Escalated* escalated;
  u64* escalated_count;
  u64* worst_bars;  ///< [2] for kWorst, kWorstInFloor: double bits (sweep.cu's WorstBar)
};

struct CheckArgs {
  Format f;  ///< bf16/fp16: the pairs of a gated op; fp32: a unary op's inputs
  Budget budget;
  const void* out;
  std::int64_t first_row;
  int rows;
  const PreparedGate* gates;
  const double* ups;
  Accumulators acc;
  int chunk_row;  ///< the chunk's first row, relative to the plan's first row (list slots)
};

/// Writes rows [first_row, first_row + rows) of the element space as kernel inputs.
int launch_fill(void* in, int element_bytes, std::int64_t first_row, int rows, bool gated);
/// Folds every `group` consecutive rows' lists into one list per group ([groups][kListKinds]
/// [kKeep] and their sizes), in row order.
int launch_fold_lists(const Listed* lists, const int* sizes, std::int64_t rows, int group, Listed* out,
                      int* out_sizes);
/// Rows whose lists fold into one before they are read back.
inline constexpr int kListFold = 64;
/// Checks a chunk's outputs into the accumulators, on `stream` (a cudaStream_t).
int launch_check(ActivationKind kind, const CheckArgs& a, void* stream);
/// The distributions' table read back by its nonzero bins (the table is half a GiB, mostly
/// zeros): how many each bucket has ([kPrefixBuckets]); then, with each bucket's offset
/// into `bins` and `counts`, those bins and their counts, in bucket and bin order.
int count_prefix_bins(const u64* prefix, std::uint32_t* per_bucket);
int compact_prefix_bins(const u64* prefix, const std::uint32_t* offsets, std::uint16_t* bins, u64* counts);

}  // namespace ulpcheck::sweep::detail
