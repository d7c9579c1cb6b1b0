// The CUDA combine kernels (device/cuda/combine_kernels.cu) give their host twins' bits
// (the arithmetic is device/math/combine.cuh on both sides) and are within their claims, on
// the host test's inputs and on DeepSeek-V3's hidden size.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdio>

#include "tests/device/combine_inputs.hpp"
#include "tests/device/cuda/gpu_test_support.hpp"
#include "ulpcheck/properties/combine/compare.hpp"

namespace ulpcheck {
namespace {

const CombineKernel& host_twin(const CombineKernel& k) {
  return *find_combine_kernel("host." + std::string(k.name().substr(std::string_view("cuda.").size())));
}

TEST(CudaCombine, EveryKernelGivesItsHostTwinsBitsWithinItsClaim) {
  ULPCHECK_REQUIRE_GPU();
  std::vector<const CombineKernel*> kernels;
  for (const CombineKernel* k : all_combine_kernels())
    if (k->name().starts_with("cuda.")) kernels.push_back(k);
  ASSERT_EQ(kernels.size(), 6u);
  struct Case {
    CombineConfig config;
    std::int64_t tokens;
  };
  // Small shapes of every kind, then DeepSeek-V3's: topk 8, hidden 7168, rsf 2.5.
  std::vector<Case> cases;
  for (int topk : {1, 3, 8, 32})
    for (double rsf : {1.0, 2.5, static_cast<double>(0.1f)})
      cases.push_back({CombineConfig{.topk = topk, .hidden = 33, .routed_scaling_factor = rsf}, 24});
  cases.push_back({CombineConfig{.topk = 8, .hidden = 7168, .routed_scaling_factor = 2.5}, 64});
  unsigned seed = 1;
  long long elements = 0;
  for (Format f : all_formats())
    for (const Case& c : cases) {
      const CombineInputs in = testing::random_combine_inputs(c.config, f, c.tokens, seed++);
      const CombineExact exact = combine_exact(c.config, in);
      for (const CombineKernel* k : kernels) {
        const std::optional<CombineClaim> claim = k->claim(c.config, f);
        if (!claim) continue;
        const std::vector<std::uint32_t> gpu = run_combine_kernel(*k, c.config, in);
        const ErrorStats s = compare_combine(c.config, *claim, in, exact, gpu);
        EXPECT_TRUE(s.passes()) << k->name() << " " << name(f) << " " << c.config.label() << "\n"
                                << (s.passes() ? "" : explain_combine_element(c.config, *claim, in, exact, gpu,
                                                                              s.first_failure().row,
                                                                              s.first_failure().col));
        EXPECT_EQ(gpu, run_combine_kernel(host_twin(*k), c.config, in)) << k->name() << " " << name(f) << " "
                                                                        << c.config.label();
        elements += s.count;
      }
    }
  std::printf("%lld outputs of %zu CUDA combine kernels: the host twins' bits, within their claims\n", elements,
              kernels.size());
}

}  // namespace
}  // namespace ulpcheck
