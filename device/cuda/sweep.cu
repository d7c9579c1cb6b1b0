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

#include "sweep_kernels.hpp"
#include "ulpcheck/reference/tiers/tiers.hpp"

namespace ulpcheck::sweep::detail {
namespace {

__device__ std::uint32_t float_bits(double ulp) { return __float_as_uint(static_cast<float>(ulp)); }

/// Adds `amount` to counter[key] once per group of lanes that share the key.
__device__ void aggregated_add(u64* counter, std::uint64_t key, unsigned active) {
  const unsigned group = __match_any_sync(active, key);
  const int leader = __ffs(group) - 1;
  if (static_cast<int>(threadIdx.x % 32) == leader) atomicAdd(counter + key, static_cast<u64>(__popc(group)));
}

struct SharedFigures {
  unsigned in_counts[kInputBuckets][4];
  u64 in_max[kInputBuckets][2];
  unsigned res_counts[kResultBuckets][4];
  u64 res_max[kResultBuckets][2];
  unsigned special[kValueClasses * kValueClasses][3];
  unsigned histogram[kHistogramBins][2];
  unsigned totals[11];
  u64 maxima[2];
};

__device__ void zero(SharedFigures& s) {
  auto* w = reinterpret_cast<unsigned*>(&s);
  for (std::size_t i = threadIdx.x; i < sizeof(SharedFigures) / 4; i += blockDim.x) w[i] = 0;
}

__device__ void flush(const SharedFigures& s, const Accumulators& a) {
  for (int i = threadIdx.x; i < kInputBuckets * 4; i += blockDim.x)
    if (unsigned v = (&s.in_counts[0][0])[i]) atomicAdd(a.in_counts + i, static_cast<u64>(v));
  for (int i = threadIdx.x; i < kInputBuckets * 2; i += blockDim.x)
    if (u64 v = (&s.in_max[0][0])[i]) atomicMax(a.in_max + i, v);
  for (int i = threadIdx.x; i < kResultBuckets * 4; i += blockDim.x)
    if (unsigned v = (&s.res_counts[0][0])[i]) atomicAdd(a.res_counts + i, static_cast<u64>(v));
  for (int i = threadIdx.x; i < kResultBuckets * 2; i += blockDim.x)
    if (u64 v = (&s.res_max[0][0])[i]) atomicMax(a.res_max + i, v);
  for (int i = threadIdx.x; i < kValueClasses * kValueClasses * 3; i += blockDim.x)
    if (unsigned v = (&s.special[0][0])[i]) atomicAdd(a.special + i, static_cast<u64>(v));
  for (int i = threadIdx.x; i < kHistogramBins * 2; i += blockDim.x)
    if (unsigned v = (&s.histogram[0][0])[i]) atomicAdd(a.histogram + i, static_cast<u64>(v));
  for (int i = threadIdx.x; i < 11; i += blockDim.x)
    if (s.totals[i]) atomicAdd(a.totals + i, static_cast<u64>(s.totals[i]));
  for (int i = threadIdx.x; i < 2; i += blockDim.x)
    if (s.maxima[i]) atomicMax(a.maxima + i, s.maxima[i]);
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
    const std::int64_t i = __shfl_sync(0xffffffffu, index, src);
    const std::uint32_t g = __shfl_sync(0xffffffffu, got, src);
    const double u = __shfl_sync(0xffffffffu, ulp, src);
    if (lane == l.size) l.index = i, l.got = g, l.ulp = u;
    ++l.size;
  }
}

/// Keeps the kKeep largest by ULP error, ties to the earlier element (ErrorStats' order).
__device__ void keep_worst(WarpList& l, bool candidate, std::int64_t index, std::uint32_t got, double ulp) {
  const int lane = threadIdx.x % 32;
  const double last = __shfl_sync(0xffffffffu, l.ulp, kKeep - 1);
  unsigned qualifying = __ballot_sync(0xffffffffu, candidate && (l.size < static_cast<int>(kKeep) || ulp > last));
  while (qualifying) {
    const int src = __ffs(qualifying) - 1;
    qualifying &= qualifying - 1;
    const std::int64_t i = __shfl_sync(0xffffffffu, index, src);
    const std::uint32_t g = __shfl_sync(0xffffffffu, got, src);
    const double u = __shfl_sync(0xffffffffu, ulp, src);
    // Entries ahead of it: larger, or equal and earlier (every entry is earlier).
    const int at = __popc(__ballot_sync(0xffffffffu, lane < l.size && l.ulp >= u));
    if (at >= static_cast<int>(kKeep)) continue;
    const std::int64_t pi = __shfl_up_sync(0xffffffffu, l.index, 1);
    const std::uint32_t pg = __shfl_up_sync(0xffffffffu, l.got, 1);
    const double pu = __shfl_up_sync(0xffffffffu, l.ulp, 1);
    if (lane > at) l.index = pi, l.got = pg, l.ulp = pu;
    if (lane == at) l.index = i, l.got = g, l.ulp = u;
    l.size = min(l.size + 1, static_cast<int>(kKeep));
  }
}

template <class Tier>
__device__ Decided exact_of(const CheckArgs& a, std::uint32_t x0, std::uint32_t x1, double& floor_scale, bool& special) {
  if (a.gated) {
    floor_scale = fabs(a.ups[x1]);
    return pair_exact<Tier>(a.f, a.gates[x0], a.ups[x1], &special);
  }
  floor_scale = 1.0;
  return unary_exact<Tier>(a.f, decode(a.f, x0), &special);
}

template <class Tier>
__global__ void __launch_bounds__(32 * kWarpsPerBlock) check_rows(CheckArgs a) {
  __shared__ SharedFigures s;
  zero(s);
  __syncthreads();
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const int local_row = blockIdx.x * kWarpsPerBlock + warp;
  if (local_row < a.rows) {
    const std::int64_t row = a.first_row + local_row;
    WarpList lists[kListKinds];
    const bool wide = format_shape(a.f).storage_bits == 32;
    for (int c0 = 0; c0 < kRowElements; c0 += 32) {
      const int col = c0 + lane;
      const std::int64_t local = static_cast<std::int64_t>(local_row) * kRowElements + col;
      const std::int64_t index = row * kRowElements + col;
      const std::uint32_t got_bits = wide ? static_cast<const std::uint32_t*>(a.out)[local]
                                          : static_cast<const std::uint16_t*>(a.out)[local];
      const std::uint32_t x0 = a.gated ? static_cast<std::uint32_t>(col) : static_cast<std::uint32_t>(index);
      const std::uint32_t x1 = static_cast<std::uint32_t>(row);
      double floor_scale;
      bool special;
      const Decided e = exact_of<Tier>(a, x0, x1, floor_scale, special);
      Outcome o;
      if (e.decided)
        o = outcome_of(a.f, a.gated, decode(a.f, x0), a.gated ? decode(a.f, x1) : 1.0, decode(a.f, got_bits), e.exact,
                       floor_scale, a.budget);
      const bool numeric = e.decided && o.has(Outcome::kNumeric);
      const std::uint32_t bits = float_bits(o.ulp);
      if (!e.decided) {
        const u64 slot = atomicAdd(a.acc.escalated_count, 1ull);
        if (slot < static_cast<u64>(kEscalationCapacity)) a.acc.escalated[slot] = {index, got_bits};
      } else {
        atomicAdd(&s.totals[0], 1u);
        if (special) atomicAdd(&s.totals[10], 1u);
        if (o.has(Outcome::kCorrectlyRounded)) atomicAdd(&s.totals[2], 1u);
        if (o.has(Outcome::kSemantic)) atomicAdd(&s.totals[8], 1u);
        if (o.has(Outcome::kViolation)) atomicAdd(&s.totals[9], 1u);
        if (o.has(Outcome::kBreach)) atomicAdd(&s.totals[7], 1u);
        const int cell = o.x0_class * kValueClasses + o.x1_class;
        atomicAdd(&s.special[cell][0], 1u);
        if (o.has(Outcome::kSemantic)) atomicAdd(&s.special[cell][1], 1u);
        if (o.has(Outcome::kBreach)) atomicAdd(&s.special[cell][2], 1u);
        if (numeric) {
          const bool floor = o.has(Outcome::kInFloor);
          const u64 ulp_bits = static_cast<u64>(__double_as_longlong(o.ulp));
          // Buckets keep the float figure, as ErrorStats' per-element traces do.
          const u64 bucket_bits = static_cast<u64>(__double_as_longlong(static_cast<float>(o.ulp)));
          atomicAdd(&s.totals[1], 1u);
          if (o.ulp >= 1.0) atomicAdd(&s.totals[3], 1u);
          atomicAdd(&s.totals[floor ? 4 : 5], 1u);
          if (!floor && o.has(Outcome::kCorrectlyRounded)) atomicAdd(&s.totals[6], 1u);
          atomicMax(&s.maxima[0], ulp_bits);
          if (!floor) atomicMax(&s.maxima[1], ulp_bits);
          const int h = histogram_bin(static_cast<float>(o.ulp));
          atomicAdd(&s.histogram[h][0], 1u);
          if (floor) atomicAdd(&s.histogram[h][1], 1u);
          unsigned* ic = s.in_counts[o.input_bucket];
          unsigned* rc = s.res_counts[o.result_bucket];
          atomicAdd(&ic[0], 1u);
          atomicAdd(&rc[0], 1u);
          if (!o.has(Outcome::kCorrectlyRounded)) atomicAdd(&ic[1], 1u), atomicAdd(&rc[1], 1u);
          if (floor) atomicAdd(&ic[2], 1u), atomicAdd(&rc[2], 1u);
          if (o.has(Outcome::kBreach)) atomicAdd(&ic[3], 1u), atomicAdd(&rc[3], 1u);
          atomicMax(&s.in_max[o.input_bucket][0], bucket_bits);
          atomicMax(&s.res_max[o.result_bucket][0], bucket_bits);
          if (!floor)
            atomicMax(&s.in_max[o.input_bucket][1], bucket_bits), atomicMax(&s.res_max[o.result_bucket][1], bucket_bits);
        }
      }
      const unsigned numeric_lanes = __ballot_sync(0xffffffffu, numeric);
      if (numeric) {
        const std::uint64_t high = bits >> 16;
        aggregated_add(a.acc.in_prefix, static_cast<std::uint64_t>(o.input_bucket) * kPrefixBins + high, numeric_lanes);
        aggregated_add(a.acc.res_prefix, static_cast<std::uint64_t>(o.result_bucket) * kPrefixBins + high, numeric_lanes);
      }
      keep_worst(lists[kWorst], numeric && !o.has(Outcome::kInFloor), index, got_bits, o.ulp);
      keep_worst(lists[kWorstInFloor], numeric && o.has(Outcome::kInFloor), index, got_bits, o.ulp);
      keep_first(lists[kBreaches], __ballot_sync(0xffffffffu, e.decided && o.has(Outcome::kBreach)), index, got_bits, o.ulp);
      keep_first(lists[kSemantic], __ballot_sync(0xffffffffu, e.decided && o.has(Outcome::kSemantic)), index, got_bits, o.ulp);
      keep_first(lists[kSemanticFailures], __ballot_sync(0xffffffffu, e.decided && o.has(Outcome::kViolation)), index,
                 got_bits, o.ulp);
    }
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

}  // namespace

int launch_fill(void* in, int element_bytes, std::int64_t first_row, int rows, bool gated) {
  if (element_bytes == 2)
    fill_rows<<<1024, 256>>>(static_cast<std::uint16_t*>(in), first_row, rows, gated);
  else
    fill_rows<<<1024, 256>>>(static_cast<std::uint32_t*>(in), first_row, rows, gated);
  return cudaGetLastError();
}

int launch_check(ActivationKind kind, const CheckArgs& a) {
  const int blocks = (a.rows + kWarpsPerBlock - 1) / kWarpsPerBlock;
  with_tier(kind, [&](auto tier) {
    check_rows<decltype(tier)><<<blocks, 32 * kWarpsPerBlock>>>(a);
    return 0;
  });
  return cudaGetLastError();
}

}  // namespace ulpcheck::sweep::detail
