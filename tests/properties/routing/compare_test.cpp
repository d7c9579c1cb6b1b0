// The routing comparison: the built-in host kernels agree with the exact oracle on
// DeepSeek-V3 batches (every differing id explained by a near-tie, every weight within its
// budget), and a kernel with a planted routing bug is a mismatch.
#include "ulpcheck/properties/routing/compare.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdio>

#include "tests/properties/routing/planted_routing_kernels.hpp"
#include "ulpcheck/device/registry.hpp"
#include "ulpcheck/properties/routing/inputs.hpp"

namespace ulpcheck {
namespace {

struct Formats {
  Format logits, bias;
};
constexpr Formats kFormats[] = {{Format::fp32, Format::fp32}, {Format::bf16, Format::bf16},
                                {Format::bf16, Format::fp32}, {Format::fp16, Format::fp16}};

RoutingStats run(const RoutingKernel& k, const RoutingConfig& c, const RoutingInputs& in) {
  RoutingOutputs out{std::vector<std::int32_t>(static_cast<std::size_t>(in.tokens * c.topk), -1),
                     std::vector<float>(static_cast<std::size_t>(in.tokens * c.topk), NAN)};
  k.run(c, in, out);
  return compare_routing(c, *k.claim(c, in.logits_format, in.bias_format), in, route_exact(c, in), out);
}

TEST(RoutingCompare_deepseek_v3, HostKernelsAgreeWithTheOracle) {
  const RoutingConfig c = RoutingConfig::deepseek_v3();
  for (const RoutingKernel* k : all_routing_kernels()) {
    if (!k->name().starts_with("host.")) continue;
    for (const Formats& f : kFormats) {
      const RoutingInputs in =
          routing_batch(c, f.logits, f.bias, 2048, Distribution::normal(0, 2), kCheckpointBiases[0].distribution, 5);
      const RoutingStats s = run(*k, c, in);
      EXPECT_TRUE(s.passes()) << k->name() << " " << name(f.logits) << "/" << name(f.bias) << "\n"
                              << (s.failures.empty() ? "" : s.failures.front());
      EXPECT_EQ(s.matches + s.near_ties, s.tokens);
      std::printf("%-26s logits %s bias %s: %lld of %lld tokens match, %lld near-ties, max weight error %.3g ULP\n",
                  std::string(k->name()).c_str(), std::string(name(f.logits)).c_str(),
                  std::string(name(f.bias)).c_str(), static_cast<long long>(s.matches),
                  static_cast<long long>(s.tokens), static_cast<long long>(s.near_ties), s.max_weight_ulp);
    }
  }
}

TEST(RoutingCompare_deepseek_v3, EveryPlantedBugIsCaught) {
  const RoutingConfig c = RoutingConfig::deepseek_v3();
  const RoutingInputs in = routing_batch(c, Format::fp32, Format::fp32, 512, Distribution::normal(0, 2),
                                         kCheckpointBiases[0].distribution, 6);
  for (const planted::PlantedRoutingKernel& p : planted::all_routing()) {
    if (p.hidden_from_one_gaussian_run) continue;  // the fuzz test catches it
    const RoutingStats s = run(*p.kernel, c, in);
    EXPECT_FALSE(s.passes()) << p.kernel->name() << ": " << p.bug;
    std::printf("%-45s %lld mismatches, %lld invalid, %lld weight breaches of %lld tokens\n",
                std::string(p.kernel->name()).c_str(), static_cast<long long>(s.mismatches),
                static_cast<long long>(s.invalid), static_cast<long long>(s.weight_breaches),
                static_cast<long long>(s.tokens));
  }
}

}  // namespace
}  // namespace ulpcheck
