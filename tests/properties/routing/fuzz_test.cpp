// Routing fuzzing: every built-in host routing kernel passes every routing property, and
// every planted routing bug is caught by the property named beside it within the default
// case count.
#include "ulpcheck/properties/routing/fuzz.hpp"

#include <gtest/gtest.h>

#include <cstdio>

#include "tests/properties/routing/planted_routing_kernels.hpp"
#include "ulpcheck/device/registry.hpp"

namespace ulpcheck {
namespace {

const RoutingFuzzProperty& property(std::string_view name) {
  for (const RoutingFuzzProperty& p : all_routing_fuzz_properties())
    if (p.name == name) return p;
  throw std::logic_error("no routing property " + std::string(name));
}

TEST(RoutingFuzz, HostKernelsPassEveryProperty) {
  const std::pair<Format, Format> formats[] = {{Format::fp32, Format::fp32}, {Format::bf16, Format::bf16},
                                               {Format::bf16, Format::fp32}};
  for (const RoutingKernel* k : all_routing_kernels()) {
    if (!k->name().starts_with("host.")) continue;
    for (const auto& [logits, bias] : formats)
      for (const RoutingFuzzProperty& p : all_routing_fuzz_properties()) {
        const FuzzResult r = run_routing_fuzz_property({k, logits, bias}, p, FuzzSettings{25, 3});
        EXPECT_TRUE(r.passed) << r.id << "\n" << r.failure << "\n" << r.counterexample;
      }
  }
}

TEST(RoutingFuzzCampaign, HostKernelsPassOneThousandCasesPerProperty) {
  // The long campaign (label slow): every host routing kernel, every pair of logits and
  // bias dtypes, another seed.
  for (const RoutingKernel* k : all_routing_kernels()) {
    if (!k->name().starts_with("host.")) continue;
    for (Format logits : all_formats())
      for (Format bias : all_formats())
        for (const RoutingFuzzProperty& p : all_routing_fuzz_properties()) {
          const FuzzResult r = run_routing_fuzz_property({k, logits, bias}, p, FuzzSettings{1000, 20261123});
          EXPECT_TRUE(r.passed) << r.id << "\n" << r.failure << "\n" << r.counterexample << "replay: " << r.replay_token;
        }
  }
}

TEST(RoutingFuzz, EveryPlantedBugIsCaughtByItsProperty) {
  for (const planted::PlantedRoutingKernel& p : planted::all_routing()) {
    const FuzzResult r = run_routing_fuzz_property({p.kernel, Format::fp32, Format::fp32}, property(p.caught_by),
                                                   FuzzSettings{100, 1});
    EXPECT_FALSE(r.passed) << p.kernel->name() << " (" << p.bug << ") passed " << p.caught_by;
    std::printf("%-45s caught by %-16s after %d passing cases\n", std::string(p.kernel->name()).c_str(),
                std::string(p.caught_by).c_str(), r.cases);
  }
}

}  // namespace
}  // namespace ulpcheck
