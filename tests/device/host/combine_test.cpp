// The host combine kernels (device/host/combine_kernels.cpp) against the exact oracle: every
// variant within the claim derived for it (device/combine_variants.cpp), on inputs whose
// terms cancel, for every format it takes. The CUDA kernels must give these kernels' bits.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>

#include "tests/device/combine_inputs.hpp"
#include "ulpcheck/device/combine_kernel.hpp"
#include "ulpcheck/properties/combine/compare.hpp"

namespace ulpcheck {
namespace {

using testing::random_combine_inputs;

std::vector<const CombineKernel*> host_kernels() {
  std::vector<const CombineKernel*> out;
  for (const CombineKernel* k : all_combine_kernels())
    if (k->name().starts_with("host.")) out.push_back(k);
  return out;
}

TEST(HostCombine, EveryVariantIsWithinItsClaim) {
  ASSERT_EQ(host_kernels().size(), 6u);
  unsigned seed = 1;
  for (Format f : all_formats())
    for (int topk : {1, 3, 8, 32})
      for (double rsf : {1.0, 2.5, static_cast<double>(0.1f)}) {
        const CombineConfig c{.topk = topk, .hidden = 33, .routed_scaling_factor = rsf};
        const CombineInputs in = random_combine_inputs(c, f, 24, seed++);
        const CombineExact exact = combine_exact(c, in);
        for (const CombineKernel* k : host_kernels()) {
          const std::optional<CombineClaim> claim = k->claim(c, f);
          if (!claim) continue;
          const std::vector<std::uint32_t> out = run_combine_kernel(*k, c, in);
          const ErrorStats s = compare_combine(c, *claim, in, exact, out);
          ASSERT_TRUE(s.passes()) << k->name() << " " << name(f) << " " << c.label() << "\n"
                                  << explain_combine_element(c, *claim, in, exact, out, s.first_failure().row,
                                                             s.first_failure().col);
          EXPECT_EQ(s.count, 24 * 33);
        }
      }
}

TEST(HostCombine, PlacementsThatRoundTheScaledSumToStorageDoNotClaimFp16) {
  const CombineConfig c;
  for (const CombineKernel* k : host_kernels()) {
    const bool naive = k->name() == "host.combine_fold" || k->name() == "host.combine_fold_storage_sum" ||
                       k->name() == "host.combine_scale_output";
    EXPECT_EQ(k->claim(c, Format::fp16).has_value(), !naive) << k->name();
    EXPECT_TRUE(k->claim(c, Format::bf16).has_value()) << k->name();
  }
}

TEST(HostCombine, TheNaiveOrderOverflowsFp16WhereTheGuardDoesNot) {
  // rsf 2.5 * 30000 = 75000 overflows fp16; with shared -59968 the exact output is 15032.
  const CombineConfig c{.topk = 1, .hidden = 1, .routed_scaling_factor = 2.5};
  const CombineInputs in{Format::fp16, 1, {encode(Format::fp16, 30000.0)}, {1.0f}, {encode(Format::fp16, -59968.0)}};
  const auto value = [&](std::string_view kernel) {
    return decode(Format::fp16, run_combine_kernel(*find_combine_kernel(kernel), c, in)[0]);
  };
  EXPECT_EQ(value("host.combine_scale_output"), HUGE_VAL);
  // The guard rounds shared / 2.5 to fp16's spacing of 16 there: 15040, one spacing off.
  EXPECT_EQ(value("host.combine_fp16_guard"), 15040.0);
  EXPECT_EQ(value("host.combine_fold_fused"), 15032.0);
}

TEST(HostCombine, ThePlacementsRoundDifferently) {
  // Not a claim, a guard against variants that collapse into one: with k = 8 every pair
  // of variants differs somewhere in bf16 or in fp32. (In fp32 a rounding to storage is
  // none, so fold is fold_fused there; the fp32 steps alone rarely move a bf16 result.)
  const CombineConfig c;
  const CombineInputs bf16 = random_combine_inputs(c, Format::bf16, 64, 99), fp32 = random_combine_inputs(c, Format::fp32, 64, 98);
  const std::vector<const CombineKernel*> k = host_kernels();
  for (std::size_t i = 0; i < k.size(); ++i)
    for (std::size_t j = i + 1; j < k.size(); ++j)
      EXPECT_TRUE(run_combine_kernel(*k[i], c, bf16) != run_combine_kernel(*k[j], c, bf16) ||
                  run_combine_kernel(*k[i], c, fp32) != run_combine_kernel(*k[j], c, fp32))
          << k[i]->name() << " and " << k[j]->name();
}

TEST(HostCombine, RefusesInputsSizedWrong) {
  const CombineConfig c{.topk = 2, .hidden = 4};
  CombineInputs in = random_combine_inputs(c, Format::bf16, 3, 1);
  in.weights.pop_back();
  std::vector<std::uint32_t> out(12);
  try {
    host_kernels()[0]->run(c, in, out);
    FAIL() << "ran";
  } catch (const KernelError& e) {
    EXPECT_NE(std::string(e.what()).find("host.combine_fold_fused: weights has 5 elements"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace ulpcheck
