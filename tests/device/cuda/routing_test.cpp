// The CUDA routing kernels (device/cuda/routing_kernels.cu): the warp path (256 experts in 8
// groups) and the general path give the host kernels' bits wherever the arithmetic is
// portable (exp_fp32 sigmoid), and every kernel agrees with the exact oracle (differences
// only at near-ties, weights within budget) on DeepSeek-V3 batches and on every config of
// a sweep over the valid space.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>

#include "tests/device/cuda/gpu_test_support.hpp"
#include "ulpcheck/device/registry.hpp"
#include "ulpcheck/properties/routing/compare.hpp"
#include "ulpcheck/properties/routing/inputs.hpp"

namespace ulpcheck {
namespace {

RoutingOutputs run(const RoutingKernel& k, const RoutingConfig& c, const RoutingInputs& in) {
  RoutingOutputs out{std::vector<std::int32_t>(static_cast<std::size_t>(in.tokens * c.topk), -1),
                     std::vector<float>(static_cast<std::size_t>(in.tokens * c.topk), NAN)};
  k.run(c, in, out);
  return out;
}

/// The host kernel of the same variant ("cuda.routing_fp32" -> "host.routing_fp32").
const RoutingKernel& host_twin(const RoutingKernel& k) {
  return *find_routing_kernel("host." + std::string(k.name().substr(std::string_view("cuda.").size())));
}

/// tanhf is CUDA's on the GPU and the C library's on the host; everything else is portable.
bool portable(const RoutingKernel& k) { return k.name() != "cuda.routing_tanh_sigmoid"; }

std::vector<RoutingConfig> configs() {
  std::vector<RoutingConfig> out{RoutingConfig::deepseek_v3()};
  const int shapes[][4] = {{8, 4, 2, 3},     {64, 8, 3, 6},  {128, 4, 4, 16}, {160, 32, 9, 7},
                           {512, 16, 1, 32}, {256, 8, 8, 32}, {256, 8, 1, 1},  {96, 3, 2, 12}};
  for (const auto& s : shapes)
    for (Scoring scoring : {Scoring::sigmoid, Scoring::softmax})
      for (bool renormalize : {true, false}) {
        RoutingConfig c;
        c.experts = s[0], c.n_group = s[1], c.topk_group = s[2], c.topk = s[3];
        c.scoring = scoring, c.renormalize = renormalize, c.routed_scaling_factor = 2.5;
        out.push_back(c);
      }
  return out;
}

TEST(CudaRouting, EveryKernelAndConfigAgreesWithTheOracleAndTheHost) {
  ULPCHECK_REQUIRE_GPU();
  const std::pair<Format, Format> formats[] = {{Format::fp32, Format::fp32}, {Format::bf16, Format::bf16},
                                               {Format::bf16, Format::fp32}, {Format::fp16, Format::fp16}};
  std::uint64_t seed = 40;
  for (const RoutingKernel* k : all_routing_kernels()) {
    if (!k->name().starts_with("cuda.")) continue;
    std::int64_t tokens_all = 0, near = 0, differ_host = 0;
    for (const RoutingConfig& c : configs())
      for (const auto& [lf, bf] : formats)
        for (const Distribution& logits : {Distribution::normal(0, 2), Distribution::bits()}) {
          const RoutingInputs in =
              routing_batch(c, lf, bf, 333, logits, kCheckpointBiases[seed % 3].distribution, ++seed);
          const RoutingOutputs gpu = run(*k, c, in);
          const RoutingStats s = compare_routing(c, *k->claim(c, lf, bf), in, route_exact(c, in), gpu);
          EXPECT_TRUE(s.passes()) << fmt::format("{} {} logits {} bias {} ({})\n{}", k->name(), c.label(), name(lf),
                                                 name(bf), logits.label(), s.failures.empty() ? "" : s.failures[0]);
          tokens_all += s.tokens;
          near += s.near_ties;
          const RoutingOutputs host = run(host_twin(*k), c, in);
          const bool same = gpu.ids == host.ids &&
                            std::memcmp(gpu.weights.data(), host.weights.data(), gpu.weights.size() * 4) == 0;
          differ_host += !same;
          if (portable(*k)) {
            EXPECT_TRUE(same) << fmt::format("{} vs its host twin: {} logits {} bias {}", k->name(), c.label(),
                                             name(lf), name(bf));
          }
        }
    std::printf("%-26s %lld tokens against the oracle, %lld near-ties; %lld batches differ from the host twin\n",
                std::string(k->name()).c_str(), static_cast<long long>(tokens_all), static_cast<long long>(near),
                static_cast<long long>(differ_host));
  }
}

}  // namespace
}  // namespace ulpcheck
