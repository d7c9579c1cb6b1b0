// GPU benchmarks: the device's copy bandwidth (the floor everything is held against); what
// each elementwise kernel variant costs on a large batch (time per launch, effective
// bandwidth, its share of the copy bandwidth and its ratio to cuda.single_rounding, side by
// side in the same run); the routing kernels' two paths; and the exhaustive sweeps: every
// (gate, up) pair of each gated op, dtype, checked limit and CUDA kernel, and every fp32
// input of each unary op, against the bytes they move, with the speedup over the host
// oracle's path on the same 10^8 pairs. Prints tables; no pass or fail.
//
//   ulpcheck_bench [--tokens N] [--d D] [--reps R] [--sweeps all|one|none] [--sweeps-only]
#include <cuda_runtime_api.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "ulpcheck/device/cuda/elementwise_kernel.hpp"
#include "ulpcheck/device/cuda/routing_launch.hpp"
#include "ulpcheck/device/cuda/runtime.hpp"
#include "ulpcheck/device/registry.hpp"
#include "ulpcheck/device/routing_variants.hpp"
#include "ulpcheck/properties/exhaustive.hpp"
#include "ulpcheck/properties/inputs.hpp"
#include "ulpcheck/properties/measure.hpp"
#include "ulpcheck/reference/certified/pair_tables.hpp"
#include "ulpcheck/properties/routing/inputs.hpp"
#include "ulpcheck/reference/registry.hpp"

namespace {

using namespace ulpcheck;

/// Median milliseconds of `reps` runs of `launch`, timed with CUDA events after two warm-ups.
template <class Launch>
double median_ms(int reps, Launch&& launch) {
  cudaEvent_t start, stop;
  cudaEventCreate(&start);
  cudaEventCreate(&stop);
  for (int i = 0; i < 2; ++i) launch();
  std::vector<float> ms;
  for (int i = 0; i < reps; ++i) {
    cudaEventRecord(start);
    launch();
    cudaEventRecord(stop);
    cudaEventSynchronize(stop);
    float t = 0;
    cudaEventElapsedTime(&t, start, stop);
    ms.push_back(t);
  }
  cudaEventDestroy(start);
  cudaEventDestroy(stop);
  std::nth_element(ms.begin(), ms.begin() + ms.size() / 2, ms.end());
  return ms[ms.size() / 2];
}

/// Device-to-device copy of 4 GiB, median of 5: bytes read plus bytes written per second.
double copy_bandwidth() {
  const std::size_t bytes = std::size_t{4} << 30;
  cuda::DeviceBuffer a(bytes), b(bytes);
  const double ms = median_ms(5, [&] { cudaMemcpy(b.data(), a.data(), bytes, cudaMemcpyDeviceToDevice); });
  cuda::synchronize("copy benchmark");
  return 2.0 * static_cast<double>(bytes) / (ms * 1e-3);
}

/// The inputs of the elementwise table for one format, as storage bytes: random bit
/// patterns (every path, NaN, inf and tails as often as the format has them) and
/// activation-like N(0, 2^2) values, as the inputs of a real layer are. Sized for a gated
/// op; unary ops read the first half.
struct BenchInputs {
  std::vector<unsigned char> random, normal;
};
BenchInputs bench_inputs(Format f, std::int64_t elements) {
  const InputSet host = random_rows(f, 2, 1, elements / 2, 1);
  BitTensor normal = host.tensor;
  std::mt19937_64 rng(5);
  std::normal_distribution<double> n(0.0, 2.0);
  for (std::uint32_t& b : normal.bits) b = encode(f, round_to(f, n(rng)));
  return {to_storage_bytes(host.tensor), to_storage_bytes(normal)};
}

/// Each CUDA variant of each op on random bits and on N(0, 2^2) values. The variants share
/// one tiling (act_and_mul.cuh) and differ only in their per-element arithmetic, so a
/// variant under 80% of the copy bandwidth on N(0, 2^2) values is held against the fastest
/// one of its op and dtype: what its arithmetic costs on top, or, where even that one is
/// under 80%, that no arithmetic of the op reaches it here.
void elementwise(std::int64_t tokens, std::int64_t d, int reps, double copy) {
  fmt::print("elementwise kernels, [{}, {}] -> [{}, {}] (unary: [{}, {}]), median of {} launches\n", tokens, 2 * d,
             tokens, d, tokens, d, reps);
  fmt::print("  random bit patterns (every path, NaN and inf included), then activation-like N(0, 2^2) values (N)\n");
  fmt::print("  {:<18} {:<5} {:<32} {:>9} {:>9} {:>7} {:>10} {:>10} {:>9} {:>7}\n", "op", "dtype", "kernel", "ms", "GB/s",
             "% copy", "vs single", "vs fastest", "N GB/s", "N %");
  const char* ops[] = {"silu_and_mul", "gelu_and_mul", "gelu_tanh_and_mul", "silu", "gelu", "gelu_tanh"};
  std::vector<std::string> slow;  // why each variant under 80% is
  for (Format f : {Format::bf16, Format::fp32}) {
    const BenchInputs inputs = bench_inputs(f, tokens * 2 * d);
    for (const char* op_name : ops) {
      const ElementwiseOp& op = *find_op(op_name);
      const std::size_t in_bytes = static_cast<std::size_t>(tokens * op.arity * d) * element_bytes(f);
      const std::size_t out_bytes = static_cast<std::size_t>(tokens * d) * element_bytes(f);
      cuda::DeviceBuffer in(in_bytes), out(out_bytes);
      struct Row {
        const Kernel* k;
        double ms, normal_ms;
      };
      std::vector<Row> rows;
      for (const Kernel* k : all_kernels()) {
        const auto* ck = dynamic_cast<const cuda::CudaElementwiseKernel*>(k);
        if (!ck) continue;
        const cuda::LaunchFn launch = ck->launcher(op, f);
        if (!launch) continue;
        const cuda::ElementwiseLaunch l{in.data(), out.data(), tokens, d, HUGE_VALF, nullptr};
        in.upload(inputs.random.data(), in_bytes);
        const double ms = median_ms(reps, [&] { launch(l); });
        in.upload(inputs.normal.data(), in_bytes);
        rows.push_back({k, ms, median_ms(reps, [&] { launch(l); })});
        cuda::synchronize("benchmark");
      }
      double single = 0, fastest = HUGE_VAL;
      const Row* fastest_normal = nullptr;
      for (const Row& r : rows) {
        if (r.k->name() == "cuda.single_rounding") single = r.ms;
        fastest = std::min(fastest, r.ms);
        if (!fastest_normal || r.normal_ms < fastest_normal->normal_ms) fastest_normal = &r;
      }
      const double bytes = static_cast<double>(in_bytes + out_bytes);
      const auto share = [&](double ms) { return 100.0 * bytes / (ms * 1e-3) / copy; };
      for (const Row& r : rows) {
        fmt::print("  {:<18} {:<5} {:<32} {:>9.4f} {:>9.1f} {:>6.1f}% {:>10} {:>9.3f}x {:>9.1f} {:>6.1f}%\n", op_name,
                   name(f), r.k->name(), r.ms, bytes / (r.ms * 1e-3) / 1e9, share(r.ms),
                   single > 0 ? fmt::format("{:.3f}x", r.ms / single) : "-", r.ms / fastest,
                   bytes / (r.normal_ms * 1e-3) / 1e9, share(r.normal_ms));
        if (share(r.normal_ms) >= 80.0) continue;
        const Row& best = *fastest_normal;
        slow.push_back(
            share(best.normal_ms) >= 80.0
                ? fmt::format("{} {} {}: {:.0f}% of copy, {} of the same tiling reaches {:.0f}%: this variant's "
                              "arithmetic ({}) costs {:.2f}x its time",
                              op_name, name(f), r.k->name(), share(r.normal_ms), best.k->name(), share(best.normal_ms),
                              r.k->description(), r.normal_ms / best.normal_ms)
                : fmt::format("{} {} {}: {:.0f}% of copy; no variant of the op reaches 80% here (the fastest, {}, "
                              "{:.0f}%): the op's per-element arithmetic on {} elements of {} bytes",
                              op_name, name(f), r.k->name(), share(r.normal_ms), best.k->name(), share(best.normal_ms),
                              tokens * d, element_bytes(f)));
      }
    }
  }
  if (!slow.empty()) {
    fmt::print("\n  under 80% of the copy bandwidth on N(0, 2^2) values, and why:\n");
    for (const std::string& why : slow) fmt::print("    {}\n", why);
  }
}

void routing(int reps) {
  fmt::print("\nrouting kernels, 65536 tokens, logits N(0, 2^2), DeepSeek-V3-like bias, median of {} launches\n", reps);
  fmt::print("  {:<44} {:<5} {:<26} {:>9} {:>12}\n", "config", "dtype", "variant (path)", "ms", "tokens/us");
  RoutingConfig warp = RoutingConfig::deepseek_v3();
  RoutingConfig general = warp;
  general.n_group = 16;  // 16 experts per group: the general path
  for (const RoutingConfig& c : {warp, general})
    for (Format f : {Format::fp32, Format::bf16}) {
      const std::int64_t tokens = 65536;
      const RoutingInputs in = routing_batch(c, f, Format::fp32, tokens, Distribution::normal(0, 2),
                                             kCheckpointBiases[0].distribution, 3);
      const std::vector<unsigned char> logits = to_storage_bytes(BitTensor{f, tokens, c.experts, in.logits});
      const std::vector<unsigned char> bias = to_storage_bytes(BitTensor{Format::fp32, 1, c.experts, in.bias});
      cuda::DeviceBuffer d_logits(logits.size()), d_bias(bias.size()), ids(tokens * c.topk * 4),
          weights(tokens * c.topk * 4);
      d_logits.upload(logits.data(), logits.size());
      d_bias.upload(bias.data(), bias.size());
      for (const routing_variants::Variant& v : routing_variants::kAll) {
        const math::RoutingShape shape = routing_variants::shape(v, c, f);
        const cuda::RoutingLaunch l{d_logits.data(), d_bias.data(), f, Format::fp32, tokens, shape,
                                    static_cast<std::int32_t*>(ids.data()), static_cast<float*>(weights.data())};
        const bool warp_path = cuda::warp_path(shape);
        const double ms = median_ms(reps, [&] {
          cuda::launch_routing(l, v.sigmoid == routing_variants::Sigmoid::tanh, v.epsilon, warp_path);
        });
        cuda::synchronize("routing benchmark");
        fmt::print("  {:<44} {:<5} {:<26} {:>9.4f} {:>12.1f}\n", c.label(), name(f),
                   fmt::format("{} ({})", v.suffix, warp_path ? "warp" : "thread"), ms, tokens / (ms * 1e3));
      }
    }
}


/// Bytes a sweep moves per element: the inputs written, the output poisoned, the kernel's
/// read and write, the check's read.
double sweep_bytes_per_element(const ElementwiseOp& op, Format f) {
  const double e = static_cast<double>(element_bytes(f));
  return op.arity * e /*fill*/ + e /*poison*/ + op.arity * e + e /*kernel*/ + e /*check*/;
}

void sweep_row(const ElementwiseOp& op, Format f, const Params& p, const Kernel& k, const PairTables* tables,
               double tables_s, double copy) {
  ExhaustiveTimes t;
  const auto start = std::chrono::steady_clock::now();
  ExhaustivePart part;
  try {
    part = run_exhaustive_part(op, k, f, p, Shard{}, {}, &t, 4096, tables);
  } catch (const std::exception& e) {
    fmt::print("  {:<18} {:<12} {:<5} {:<30} FAILED: {}\n", op.name, p.to_string(), name(f), k.name(), e.what());
    return;
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double floor_s = sweep_bytes_per_element(op, f) * 4294967296.0 / copy;
  const sweep::Totals& s = part.figures.totals;
  fmt::print("  {:<18} {:<12} {:<5} {:<30} {:>7.2f} {:>8.3f} {:>8.1f} {:>8.1f} {:>8.1f} {:>8.1f} {:>8.1f} {:>8.1f} "
             "{:>8.2f} {:>8.1f} {:>6.1f}x {:>8} {:>10.4g} {:>9}\n",
             op.name, p.to_string().empty() ? "-" : p.to_string(), name(f), k.name(), tables_s, wall, t.pass.kernel_ms,
             t.pass.oracle_ms, t.pass.total_ms, t.pass.setup_ms, t.pass.readback_ms, t.pass.distributions_ms,
             static_cast<double>(t.pass.distribution_bins) / 1e6, floor_s * 1e3, wall / floor_s, part.figures.escalated,
             s.max_ulp, s.budget_breaches);
}

/// Every CUDA kernel's full sweeps; `all` false: one op per activation, the default limit.
void sweeps(double copy, bool all) {
  fmt::print("\nexhaustive sweeps, 2^32 elements each: wall s = the whole sweep after the tables (kernel, GPU "
             "oracle, reductions, downloads, host settling); pass ms = the pass over the rows (inputs written, "
             "kernel, check; three chunks of rows in flight, the kernel under test and the writing of inputs running "
             "alongside the checks), kern and check = those kernels' times summed over the chunks (they overlap, so "
             "their sum can exceed the pass); setup = device memory; readback = figures and lists read "
             "back, of which dist = the distributions' nonzero bins (bins M = millions of them); floor = bytes moved / "
             "copy bandwidth\n");
  fmt::print("  {:<18} {:<12} {:<5} {:<30} {:>7} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>7} {:>8} "
             "{:>10} {:>9}\n",
             "op", "params", "dtype", "kernel", "tables", "wall s", "kern ms", "check ms", "pass ms", "setup", "readback",
             "dist", "bins M", "floor ms", "/floor", "escal.", "max ULP", "breaches");
  for (const ElementwiseOp* op : all_ops())
    for (Format f : {Format::bf16, Format::fp16, Format::fp32}) {
      const ExhaustiveSpace space = exhaustive_space(*op, f);
      if (space == ExhaustiveSpace::none || space == ExhaustiveSpace::all_16bit_inputs) continue;
      if (!all && (op->name == "silu_and_mul_clamp" || f == Format::fp16)) continue;
      for (const Params& p : all ? op->checked_params() : std::vector<Params>{op->default_params()}) {
        const auto t0 = std::chrono::steady_clock::now();
        PairTables tables;
        if (space == ExhaustiveSpace::all_pairs) tables = pair_tables(*op, f, p);
        const double tables_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        for (const Kernel* k : all_kernels())
          if (sweep::sweepable(*k, *op, f) && k->unsupported_params(*op, f, p).empty())
            sweep_row(*op, f, p, *k, space == ExhaustiveSpace::all_pairs ? &tables : nullptr, tables_s, copy);
      }
    }
}

/// The host oracle's path (measure(): oracle on every core, then the comparison) against
/// the sweep, on the same pairs: the first 1524 rows of silu_and_mul's bf16 space (shard
/// 1 of 43, 99.9 million pairs), through cuda.single_rounding.
void host_path_speedup() {
  const ElementwiseOp& op = *find_op("silu_and_mul");
  const Kernel& k = *find_kernel("cuda.single_rounding");
  const Shard shard{0, 43};
  const std::int64_t rows = shard.end_unit() - shard.first_unit();
  const auto t0 = std::chrono::steady_clock::now();
  const ExhaustivePart part = run_exhaustive_part(op, k, Format::bf16, op.default_params(), shard);
  const double sweep_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  InputSet in;
  in.tensor = BitTensor{Format::bf16, rows, 2 * sweep::kRowElements, {}};
  in.tensor.bits.reserve(static_cast<std::size_t>(rows * 2 * sweep::kRowElements));
  for (std::int64_t r = 0; r < rows; ++r) {
    for (std::uint32_t g = 0; g < 65536; ++g) in.tensor.bits.push_back(g);
    for (std::uint32_t g = 0; g < 65536; ++g) in.tensor.bits.push_back(static_cast<std::uint32_t>(r));
  }
  in.description = "sweep rows";
  in.batches = {{rows, sweep::kRowElements}};
  const auto t1 = std::chrono::steady_clock::now();
  const Measurement m = measure(op, k, Format::bf16, op.default_params(), in);
  const double host_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
  fmt::print("\nsame {} pairs of silu_and_mul bf16 through cuda.single_rounding: host oracle path {:.2f} s, sweep "
             "{:.3f} s (with its tables): {:.0f}x; figures agree: {} (breaches {} / {}, correctly rounded {} / {})\n",
             m.stats.count, host_s, sweep_s, host_s / sweep_s,
             m.stats.correctly_rounded == part.figures.totals.correctly_rounded &&
                     m.stats.budget_breaches == part.figures.totals.budget_breaches
                 ? "yes"
                 : "NO",
             m.stats.budget_breaches, part.figures.totals.budget_breaches, m.stats.correctly_rounded,
             part.figures.totals.correctly_rounded);
}

}  // namespace

int main(int argc, char** argv) {
  std::int64_t tokens = 8192, d = 8192;
  int reps = 20;
  std::string sweep_set = "all";
  bool kernels = true;  // the elementwise and routing tables
  for (int i = 1; i < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--sweeps-only") {
      kernels = false;
      --i;
      continue;
    }
    if (i + 1 >= argc) {
      fmt::print(stderr, "ulpcheck_bench: {} takes a value\n", flag);
      return 2;
    }
    const long long v = std::atoll(argv[i + 1]);
    if (flag == "--tokens") tokens = v;
    else if (flag == "--d") d = v;
    else if (flag == "--reps") reps = static_cast<int>(v);
    else if (flag == "--sweeps" && (std::string(argv[i + 1]) == "all" || std::string(argv[i + 1]) == "one" ||
                                    std::string(argv[i + 1]) == "none"))
      sweep_set = argv[i + 1];
    else {
      fmt::print(stderr,
                 "ulpcheck_bench: unknown option {}; takes --tokens N --d D --reps R --sweeps all|one|none "
                 "--sweeps-only\n",
                 flag);
      return 2;
    }
  }
  if (!cuda::device_available()) {
    fmt::print("ulpcheck_bench: SKIPPED, no GPU: {}\n", cuda::device_description());
    return 0;
  }
  fmt::print("device: {}\n", cuda::device_description());
  const double copy = copy_bandwidth();
  fmt::print("device-to-device copy: {:.1f} GB/s (read + write), the floor below\n\n", copy / 1e9);
  if (kernels) {
    elementwise(tokens, d, reps, copy);
    routing(reps);
  }
  if (sweep_set != "none") {
    sweeps(copy, sweep_set == "all");
    host_path_speedup();
  }
  return 0;
}
