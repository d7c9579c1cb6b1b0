// The host routing kernels (device/host/routing_kernels.cpp) against the exact oracle on
// the routing sweep: the experts are the oracle's (a difference only at a near-tie) and
// every weight is within the kernel's claim. The CUDA kernels run the same sweep and must
// give these kernels' bits, so a claim too tight for the arithmetic fails here first.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>

#include "tests/device/routing_sweep.hpp"
#include "ulpcheck/device/routing_kernel.hpp"
#include "ulpcheck/properties/routing/compare.hpp"
#include "ulpcheck/properties/routing/measure.hpp"

namespace ulpcheck {
namespace {

TEST(HostRouting, EveryKernelAndConfigAgreesWithTheOracle) {
  std::vector<const RoutingKernel*> kernels;
  for (const RoutingKernel* k : all_routing_kernels())
    if (k->name().starts_with("host.")) kernels.push_back(k);
  ASSERT_FALSE(kernels.empty());
  std::vector<long long> floor(kernels.size()), near(kernels.size());
  std::vector<double> worst(kernels.size());
  long long tokens = 0;
  testing::for_each_routing_sweep_batch(333, [&](const testing::RoutingSweepBatch& b) {
    tokens += b.inputs.tokens;
    for (std::size_t i = 0; i < kernels.size(); ++i) {
      const RoutingClaim claim = *kernels[i]->claim(b.config, b.logits_format, b.bias_format);
      const RoutingStats s = compare_routing(b.config, claim, b.inputs, b.exact, run_routing_kernel(*kernels[i], b.config, b.inputs));
      EXPECT_TRUE(s.passes()) << fmt::format("{} {} logits {} bias {} ({})\n{}", kernels[i]->name(), b.config.label(),
                                             name(b.logits_format), name(b.bias_format), b.logits.label(),
                                             s.failures.empty() ? "" : s.failures[0]);
      floor[i] += s.weights_in_floor;
      near[i] += s.near_ties;
      worst[i] = std::max(worst[i], s.max_weight_ulp);
    }
  });
  for (std::size_t i = 0; i < kernels.size(); ++i)
    std::printf("%-26s %lld tokens against the oracle, %lld near-ties, %lld tokens with weights in the floor, worst "
                "weight %.2f ULP\n",
                std::string(kernels[i]->name()).c_str(), tokens, near[i], floor[i], worst[i]);
}

}  // namespace
}  // namespace ulpcheck
