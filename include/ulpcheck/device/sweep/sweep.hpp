// Exhaustive sweeps on the GPU: a kernel under test run on every element of a 2^32 space
// (sweep/outcome.hpp lays it out) and each output checked against the GPU oracle
// (reference/certified/), the figures reduced on the device. No CUDA headers here: host
// code holds a Sweep; a build without CUDA answers every call with the reason.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ulpcheck/device/kernel.hpp"
#include "ulpcheck/device/sweep/outcome.hpp"
#include "ulpcheck/reference/certified/pair_tables.hpp"
#include "ulpcheck/reference/op.hpp"

namespace ulpcheck::sweep {

struct BucketFigures {
  std::int64_t count = 0, not_correctly_rounded = 0, in_floor = 0, breaches = 0;
  double max_ulp = 0.0, max_ulp_above_floor = 0.0;
};
struct SpecialCell {
  std::int64_t count = 0, semantic_differences = 0, breaches = 0;
};
struct HistogramCell {
  std::int64_t count = 0, in_floor = 0;
};
/// ErrorStats' counters, and its maxima.
struct Totals {
  std::int64_t count = 0, numeric = 0, correctly_rounded = 0, off_by_one_ulp = 0, in_floor_region = 0,
               above_floor = 0, correctly_rounded_above_floor = 0, budget_breaches = 0, semantic_differences = 0,
               semantic_violations = 0;
  double max_ulp = 0.0, max_ulp_above_floor = 0.0;
};

/// An element a list keeps: the GPU returns where it is and what the kernel gave; the host
/// recomputes the rest (the oracle's answer, the check) for the few it shows.
struct Listed {
  std::int64_t index = 0;
  std::uint32_t got_bits = 0;
  double ulp = 0.0;
};
/// ErrorStats' lists, in its order: the largest ULP errors outside and inside the floor
/// region (ties to the earlier element), the first budget breaches, semantic differences
/// and failing semantic differences.
enum ListKind { kWorst, kWorstInFloor, kBreaches, kSemantic, kSemanticFailures, kListKinds };
inline constexpr std::size_t kKeep = 8;

/// Puts `list` in its kind's order (index; or ULP error, largest first, then index) and
/// keeps the first kKeep.
void keep_listed(ListKind kind, std::vector<Listed>& list);

/// What a sweep (or a shard of one) counted.
struct Figures {
  Totals totals;
  std::vector<BucketFigures> input = std::vector<BucketFigures>(kInputBuckets);
  std::vector<BucketFigures> result = std::vector<BucketFigures>(kResultBuckets);
  std::array<SpecialCell, kValueClasses * kValueClasses> special{};  ///< [x0 class * 6 + x1 class]
  std::array<HistogramCell, kHistogramBins> histogram{};
  std::array<std::vector<Listed>, kListKinds> lists;
  /// Per bucket, the numeric elements' ULP errors counted by the high 16 bits of their float
  /// figure (sign, exponent and 7 bits: bins 2^-7 wide, relatively), as (bin, count) sorted
  /// by bin: what percentiles of any set of buckets are read from, and what shards add up.
  std::vector<std::vector<std::pair<std::uint16_t, std::int64_t>>> input_prefix =
      std::vector<std::vector<std::pair<std::uint16_t, std::int64_t>>>(kInputBuckets);
  std::vector<std::vector<std::pair<std::uint16_t, std::int64_t>>> result_prefix =
      std::vector<std::vector<std::pair<std::uint16_t, std::int64_t>>>(kResultBuckets);
  std::int64_t special_rules = 0;  ///< elements the oracle's special-value rules decided
  std::int64_t escalated = 0;      ///< elements the GPU oracle left to the host's oracle

  /// Adds one element checked on the host (an escalated one, or one of 65536 inputs), in
  /// any order: lists keep their order by index, not by arrival. Buckets keep the float
  /// figure of its ULP error, as ErrorStats' per-element traces do.
  void add(std::int64_t index, std::uint32_t got_bits, const Outcome& o);
  /// Folds in the figures of another part of the element space.
  void merge(const Figures& other);
};

/// An element the GPU oracle could not decide, for the host to settle.
struct Escalated {
  std::int64_t index = 0;
  std::uint32_t got_bits = 0;
};

struct Plan {
  const ElementwiseOp* op = nullptr;
  Format format = Format::bf16;
  Params params;
  Budget budget;
  std::string kernel;     ///< its name, for messages
  DeviceRun run;          ///< the kernel under test on device memory
  std::int64_t first_row = 0, rows = kRows;  ///< the part of the space (a shard: rows [first, first + rows))
  std::int64_t rows_per_call = 4096;
  /// Gated ops on a 16-bit format: the op's prepared gates and ups (pair_tables()).
  const PairTables* tables = nullptr;
};

/// Timings of a sweep: the pass over the rows (kernel, check and the pass as a whole) from
/// CUDA events; setting up (device memory, tables) and reading the figures back from the
/// host's clock.
struct PassTimes {
  double kernel_ms = 0.0, oracle_ms = 0.0, total_ms = 0.0;
  double setup_ms = 0.0, readback_ms = 0.0;
  /// Of the read-back: the distributions' nonzero bins, and the time they took.
  std::int64_t distribution_bins = 0;
  double distributions_ms = 0.0;
};

/// Called after each call of the kernel with (rows done, rows in all).
using RowProgress = std::function<void(std::int64_t, std::int64_t)>;

/// Whether a sweep can run `kernel` on (op, f): the kernel runs on device memory (a
/// built-in CUDA kernel, or a plugin kernel of ULPCHECK_MEMORY_CUDA).
inline bool sweepable(const Kernel& kernel, const ElementwiseOp& op, Format f) {
  return static_cast<bool>(kernel.device_run(op, f, op.default_params()));
}

/// The high 16 bits of a ULP error's float figure: its bin in Figures' distributions.
std::uint16_t prefix_bin(double ulp);

/// One sweep on the current device. Throws KernelError (out of device memory, a failed
/// launch or a fault, no device) naming what.
class Sweep {
 public:
  explicit Sweep(Plan plan);
  ~Sweep();
  Sweep(const Sweep&) = delete;
  Sweep& operator=(const Sweep&) = delete;

  /// Runs the kernel on every row and checks every output; returns the device's figures
  /// (escalated elements left out) and the elements for the host to settle.
  Figures run(std::vector<Escalated>& escalated, const RowProgress& progress = {});
  const PassTimes& times() const;

 private:
  struct Device;
  std::unique_ptr<Device> d_;
};

}  // namespace ulpcheck::sweep
