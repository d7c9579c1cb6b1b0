// The GPU side of an exhaustive sweep (sweep/sweep.hpp): inputs written on the device, and
// every output of the kernel under test checked against the certified oracle
// (reference/certified/element_oracles.hpp) with the same check_element the host uses, the
// figures reduced in shared memory, then global memory.
//
// One warp checks one row (65536 elements, 32 at a time in index order), so the lists that
// keep "the first" elements, and ties among "the largest", come out in index order per row;
// the host merges rows in order. The ULP errors of each bucket are counted by the high 16
// bits of their float figure, for percentiles.
#include <cuda_runtime.h>

#include <cub/block/block_reduce.cuh>
#include <cub/block/block_scan.cuh>

#include "sweep_kernels.hpp"
#include "ulpcheck/reference/tiers/tiers.hpp"

namespace ulpcheck::sweep::detail {
namespace {

constexpr unsigned kFullWarp = 0xffffffffu;

/// The lanes of `active` (all of which call this) whose key equals this lane's. Keys are
/// mostly the same across a warp (the special-value cell, the input's binade), so a warp
/// tries the uniform case before the match instruction.
__device__ unsigned lanes_sharing(unsigned active, unsigned key) {
  const unsigned first = __shfl_sync(active, key, __ffs(active) - 1);
  if (__all_sync(active, key == first)) return active;
  return __match_any_sync(active, key);
}
__device__ bool leads(unsigned lanes) { return static_cast<int>(threadIdx.x % 32) == __ffs(lanes) - 1; }

/// Adds the number of `lanes` to counter[key], once (one atomic per key, not per lane: 32
/// lanes adding to one address would take turns).
__device__ void add_per_key(u64* counter, unsigned active, unsigned key) {
  const unsigned lanes = lanes_sharing(active, key);
  if (leads(lanes)) atomicAdd(counter + key, static_cast<u64>(__popc(lanes)));
}

/// The figures of a block's rows, in shared memory. The maxima by bucket hold the float
/// figure's bits (non-negative floats order as their bits).
struct SharedFigures {
  unsigned in_counts[kInputBuckets][4];
  unsigned in_max[kInputBuckets][2];
  unsigned res_counts[kResultBuckets][4];
  unsigned res_max[kResultBuckets][2];
  unsigned special[kValueClasses * kValueClasses][3];
  unsigned histogram[kHistogramBins][2];
  unsigned totals[kTotals];
  u64 maxima[2];
};

__device__ void zero(SharedFigures& s) {
  auto* w = reinterpret_cast<unsigned*>(&s);
  for (std::size_t i = threadIdx.x; i < sizeof(SharedFigures) / 4; i += blockDim.x) w[i] = 0;
}

__device__ u64 double_bits_of_float(unsigned float_bits) {
  return static_cast<u64>(__double_as_longlong(static_cast<double>(__uint_as_float(float_bits))));
}

__device__ void flush(const SharedFigures& s, const Accumulators& a) {
  for (int i = threadIdx.x; i < kInputBuckets * 4; i += blockDim.x)
    if (unsigned v = (&s.in_counts[0][0])[i]) atomicAdd(a.in_counts + i, static_cast<u64>(v));
  for (int i = threadIdx.x; i < kInputBuckets * 2; i += blockDim.x)
    if (unsigned v = (&s.in_max[0][0])[i]) atomicMax(a.in_max + i, double_bits_of_float(v));
  for (int i = threadIdx.x; i < kResultBuckets * 4; i += blockDim.x)
    if (unsigned v = (&s.res_counts[0][0])[i]) atomicAdd(a.res_counts + i, static_cast<u64>(v));
  for (int i = threadIdx.x; i < kResultBuckets * 2; i += blockDim.x)
    if (unsigned v = (&s.res_max[0][0])[i]) atomicMax(a.res_max + i, double_bits_of_float(v));
  for (int i = threadIdx.x; i < kValueClasses * kValueClasses * 3; i += blockDim.x)
    if (unsigned v = (&s.special[0][0])[i]) atomicAdd(a.special + i, static_cast<u64>(v));
  for (int i = threadIdx.x; i < kHistogramBins * 2; i += blockDim.x)
    if (unsigned v = (&s.histogram[0][0])[i]) atomicAdd(a.histogram + i, static_cast<u64>(v));
  for (int i = threadIdx.x; i < kTotals; i += blockDim.x)
    if (s.totals[i]) atomicAdd(a.totals + i, static_cast<u64>(s.totals[i]));
  for (int i = threadIdx.x; i < 2; i += blockDim.x)
    if (s.maxima[i]) atomicMax(a.maxima + i, s.maxima[i]);
}

/// A lane's totals and maxima over its elements of a row, summed over the warp once the
/// row is done: every element touches them, so in shared memory they would be the hottest
/// addresses of all.
struct LaneTotals {
  unsigned count[kTotals] = {};
  double max_ulp = 0.0, max_ulp_above_floor = 0.0;

  __device__ void add(int i, bool yes) { count[i] += yes ? 1u : 0u; }

  __device__ void flush_row(SharedFigures& s) {
    for (int i = 0; i < kTotals; ++i) {
      const unsigned sum = __reduce_add_sync(kFullWarp, count[i]);
      if (threadIdx.x % 32 == 0 && sum) atomicAdd(&s.totals[i], sum);
    }
    for (int d = 16; d > 0; d /= 2) {
      max_ulp = fmax(max_ulp, __shfl_xor_sync(kFullWarp, max_ulp, d));
      max_ulp_above_floor = fmax(max_ulp_above_floor, __shfl_xor_sync(kFullWarp, max_ulp_above_floor, d));
    }
    if (threadIdx.x % 32 == 0) {
      if (max_ulp > 0) atomicMax(&s.maxima[0], static_cast<u64>(__double_as_longlong(max_ulp)));
      if (max_ulp_above_floor > 0) atomicMax(&s.maxima[1], static_cast<u64>(__double_as_longlong(max_ulp_above_floor)));
    }
  }
};

/// Adds the lanes of `active` to a bucket's counts (count, not correctly rounded, in the
/// floor region, breaches: `flags` are the warp's ballots of the last three) and maxima (all,
/// above the floor), one atomic per bucket present. Returns whether every lane of `active`
/// has this bucket.
__device__ bool add_to_bucket(unsigned (*counts)[4], unsigned (*maxima)[2], unsigned active, int bucket,
                              const unsigned (&flags)[3], unsigned ulp_bits, bool in_floor) {
  const unsigned lanes = lanes_sharing(active, static_cast<unsigned>(bucket));
  const bool uniform = lanes == active;
  const unsigned max_all = __reduce_max_sync(lanes, ulp_bits);
  const unsigned max_above = __reduce_max_sync(lanes, in_floor ? 0u : ulp_bits);
  if (!leads(lanes)) return uniform;
  atomicAdd(&counts[bucket][0], static_cast<unsigned>(__popc(lanes)));
  for (int k = 0; k < 3; ++k)
    if (const int n = __popc(lanes & flags[k])) atomicAdd(&counts[bucket][k + 1], static_cast<unsigned>(n));
  if (max_all) atomicMax(&maxima[bucket][0], max_all);
  if (max_above) atomicMax(&maxima[bucket][1], max_above);
  return uniform;
}

/// A warp's list, one entry per lane 0..7.
struct WarpList {
  std::int64_t index = 0;
  std::uint32_t got = 0;
  double ulp = 0.0;
  int size = 0;  ///< the same in every lane
};

__device__ void keep_first(WarpList& l, unsigned qualifying, std::int64_t index, std::uint32_t got, double ulp) {
  const int lane = threadIdx.x % 32;
  while (qualifying && l.size < static_cast<int>(kKeep)) {
    const int src = __ffs(qualifying) - 1;
    qualifying &= qualifying - 1;
    const std::int64_t i = __shfl_sync(kFullWarp, index, src);
    const std::uint32_t g = __shfl_sync(kFullWarp, got, src);
    const double u = __shfl_sync(kFullWarp, ulp, src);
    if (lane == l.size) l.index = i, l.got = g, l.ulp = u;
    ++l.size;
  }
}

/// Keeps the kKeep largest by ULP error, ties to the earlier element (ErrorStats' order).
/// Candidates go in largest first (ties: the lowest lane, the earliest element), so at most
/// kKeep of them are inserted however many lanes qualify: where errors grow along a row (an
/// underflowing product, say) every lane beats the list's last entry. Returns the list's
/// last entry once it is full (else 0).
__device__ double keep_worst(WarpList& l, bool candidate, std::int64_t index, std::uint32_t got, double ulp) {
  const int lane = threadIdx.x % 32;
  double last = __shfl_sync(kFullWarp, l.ulp, kKeep - 1);
  unsigned qualifying = __ballot_sync(kFullWarp, candidate && (l.size < static_cast<int>(kKeep) || ulp > last));
  // Non-negative doubles order as their bits.
  const auto bits = static_cast<unsigned long long>(__double_as_longlong(ulp));
  const auto high = static_cast<unsigned>(bits >> 32), low = static_cast<unsigned>(bits);
  while (qualifying) {
    const bool mine = (qualifying >> lane) & 1u;
    const unsigned top_high = __reduce_max_sync(kFullWarp, mine ? high : 0u);
    const unsigned top_low = __reduce_max_sync(kFullWarp, mine && high == top_high ? low : 0u);
    const int src = __ffs(__ballot_sync(kFullWarp, mine && high == top_high && low == top_low)) - 1;
    qualifying &= ~(1u << src);
    const std::int64_t i = __shfl_sync(kFullWarp, index, src);
    const std::uint32_t g = __shfl_sync(kFullWarp, got, src);
    const double u = __shfl_sync(kFullWarp, ulp, src);
    // Entries ahead of it: larger, or equal and earlier (every equal entry is earlier).
    const int at = __popc(__ballot_sync(kFullWarp, lane < l.size && l.ulp >= u));
    const std::int64_t pi = __shfl_up_sync(kFullWarp, l.index, 1);
    const std::uint32_t pg = __shfl_up_sync(kFullWarp, l.got, 1);
    const double pu = __shfl_up_sync(kFullWarp, l.ulp, 1);
    if (lane > at) l.index = pi, l.got = pg, l.ulp = pu;
    if (lane == at) l.index = i, l.got = g, l.ulp = u;
    l.size = min(l.size + 1, static_cast<int>(kKeep));
    if (l.size == static_cast<int>(kKeep)) {
      last = __shfl_sync(kFullWarp, l.ulp, kKeep - 1);
      qualifying &= __ballot_sync(kFullWarp, ulp > last);
    }
  }
  return l.size == static_cast<int>(kKeep) ? last : 0.0;
}

/// A lower bound on the kKeep-th largest ULP error of a list kind over the whole sweep,
/// shared by every warp (Accumulators::worst_bars): a warp whose list is full holds kKeep
/// elements at least as large as its last entry, so no element below the largest such
/// entry can be among the sweep's kKeep worst, and none is listed. Where errors grow along a
/// row (an underflowing product) nearly every element would otherwise enter its row's list.
/// Which elements a row's list holds then depends on timing; what the lists fold to, the
/// sweep's kKeep worst, does not (ties at the bar are still listed).
struct WorstBar {
  u64* shared;
  double value = 0.0;

  __device__ void refresh() {
    value = __longlong_as_double(static_cast<long long>(*static_cast<volatile u64*>(shared)));
  }
  __device__ void raise(double last) {
    if (!(last > value)) return;
    value = last;
    if (threadIdx.x % 32 == 0) atomicMax(shared, static_cast<u64>(__double_as_longlong(last)));
  }
};

/// A sweep's space is the pairs of a 16-bit format or the inputs of fp32 (sweep/outcome.hpp).
template <Format F>
constexpr bool kGated = format_shape(F).storage_bits == 16;

template <class Tier, Format F>
__device__ Decided exact_of(const CheckArgs& a, std::uint32_t x0, std::uint32_t x1, double& floor_scale, bool& special) {
  if constexpr (kGated<F>) {
    floor_scale = fabs(a.ups[x1]);
    return pair_exact<Tier>(F, a.gates[x0], a.ups[x1], &special);
  } else {
    floor_scale = 1.0;
    return unary_exact<Tier>(F, decode(F, x0), &special);
  }
}

/// Blocks an SM holds, of kWarpsPerBlock warps (a warp a row): about 94 registers a thread
/// allow 20 warps. Measured on an H200, side by side in one run, pass over the rows of a
/// pair sweep: 4 warps x 5 blocks 181-204 ms, 2 x 8 199-233 ms; in an earlier run 8 x 2
/// took 225-234 ms against 195-207 ms for 4 x 5, and 8 x 3 (registers capped at 80, spilled)
/// was slower than 8 x 2. A block ends with its slowest row, so small blocks waste less.
constexpr int kBlocksPerSm = 5;

/// One instantiation per activation and format: with the format a constant, its shape
/// folds into the arithmetic instead of being looked up per element.
template <class Tier, Format F>
__global__ void __launch_bounds__(32 * kWarpsPerBlock, kBlocksPerSm) check_rows(CheckArgs a) {
  constexpr bool gated = kGated<F>;
  __shared__ SharedFigures s;
  zero(s);
  __syncthreads();
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const int local_row = blockIdx.x * kWarpsPerBlock + warp;
  if (local_row < a.rows) {
    const std::int64_t row = a.first_row + local_row;
    WarpList lists[kListKinds];
    LaneTotals tally;
    WorstBar bars[2] = {{a.acc.worst_bars}, {a.acc.worst_bars + 1}};
    for (int c0 = 0; c0 < kRowElements; c0 += 32) {
      const int col = c0 + lane;
      const std::int64_t local = static_cast<std::int64_t>(local_row) * kRowElements + col;
      const std::int64_t index = row * kRowElements + col;
      if (c0 % (32 * 64) == 0) bars[0].refresh(), bars[1].refresh();
      const std::uint32_t got_bits = gated ? static_cast<const std::uint16_t*>(a.out)[local]
                                           : static_cast<const std::uint32_t*>(a.out)[local];
      const std::uint32_t x0 = gated ? static_cast<std::uint32_t>(col) : static_cast<std::uint32_t>(index);
      const std::uint32_t x1 = static_cast<std::uint32_t>(row);
      double floor_scale;
      bool special;
      const Decided e = exact_of<Tier, F>(a, x0, x1, floor_scale, special);
      Outcome o;
      if (e.decided)
        o = outcome_of(F, gated, decode(F, x0), gated ? decode(F, x1) : 1.0, decode(F, got_bits), e.exact, floor_scale,
                       a.budget);
      const bool numeric = e.decided && o.has(Outcome::kNumeric);
      const bool floor = numeric && o.has(Outcome::kInFloor);
      const bool rounded = o.has(Outcome::kCorrectlyRounded);
      if (!e.decided) {
        const u64 slot = atomicAdd(a.acc.escalated_count, 1ull);
        if (slot < static_cast<u64>(kEscalationCapacity)) a.acc.escalated[slot] = {index, got_bits};
      } else {
        tally.add(kCount, true);
        tally.add(kSpecialRules, special);
        tally.add(kCorrectlyRounded, rounded);
        tally.add(kSemanticDifferences, o.has(Outcome::kSemantic));
        tally.add(kSemanticViolations, o.has(Outcome::kViolation));
        tally.add(kBudgetBreaches, o.has(Outcome::kBreach));
        tally.add(kNumeric, numeric);
        tally.add(kOffByOneUlp, numeric && o.ulp >= 1.0);
        tally.add(kInFloorRegion, floor);
        tally.add(kAboveFloor, numeric && !floor);
        tally.add(kCorrectlyRoundedAboveFloor, numeric && !floor && rounded);
        if (numeric) {
          tally.max_ulp = fmax(tally.max_ulp, o.ulp);
          if (!floor) tally.max_ulp_above_floor = fmax(tally.max_ulp_above_floor, o.ulp);
        }
      }
      const unsigned decided_lanes = __ballot_sync(kFullWarp, e.decided);
      const unsigned semantic_lanes = __ballot_sync(kFullWarp, e.decided && o.has(Outcome::kSemantic));
      const unsigned breach_lanes = __ballot_sync(kFullWarp, e.decided && o.has(Outcome::kBreach));
      const unsigned violation_lanes = __ballot_sync(kFullWarp, e.decided && o.has(Outcome::kViolation));
      const unsigned numeric_lanes = __ballot_sync(kFullWarp, numeric);
      const unsigned floor_lanes = __ballot_sync(kFullWarp, floor);
      if (e.decided) {
        const unsigned cell = static_cast<unsigned>(o.x0_class * kValueClasses + o.x1_class);
        const unsigned lanes = lanes_sharing(decided_lanes, cell);
        if (leads(lanes)) {
          atomicAdd(&s.special[cell][0], static_cast<unsigned>(__popc(lanes)));
          if (const int n = __popc(lanes & semantic_lanes)) atomicAdd(&s.special[cell][1], static_cast<unsigned>(n));
          if (const int n = __popc(lanes & breach_lanes)) atomicAdd(&s.special[cell][2], static_cast<unsigned>(n));
        }
      }
      if (numeric) {
        // Buckets keep the float figure, as ErrorStats' per-element traces do.
        const float ulp_float = static_cast<float>(o.ulp);
        const unsigned bits = __float_as_uint(ulp_float);
        const int h = histogram_bin(ulp_float);
        const unsigned lanes = lanes_sharing(numeric_lanes, static_cast<unsigned>(h));
        if (leads(lanes)) {
          atomicAdd(&s.histogram[h][0], static_cast<unsigned>(__popc(lanes)));
          if (const int n = __popc(lanes & floor_lanes)) atomicAdd(&s.histogram[h][1], static_cast<unsigned>(n));
        }
        const unsigned not_rounded_lanes = numeric_lanes & ~__ballot_sync(numeric_lanes, rounded);
        const unsigned flags[3] = {not_rounded_lanes, floor_lanes, breach_lanes};
        const bool one_input_bucket =
            add_to_bucket(s.in_counts, s.in_max, numeric_lanes, o.input_bucket, flags, bits, floor);
        const bool one_result_bucket =
            add_to_bucket(s.res_counts, s.res_max, numeric_lanes, o.result_bucket, flags, bits, floor);
        const unsigned high = bits >> 16;
        const unsigned input_key = static_cast<unsigned>(o.input_bucket) * kPrefixBins + high;
        const unsigned result_key = static_cast<unsigned>(kInputBuckets + o.result_bucket) * kPrefixBins + high;
        if (one_input_bucket && one_result_bucket) {
          // The usual case (neighbouring gates share a binade, and so do their products): lanes
          // with the same bin share both keys, and one grouping serves both tables.
          const unsigned lanes = __match_any_sync(numeric_lanes, high);
          if (leads(lanes)) {
            atomicAdd(a.acc.prefix + input_key, static_cast<u64>(__popc(lanes)));
            atomicAdd(a.acc.prefix + result_key, static_cast<u64>(__popc(lanes)));
          }
        } else {
          add_per_key(a.acc.prefix, numeric_lanes, input_key);
          add_per_key(a.acc.prefix, numeric_lanes, result_key);
        }
      }
      bars[0].raise(keep_worst(lists[kWorst], numeric && !floor && o.ulp >= bars[0].value, index, got_bits, o.ulp));
      bars[1].raise(keep_worst(lists[kWorstInFloor], floor && o.ulp >= bars[1].value, index, got_bits, o.ulp));
      keep_first(lists[kBreaches], breach_lanes, index, got_bits, o.ulp);
      keep_first(lists[kSemantic], semantic_lanes, index, got_bits, o.ulp);
      keep_first(lists[kSemanticFailures], violation_lanes, index, got_bits, o.ulp);
    }
    tally.flush_row(s);
    {
      const std::int64_t slot_row = a.chunk_row + local_row;
      for (int k = 0; k < kListKinds; ++k) {
        if (lane < lists[k].size)
          a.acc.lists[(slot_row * kListKinds + k) * kKeep + lane] = {lists[k].index, lists[k].got, lists[k].ulp};
        if (lane == 0) a.acc.list_sizes[slot_row * kListKinds + k] = lists[k].size;
      }
    }
  }
  __syncthreads();
  flush(s, a.acc);
}

/// Folds the lists of each `group` consecutive rows into one (a warp per group, the rows
/// in order): what the host reads back instead of every row's lists. Each row's "first"
/// lists are in index order and rows come in index order, so the group's first kKeep are
/// the first kKeep of its rows' lists in turn; its worst are the worst of its rows' worst,
/// ties to the earlier row as keep_worst has them.
__global__ void fold_lists(const Listed* lists, const int* sizes, std::int64_t rows, int group, Listed* out,
                           int* out_sizes) {
  const std::int64_t warp = (static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x) / 32;
  const int lane = threadIdx.x % 32;
  const std::int64_t first = warp * group;
  if (first >= rows) return;  // the whole warp
  const std::int64_t end = min(rows, first + group);
  for (int k = 0; k < kListKinds; ++k) {
    WarpList l;
    for (std::int64_t r = first; r < end; ++r) {
      const int n = sizes[r * kListKinds + k];
      const Listed e = lane < n ? lists[(r * kListKinds + k) * kKeep + lane] : Listed{};
      if (k == kWorst || k == kWorstInFloor)
        keep_worst(l, lane < n, e.index, e.got_bits, e.ulp);
      else
        keep_first(l, __ballot_sync(kFullWarp, lane < n), e.index, e.got_bits, e.ulp);
    }
    if (lane < l.size) out[(warp * kListKinds + k) * kKeep + lane] = {l.index, l.got, l.ulp};
    if (lane == 0) out_sizes[warp * kListKinds + k] = l.size;
  }
}

/// Row r of a chunk: gated, every gate pattern then the up pattern first_row + r repeated;
/// unary, the patterns (first_row + r) * 65536 + col.
template <class T>
__global__ void fill_rows(T* in, std::int64_t first_row, int rows, bool gated) {
  const std::int64_t per_row = gated ? 2 * kRowElements : kRowElements;
  const std::int64_t n = per_row * rows;
  for (std::int64_t i = blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<std::int64_t>(gridDim.x) * blockDim.x) {
    const std::int64_t r = i / per_row, c = i % per_row;
    const std::int64_t row = first_row + r;
    std::uint32_t v;
    if (!gated)
      v = static_cast<std::uint32_t>(row * kRowElements + c);
    else
      v = static_cast<std::uint32_t>(c < kRowElements ? c : row);
    in[i] = static_cast<T>(v);
  }
}

constexpr int kBinThreads = 256;

/// How many bins of each bucket of the distributions' table are nonzero: a block a bucket.
__global__ void count_bins(const u64* prefix, std::uint32_t* per_bucket) {
  const u64* bins = prefix + static_cast<std::int64_t>(blockIdx.x) * kPrefixBins;
  unsigned n = 0;
  for (int i = threadIdx.x; i < kPrefixBins; i += kBinThreads) n += bins[i] != 0 ? 1u : 0u;
  using Reduce = cub::BlockReduce<unsigned, kBinThreads>;
  __shared__ typename Reduce::TempStorage temp;
  const unsigned total = Reduce(temp).Sum(n);
  if (threadIdx.x == 0) per_bucket[blockIdx.x] = total;
}

/// Each bucket's nonzero bins in bin order, from offsets[bucket]: a block a bucket, a
/// block-wide scan per tile placing each nonzero bin after those before it.
__global__ void compact_bins(const u64* prefix, const std::uint32_t* offsets, std::uint16_t* out_bins,
                             u64* out_counts) {
  const u64* bins = prefix + static_cast<std::int64_t>(blockIdx.x) * kPrefixBins;
  using Scan = cub::BlockScan<unsigned, kBinThreads>;
  __shared__ typename Scan::TempStorage temp;
  unsigned at = offsets[blockIdx.x];
  for (int tile = 0; tile < kPrefixBins; tile += kBinThreads) {
    const int bin = tile + static_cast<int>(threadIdx.x);
    const u64 count = bins[bin];
    unsigned before = 0, in_tile = 0;
    Scan(temp).ExclusiveSum(count != 0 ? 1u : 0u, before, in_tile);
    if (count != 0) out_bins[at + before] = static_cast<std::uint16_t>(bin), out_counts[at + before] = count;
    at += in_tile;
    __syncthreads();  // the scan's storage is reused by the next tile
  }
}

}  // namespace

int count_prefix_bins(const u64* prefix, std::uint32_t* per_bucket) {
  count_bins<<<kPrefixBuckets, kBinThreads>>>(prefix, per_bucket);
  return cudaGetLastError();
}

int compact_prefix_bins(const u64* prefix, const std::uint32_t* offsets, std::uint16_t* bins, u64* counts) {
  compact_bins<<<kPrefixBuckets, kBinThreads>>>(prefix, offsets, bins, counts);
  return cudaGetLastError();
}

int launch_fold_lists(const Listed* lists, const int* sizes, std::int64_t rows, int group, Listed* out,
                      int* out_sizes) {
  const std::int64_t warps = (rows + group - 1) / group;
  fold_lists<<<static_cast<unsigned>((warps + 7) / 8), 256>>>(lists, sizes, rows, group, out, out_sizes);
  return cudaGetLastError();
}

int launch_fill(void* in, int element_bytes, std::int64_t first_row, int rows, bool gated) {
  if (element_bytes == 2)
    fill_rows<<<1024, 256>>>(static_cast<std::uint16_t*>(in), first_row, rows, gated);
  else
    fill_rows<<<1024, 256>>>(static_cast<std::uint32_t*>(in), first_row, rows, gated);
  return cudaGetLastError();
}

int launch_check(ActivationKind kind, const CheckArgs& a, void* stream) {
  const int blocks = (a.rows + kWarpsPerBlock - 1) / kWarpsPerBlock;
  const auto st = static_cast<cudaStream_t>(stream);
  with_tier(kind, [&](auto tier) {
    using Tier = decltype(tier);
    switch (a.f) {
      case Format::bf16: check_rows<Tier, Format::bf16><<<blocks, 32 * kWarpsPerBlock, 0, st>>>(a); break;
      case Format::fp16: check_rows<Tier, Format::fp16><<<blocks, 32 * kWarpsPerBlock, 0, st>>>(a); break;
      case Format::fp32: check_rows<Tier, Format::fp32><<<blocks, 32 * kWarpsPerBlock, 0, st>>>(a); break;
    }
    return 0;
  });
  return cudaGetLastError();
}

}  // namespace ulpcheck::sweep::detail
