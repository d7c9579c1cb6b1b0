// The host side of an exhaustive sweep (sweep/sweep.hpp): device memory, the passes over
// the rows with their timings, and the figures and percentiles read back. The kernels are
// in sweep.cu.
#include <cuda_runtime_api.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <memory>
#include <thread>

#include "sweep_kernels.hpp"
#include "ulpcheck/device/cuda/runtime.hpp"
#include "ulpcheck/device/kernel.hpp"
#include "ulpcheck/device/sweep/sweep.hpp"

namespace ulpcheck::sweep {

using namespace detail;

namespace {

void check(cudaError_t e, const std::string& what) {
  if (e != cudaSuccess) throw KernelError(fmt::format("{}: {}", what, cudaGetErrorString(e)));
}
void check(int e, const std::string& what) { check(static_cast<cudaError_t>(e), what); }

template <class T>
T* device_alloc(std::size_t n, const std::string& what) {
  void* p = nullptr;
  const cudaError_t e = cudaMalloc(&p, n * sizeof(T));
  if (e != cudaSuccess) {
    std::size_t free_b = 0, total_b = 0;
    cudaMemGetInfo(&free_b, &total_b);
    throw KernelError(fmt::format("{}: cannot allocate {:.1f} MiB of device memory ({:.1f} MiB free of {:.1f}): {}",
                                  what, static_cast<double>(n * sizeof(T)) / 1048576.0,
                                  static_cast<double>(free_b) / 1048576.0, static_cast<double>(total_b) / 1048576.0,
                                  cudaGetErrorString(e)));
  }
  check(cudaMemset(p, 0, n * sizeof(T)), what);
  return static_cast<T*>(p);
}

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

/// Runs f(w, workers) for w = 0 .. workers - 1 at once, on up to 8 threads.
template <class F>
void in_parallel(F f) {
  const int workers = static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 8u));
  std::vector<std::thread> pool;
  for (int w = 1; w < workers; ++w) pool.emplace_back(f, w, workers);
  f(0, workers);
  for (std::thread& t : pool) t.join();
}

double to_double(u64 bits) {
  double d;
  std::memcpy(&d, &bits, sizeof d);
  return d;
}

}  // namespace

/// Chunks of rows in flight at once. The kernel under test runs on the legacy default
/// stream (the ABI's stream) into one slot's output while the checks of the two chunks
/// before it run on streams of their own: the kernel and the writing of its inputs hide
/// behind the checks, and one chunk's check fills the SMs the last rows of the previous one
/// leave idle. Each slot holds an output buffer.
constexpr int kSlots = 3;

struct Slot {
  void* out = nullptr;
  cudaEvent_t started{}, ran{}, check_started{}, checked{};
  std::int64_t first_row = 0, done = 0;  ///< its rows, and the rows done once it is
  int rows = 0;
};

struct Sweep::Device {
  Plan plan;
  std::int64_t rows_per_call;
  void* in = nullptr;
  Slot slots[kSlots];
  cudaStream_t check_streams[2]{};
  cudaEvent_t pass_start{}, pass_end{};
  PreparedGate* gates = nullptr;
  double* ups = nullptr;
  Accumulators acc{};
  PassTimes times{};

  ~Device() {
    for (void* p : {in, slots[0].out, slots[1].out, slots[2].out, static_cast<void*>(gates), static_cast<void*>(ups),
                    static_cast<void*>(acc.totals), static_cast<void*>(acc.maxima), static_cast<void*>(acc.in_counts),
                    static_cast<void*>(acc.in_max), static_cast<void*>(acc.res_counts),
                    static_cast<void*>(acc.res_max), static_cast<void*>(acc.special),
                    static_cast<void*>(acc.histogram), static_cast<void*>(acc.prefix), static_cast<void*>(acc.lists),
                    static_cast<void*>(acc.list_sizes), static_cast<void*>(acc.escalated),
                    static_cast<void*>(acc.escalated_count), static_cast<void*>(acc.worst_bars)})
      if (p) cudaFree(p);
    for (Slot& s : slots)
      for (cudaEvent_t e : {s.started, s.ran, s.check_started, s.checked})
        if (e) cudaEventDestroy(e);
    for (cudaEvent_t e : {pass_start, pass_end})
      if (e) cudaEventDestroy(e);
    for (cudaStream_t st : check_streams)
      if (st) cudaStreamDestroy(st);
  }

  std::string what() const {
    return fmt::format("sweep of {} over {} {}", plan.kernel, plan.op->name, name(plan.format));
  }

  /// Waits for a slot's chunk and adds its timings.
  void finish(Slot& s, float& kernel_ms, float& oracle_ms, const RowProgress& progress) {
    const cudaError_t sync = cudaEventSynchronize(s.checked);
    if (sync != cudaSuccess)
      throw KernelError(fmt::format("{}: rows {}..{} or the {} rows after them: {} (the kernel under test or the "
                                    "check faulted)",
                                    what(), s.first_row, s.first_row + s.rows - 1, (kSlots - 1) * rows_per_call,
                                    cudaGetErrorString(sync)));
    float k = 0, o = 0;
    cudaEventElapsedTime(&k, s.started, s.ran);
    cudaEventElapsedTime(&o, s.check_started, s.checked);
    kernel_ms += k;
    oracle_ms += o;
    s.rows = 0;
    if (progress) progress(s.done, plan.rows);
  }

  /// One pass over every row: fill, kernel, check, kSlots chunks in flight.
  void pass(const RowProgress& progress) {
    const Format f = plan.format;
    const bool gated = plan.op->arity == 2;
    const std::size_t elem = element_bytes(f);
    float kernel_ms = 0, oracle_ms = 0;
    check(cudaEventRecord(pass_start), what());
    std::int64_t chunk = 0;
    for (std::int64_t done = 0; done < plan.rows; done += rows_per_call, ++chunk) {
      Slot& s = slots[chunk % kSlots];
      if (s.rows) finish(s, kernel_ms, oracle_ms, progress);
      const int rows = static_cast<int>(std::min(rows_per_call, plan.rows - done));
      const std::int64_t first_row = plan.first_row + done;
      check(launch_fill(in, static_cast<int>(elem), first_row, rows, gated), what() + ": writing the inputs");
      check(cudaMemsetAsync(s.out, 0xff, static_cast<std::size_t>(rows) * kRowElements * elem), what());
      check(cudaEventRecord(s.started), what());
      try {
        plan.run(DeviceCall{in, s.out, rows, kRowElements});
      } catch (const KernelError& e) {
        throw KernelError(fmt::format("{}: rows {}..{}: {}", what(), first_row, first_row + rows - 1, e.what()));
      }
      check(cudaEventRecord(s.ran), what());
      cudaStream_t checks = check_streams[chunk % 2];
      check(cudaStreamWaitEvent(checks, s.ran, 0), what());
      check(cudaEventRecord(s.check_started, checks), what());
      CheckArgs a{f, plan.budget, s.out, first_row, rows, gates, ups, acc, static_cast<int>(done)};
      check(launch_check(plan.op->activation->kind, a, checks), what() + ": checking the outputs");
      check(cudaEventRecord(s.checked, checks), what());
      s.first_row = first_row, s.rows = rows, s.done = done + rows;
    }
    for (std::int64_t c = chunk; c < chunk + kSlots; ++c)  // the chunks still in flight, in order
      if (Slot& s = slots[c % kSlots]; s.rows) {
        finish(s, kernel_ms, oracle_ms, progress);
        check(cudaStreamWaitEvent(nullptr, s.checked, 0), what());
      }
    float total = 0;
    check(cudaEventRecord(pass_end), what());
    check(cudaEventSynchronize(pass_end), what());
    cudaEventElapsedTime(&total, pass_start, pass_end);
    times.kernel_ms = kernel_ms, times.oracle_ms = oracle_ms, times.total_ms = total;
  }
};

Sweep::Sweep(Plan plan) : d_(std::make_unique<Device>()) {
  const auto t0 = std::chrono::steady_clock::now();
  Device& d = *d_;
  d.plan = std::move(plan);
  const Plan& p = d.plan;
  const bool gated = p.op->arity == 2;
  if (gated ? (!p.tables || format_shape(p.format).storage_bits != 16) : p.format != Format::fp32)
    throw std::invalid_argument(fmt::format("sweep: {} on {} is not a gated op on a 16-bit format with its tables, "
                                            "nor a unary op on fp32",
                                            p.op->name, name(p.format)));
  if (p.first_row < 0 || p.rows < 1 || p.first_row + p.rows > kRows)
    throw std::invalid_argument(fmt::format("sweep: rows {}..{} are outside 0..{}", p.first_row,
                                            p.first_row + p.rows - 1, kRows - 1));
  d.rows_per_call = std::min(p.rows_per_call, p.rows);
  int devices = 0;
  check(cudaGetDeviceCount(&devices), d.what());
  const std::string what = d.what();
  const std::size_t elem = element_bytes(p.format);
  d.in = device_alloc<unsigned char>(static_cast<std::size_t>(d.rows_per_call) * kRowElements * (gated ? 2 : 1) * elem,
                                     what + ": inputs");
  for (Slot& s : d.slots) {
    s.out = device_alloc<unsigned char>(static_cast<std::size_t>(d.rows_per_call) * kRowElements * elem,
                                        what + ": outputs");
    for (cudaEvent_t* e : {&s.started, &s.ran, &s.check_started, &s.checked}) check(cudaEventCreate(e), what);
  }
  for (cudaStream_t& st : d.check_streams) check(cudaStreamCreateWithFlags(&st, cudaStreamNonBlocking), what);
  for (cudaEvent_t* e : {&d.pass_start, &d.pass_end}) check(cudaEventCreate(e), what);
  if (gated) {
    d.gates = device_alloc<PreparedGate>(kRowElements, what);
    d.ups = device_alloc<double>(kRowElements, what);
    check(cudaMemcpy(d.gates, p.tables->gates.data(), kRowElements * sizeof(PreparedGate), cudaMemcpyHostToDevice), what);
    check(cudaMemcpy(d.ups, p.tables->ups.data(), kRowElements * sizeof(double), cudaMemcpyHostToDevice), what);
  }
  Accumulators& a = d.acc;
  a.totals = device_alloc<u64>(kTotals, what);
  a.maxima = device_alloc<u64>(2, what);
  a.in_counts = device_alloc<u64>(kInputBuckets * 4, what);
  a.in_max = device_alloc<u64>(kInputBuckets * 2, what);
  a.res_counts = device_alloc<u64>(kResultBuckets * 4, what);
  a.res_max = device_alloc<u64>(kResultBuckets * 2, what);
  a.special = device_alloc<u64>(kValueClasses * kValueClasses * 3, what);
  a.histogram = device_alloc<u64>(kHistogramBins * 2, what);
  a.prefix = device_alloc<u64>(kPrefixEntries, what + ": distributions");
  a.lists = device_alloc<Listed>(static_cast<std::size_t>(p.rows) * kListKinds * kKeep, what);
  a.list_sizes = device_alloc<int>(static_cast<std::size_t>(p.rows) * kListKinds, what);
  a.escalated = device_alloc<Escalated>(kEscalationCapacity, what);
  a.escalated_count = device_alloc<u64>(1, what);
  a.worst_bars = device_alloc<u64>(2, what);
  check(cudaDeviceSynchronize(), what);
  d.times.setup_ms = ms_since(t0);
}

Sweep::~Sweep() = default;

const PassTimes& Sweep::times() const { return d_->times; }

Figures Sweep::run(std::vector<Escalated>& escalated, const RowProgress& progress) {
  Device& d = *d_;
  d.pass(progress);
  const auto t0 = std::chrono::steady_clock::now();
  const std::string what = d.what();
  const auto download = [&](const u64* src, std::size_t n) {
    std::vector<u64> v(n);
    check(cudaMemcpy(v.data(), src, n * sizeof(u64), cudaMemcpyDeviceToHost), what);
    return v;
  };
  const Accumulators& a = d.acc;
  Figures f;
  const std::vector<u64> t = download(a.totals, kTotals), m = download(a.maxima, 2);
  Totals& T = f.totals;
  std::int64_t* counters[] = {&T.count, &T.numeric, &T.correctly_rounded, &T.off_by_one_ulp, &T.in_floor_region,
                              &T.above_floor, &T.correctly_rounded_above_floor, &T.budget_breaches,
                              &T.semantic_differences, &T.semantic_violations};
  for (int i = 0; i < kSpecialRules; ++i) *counters[i] = static_cast<std::int64_t>(t[i]);
  f.special_rules = static_cast<std::int64_t>(t[kSpecialRules]);
  T.max_ulp = to_double(m[0]);
  T.max_ulp_above_floor = to_double(m[1]);
  const auto buckets = [&](std::vector<BucketFigures>& out, const u64* counts, const u64* maxima, int n) {
    const std::vector<u64> c = download(counts, static_cast<std::size_t>(n) * 4), x = download(maxima, static_cast<std::size_t>(n) * 2);
    for (int i = 0; i < n; ++i)
      out[i] = {static_cast<std::int64_t>(c[i * 4]), static_cast<std::int64_t>(c[i * 4 + 1]),
                static_cast<std::int64_t>(c[i * 4 + 2]), static_cast<std::int64_t>(c[i * 4 + 3]), to_double(x[i * 2]),
                to_double(x[i * 2 + 1])};
  };
  buckets(f.input, a.in_counts, a.in_max, kInputBuckets);
  buckets(f.result, a.res_counts, a.res_max, kResultBuckets);
  const std::vector<u64> sp = download(a.special, f.special.size() * 3), h = download(a.histogram, kHistogramBins * 2);
  for (std::size_t i = 0; i < f.special.size(); ++i)
    f.special[i] = {static_cast<std::int64_t>(sp[i * 3]), static_cast<std::int64_t>(sp[i * 3 + 1]),
                    static_cast<std::int64_t>(sp[i * 3 + 2])};
  for (int i = 0; i < kHistogramBins; ++i)
    f.histogram[i] = {static_cast<std::int64_t>(h[i * 2]), static_cast<std::int64_t>(h[i * 2 + 1])};
  // Lists: folded on the device, kListFold rows into one, groups in row order; each
  // group's "first" lists are in index order, its "worst" in ErrorStats' order. Merging
  // group by group keeps both.
  const std::int64_t groups = (d.plan.rows + kListFold - 1) / kListFold;
  const cuda::DeviceBuffer folded(static_cast<std::size_t>(groups) * kListKinds * kKeep * sizeof(Listed)),
      folded_sizes(static_cast<std::size_t>(groups) * kListKinds * sizeof(int));
  check(launch_fold_lists(a.lists, a.list_sizes, d.plan.rows, kListFold, static_cast<Listed*>(folded.data()),
                          static_cast<int*>(folded_sizes.data())),
        what + ": folding the lists");
  std::vector<Listed> lists(static_cast<std::size_t>(groups) * kListKinds * kKeep);
  std::vector<int> sizes(static_cast<std::size_t>(groups) * kListKinds);
  check(cudaMemcpy(lists.data(), folded.data(), lists.size() * sizeof(Listed), cudaMemcpyDeviceToHost), what);
  check(cudaMemcpy(sizes.data(), folded_sizes.data(), sizes.size() * sizeof(int), cudaMemcpyDeviceToHost), what);
  for (int k = 0; k < kListKinds; ++k) {
    std::vector<Listed>& list = f.lists[k];
    for (std::int64_t r = 0; r < groups; ++r) {
      const std::size_t at = static_cast<std::size_t>(r * kListKinds + k);
      list.insert(list.end(), lists.begin() + static_cast<std::ptrdiff_t>(at * kKeep),
                  lists.begin() + static_cast<std::ptrdiff_t>(at * kKeep + sizes[at]));
      if (k >= kBreaches && list.size() >= kKeep) break;  // rows come in index order
    }
    keep_listed(static_cast<ListKind>(k), list);
  }
  u64 n_escalated = 0;
  check(cudaMemcpy(&n_escalated, a.escalated_count, sizeof n_escalated, cudaMemcpyDeviceToHost), what);
  if (n_escalated > static_cast<u64>(kEscalationCapacity))
    throw KernelError(fmt::format("{}: the GPU oracle left {} elements undecided, more than the {} the host takes "
                                  "(a bound far too loose for this op?)",
                                  what, n_escalated, kEscalationCapacity));
  escalated.resize(n_escalated);
  check(cudaMemcpy(escalated.data(), a.escalated, n_escalated * sizeof(Escalated), cudaMemcpyDeviceToHost), what);
  std::sort(escalated.begin(), escalated.end(), [](const Escalated& x, const Escalated& y) { return x.index < y.index; });
  // The distributions: their nonzero bins only, bucket by bucket (the table is half a GiB,
  // mostly zeros; the several million bins of a pair sweep are not).
  const auto t_distributions = std::chrono::steady_clock::now();
  std::vector<std::uint32_t> offsets(kPrefixBuckets + 1);
  {
    const cuda::DeviceBuffer per_bucket(kPrefixBuckets * sizeof(std::uint32_t));
    check(count_prefix_bins(a.prefix, static_cast<std::uint32_t*>(per_bucket.data())),
          what + ": reading the distributions");
    per_bucket.download(offsets.data() + 1, kPrefixBuckets * sizeof(std::uint32_t));
  }
  for (int b = 0; b < kPrefixBuckets; ++b) offsets[b + 1] += offsets[b];
  const std::size_t n = offsets[kPrefixBuckets];
  std::vector<std::pair<std::uint16_t, std::int64_t>>* bucket_bins[kPrefixBuckets];
  for (int b = 0; b < kPrefixBuckets; ++b)
    bucket_bins[b] = b < kInputBuckets ? &f.input_prefix[b] : &f.result_prefix[b - kInputBuckets];
  const auto bins = std::make_unique_for_overwrite<std::uint16_t[]>(n);
  const auto counts = std::make_unique_for_overwrite<u64[]>(n);
  if (n > 0) {
    cuda::DeviceBuffer device_offsets(kPrefixBuckets * sizeof(std::uint32_t));
    const cuda::DeviceBuffer device_bins(n * sizeof(std::uint16_t)), device_counts(n * sizeof(u64));
    device_offsets.upload(offsets.data(), kPrefixBuckets * sizeof(std::uint32_t));
    check(compact_prefix_bins(a.prefix, static_cast<const std::uint32_t*>(device_offsets.data()),
                              static_cast<std::uint16_t*>(device_bins.data()), static_cast<u64*>(device_counts.data())),
          what + ": reading the distributions");
    // While the device compacts: the fresh host memory the bins go through and into, touched
    // by several threads. Its page faults are most of the cost (a pair sweep has millions of
    // bins), and one thread would take them one by one inside the copy.
    in_parallel([&](int w, int workers) {
      const std::size_t first = n * static_cast<std::size_t>(w) / static_cast<std::size_t>(workers),
                        end = n * static_cast<std::size_t>(w + 1) / static_cast<std::size_t>(workers);
      std::memset(bins.get() + first, 0, (end - first) * sizeof(std::uint16_t));
      std::memset(counts.get() + first, 0, (end - first) * sizeof(u64));
      for (int b = w; b < kPrefixBuckets; b += workers) bucket_bins[b]->resize(offsets[b + 1] - offsets[b]);
    });
    device_bins.download(bins.get(), n * sizeof(std::uint16_t));
    device_counts.download(counts.get(), n * sizeof(u64));
    in_parallel([&](int w, int workers) {
      for (int b = w; b < kPrefixBuckets; b += workers)
        for (std::size_t i = offsets[b]; i < offsets[b + 1]; ++i)
          (*bucket_bins[b])[i - offsets[b]] = {bins[i], static_cast<std::int64_t>(counts[i])};
    });
  }
  d.times.distribution_bins = static_cast<std::int64_t>(n);
  d.times.distributions_ms = ms_since(t_distributions);
  d.times.readback_ms = ms_since(t0);
  return f;
}

}  // namespace ulpcheck::sweep
