// GPU benchmarks: what each elementwise kernel variant costs on a large batch (time per
// launch, effective bandwidth, and its ratio to cuda.single_rounding measured side by side
// in the same run), and the routing kernels' two paths. Prints a table; no pass or fail.
//
//   ulpcheck_bench [--tokens N] [--d D] [--reps R]
#include <cuda_runtime_api.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "ulpcheck/device/cuda/elementwise_kernel.hpp"
#include "ulpcheck/device/cuda/routing_launch.hpp"
#include "ulpcheck/device/cuda/runtime.hpp"
#include "ulpcheck/device/registry.hpp"
#include "ulpcheck/device/routing_variants.hpp"
#include "ulpcheck/properties/inputs.hpp"
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

void elementwise(std::int64_t tokens, std::int64_t d, int reps) {
  fmt::print("elementwise kernels, [{}, {}] -> [{}, {}] (unary: [{}, {}]), median of {} launches\n", tokens, 2 * d,
             tokens, d, tokens, d, reps);
  fmt::print("  {:<18} {:<5} {:<32} {:>9} {:>9} {:>14}\n", "op", "dtype", "kernel", "ms", "GB/s", "vs single");
  const char* ops[] = {"silu_and_mul", "gelu_and_mul", "gelu_tanh_and_mul", "gelu", "gelu_tanh"};
  for (const char* op_name : ops) {
    const ElementwiseOp& op = *find_op(op_name);
    for (Format f : {Format::bf16, Format::fp32}) {
      const std::size_t in_bytes = static_cast<std::size_t>(tokens * op.arity * d) * element_bytes(f);
      const std::size_t out_bytes = static_cast<std::size_t>(tokens * d) * element_bytes(f);
      cuda::DeviceBuffer in(in_bytes), out(out_bytes);
      // Random bit patterns: every path (NaN, inf, tails) as often as the format has them.
      const InputSet host = random_rows(f, op.arity, 1, static_cast<std::int64_t>(in_bytes / element_bytes(f)) / op.arity, 1);
      const std::vector<unsigned char> bytes = to_storage_bytes(host.tensor);
      in.upload(bytes.data(), in_bytes);
      double single = 0;
      for (const Kernel* k : all_kernels()) {
        const auto* ck = dynamic_cast<const cuda::CudaElementwiseKernel*>(k);
        if (!ck) continue;
        const cuda::LaunchFn launch = ck->launcher(op, f);
        if (!launch) continue;
        const cuda::ElementwiseLaunch l{in.data(), out.data(), tokens, d, HUGE_VALF, nullptr};
        const double ms = median_ms(reps, [&] { launch(l); });
        cuda::synchronize("benchmark");
        if (k->name() == "cuda.single_rounding") single = ms;
        fmt::print("  {:<18} {:<5} {:<32} {:>9.4f} {:>9.1f} {:>14}\n", op_name, name(f), k->name(), ms,
                   static_cast<double>(in_bytes + out_bytes) / (ms * 1e6),
                   single > 0 ? fmt::format("{:.3f}x", ms / single) : std::string("-"));
      }
    }
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

}  // namespace

int main(int argc, char** argv) {
  std::int64_t tokens = 8192, d = 8192;
  int reps = 20;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const long long v = std::atoll(argv[i + 1]);
    if (flag == "--tokens") tokens = v;
    else if (flag == "--d") d = v;
    else if (flag == "--reps") reps = static_cast<int>(v);
    else {
      fmt::print(stderr, "ulpcheck_bench: unknown option {}; takes --tokens N --d D --reps R\n", flag);
      return 2;
    }
  }
  if (!cuda::device_available()) {
    fmt::print("ulpcheck_bench: SKIPPED, no GPU: {}\n", cuda::device_description());
    return 0;
  }
  fmt::print("device: {}\n\n", cuda::device_description());
  elementwise(tokens, d, reps);
  routing(reps);
  return 0;
}
