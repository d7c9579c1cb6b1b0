// The ops' default budgets (reference/ops/silu.cpp, gelu.cpp) hold for the host kernels that
// round once: host.single_rounding, and host.accurate (one rounding too, in forms that do not
// cancel). Each is held to the op's default, not to its own claim, on the inputs `ulpcheck
// report` measures by default: a plugin kernel that declares max_ulp < 0 is held to the same
// budget on the same inputs, so a correct single-rounding kernel must pass it. The CUDA
// kernels: tests/device/cuda/default_budget_test.cpp.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>

#include "tests/device/default_budget_checks.hpp"
#include "ulpcheck/device/registry.hpp"
#include "ulpcheck/properties/compare.hpp"
#include "ulpcheck/reference/oracle.hpp"
#include "ulpcheck/reference/registry.hpp"

namespace ulpcheck {
namespace {

constexpr const char* kSingleRoundingHostKernels[] = {"host.single_rounding", "host.accurate"};

class OpDefaultBudget : public ::testing::TestWithParam<const char*> {};

TEST_P(OpDefaultBudget, HoldsForEverySingleRoundingHostKernelOnTheReportInputs) {
  const ElementwiseOp& op = *find_op(GetParam());
  for (const char* k : kSingleRoundingHostKernels) testing::expect_default_budget_holds(*find_kernel(k), op);
}

INSTANTIATE_TEST_SUITE_P(AllOps, OpDefaultBudget,
                         ::testing::Values("silu", "silu_and_mul", "silu_and_mul_clamp", "gelu", "gelu_and_mul",
                                           "gelu_tanh", "gelu_tanh_and_mul"),
                         [](const ::testing::TestParamInfo<const char*>& i) { return std::string(i.param); });

TEST(OpDefaultBudget, CoversEveryOp) {
  // The list above is every op of the table: a new op gets its default checked too.
  EXPECT_EQ(all_ops().size(), 7u) << "add the new op to OpDefaultBudget's values";
}

/// A plugin author's single-rounding gelu_and_mul in bf16, t/2 (1 + erff(t / sqrt 2)) * u in
/// fp32 (the arithmetic of host.single_rounding), at gate 0xc07a (-3.90625) and up 0x3a83
/// (bf16(9.99e-4) = 9.99450684e-4). There 1 + erf(t / sqrt 2) = 9.4e-5, so the fp32 result
/// carries erff's error of about 2^-24 as 1.3e-3 relative: 0.52 ULP after the rounding to
/// bf16, and 4.86e-10 absolute, just above the floor 2^-21 |u| = 4.77e-10. The old default
/// (0.51, the unary ops' budget) failed it; the op's default takes it.
TEST(GeluAndMul_bf16, SingleRoundingKernelNearTheFloorEdgeIsWithinTheDefault) {
  const ElementwiseOp& op = *find_op("gelu_and_mul");
  const Format f = Format::bf16;
  const std::uint32_t gate = 0xc07a, up = 0x3a83;
  ASSERT_EQ(decode(f, gate), -3.90625);
  ASSERT_EQ(up, encode(f, round_to(f, 9.99e-4)));
  const double g = decode(f, gate), u = decode(f, up);
  const Exact exact = evaluate(op, f, std::vector<double>{g}, std::vector<double>{u}, {}).front();
  const double scale = ElementwiseOp::floor_scale(op.prepare(g, u, {}));
  for (const char* name : kSingleRoundingHostKernels) {
    BitTensor in = BitTensor::zeros(f, 1, 2), out = BitTensor::zeros(f, 1, 1);
    in.bits = {gate, up};
    find_kernel(name)->run(op, {}, in, out);
    const double got = decode(f, out.bits[0]);
    const ElementCheck check = check_element(f, got, exact, true, scale, op.default_budget_for(f));
    EXPECT_TRUE(check.passes()) << fmt::format("{}: got {:#x} ({:.9g}), exact {:.12g}, {:.4f} ULP, default {} ULP",
                                               name, out.bits[0], got, exact.value.hi, check.ulp_error,
                                               op.default_budget_for(f).max_ulp);
    if (std::string_view(name) == "host.single_rounding") {
      // The cancellation is visible: past the old default and outside the floor.
      EXPECT_GT(check.ulp_error, 0.51) << name;
      EXPECT_GT(check.abs_error, op.default_budget_for(f).abs_floor * scale) << name;
      EXPECT_FALSE(check_element(f, got, exact, true, scale, Budget{.max_ulp = 0.51, .abs_floor = 0x1p-21}).passes())
          << "the old default (0.51 ULP, floor 2^-21) no longer fails this element: pick another to show the "
             "default's need";
    }
  }
}

}  // namespace
}  // namespace ulpcheck
