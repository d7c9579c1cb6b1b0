// The CUDA routing kernels (device/cuda/routing_kernels.cu): the warp path (256 experts in 8
// groups) and the general path give the host kernels' bits wherever the arithmetic is
// portable (exp_fp32 sigmoid), and every kernel agrees with the exact oracle (differences
// only at near-ties, weights within budget) on DeepSeek-V3 batches and on every config of
// a sweep over the valid space (tests/device/routing_sweep.hpp).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>

#include "tests/device/cuda/gpu_test_support.hpp"
#include "tests/device/routing_sweep.hpp"
#include "ulpcheck/device/registry.hpp"
#include "ulpcheck/properties/routing/compare.hpp"
#include "ulpcheck/properties/routing/measure.hpp"

namespace ulpcheck {
namespace {

/// The host kernel of the same variant ("cuda.routing_fp32" -> "host.routing_fp32").
const RoutingKernel& host_twin(const RoutingKernel& k) {
  return *find_routing_kernel("host." + std::string(k.name().substr(std::string_view("cuda.").size())));
}

/// Equal bits, or NaN on both sides: a 0/0 weight (no epsilon, every picked score 0) is
/// the GPU's canonical NaN and x86's negative default NaN, both what the kernel declares.
bool same_weights(const std::vector<float>& a, const std::vector<float>& b) {
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::memcmp(&a[i], &b[i], 4) != 0 && !(std::isnan(a[i]) && std::isnan(b[i]))) return false;
  return a.size() == b.size();
}

/// tanhf is CUDA's on the GPU and the C library's on the host; everything else is portable.
bool portable(const RoutingKernel& k) { return k.name() != "cuda.routing_tanh_sigmoid"; }

TEST(CudaRouting, EveryKernelAndConfigAgreesWithTheOracleAndTheHost) {
  ULPCHECK_REQUIRE_GPU();
  std::vector<const RoutingKernel*> kernels;
  for (const RoutingKernel* k : all_routing_kernels())
    if (k->name().starts_with("cuda.")) kernels.push_back(k);
  std::vector<long long> near(kernels.size()), differ_host(kernels.size());
  long long tokens = 0;
  // Each batch's oracle is computed once and shared by every kernel.
  testing::for_each_routing_sweep_batch(333, [&](const testing::RoutingSweepBatch& b) {
    tokens += b.inputs.tokens;
    for (std::size_t i = 0; i < kernels.size(); ++i) {
      const RoutingKernel& k = *kernels[i];
      const RoutingOutputs gpu = run_routing_kernel(k, b.config, b.inputs);
      const RoutingStats s =
          compare_routing(b.config, *k.claim(b.config, b.logits_format, b.bias_format), b.inputs, b.exact, gpu);
      EXPECT_TRUE(s.passes()) << fmt::format("{} {} logits {} bias {} ({})\n{}", k.name(), b.config.label(),
                                             name(b.logits_format), name(b.bias_format), b.logits.label(),
                                             s.failures.empty() ? "" : s.failures[0]);
      near[i] += s.near_ties;
      const RoutingOutputs host = run_routing_kernel(host_twin(k), b.config, b.inputs);
      const bool same = gpu.ids == host.ids && same_weights(gpu.weights, host.weights);
      differ_host[i] += !same;
      if (portable(k)) {
        EXPECT_TRUE(same) << fmt::format("{} vs its host twin: {} logits {} bias {}", k.name(), b.config.label(),
                                         name(b.logits_format), name(b.bias_format));
      }
    }
  });
  for (std::size_t i = 0; i < kernels.size(); ++i)
    std::printf("%-26s %lld tokens against the oracle, %lld near-ties; %lld batches differ from the host twin\n",
                std::string(kernels[i]->name()).c_str(), tokens, near[i], differ_host[i]);
}

}  // namespace
}  // namespace ulpcheck
