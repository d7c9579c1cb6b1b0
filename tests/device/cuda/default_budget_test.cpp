// The ops' default budgets (reference/ops/silu.cpp, gelu.cpp) hold for the CUDA kernels that
// round once, cuda.single_rounding and cuda.accurate, held to the op's default rather than
// their own claims on the inputs `ulpcheck report` measures by default: what a plugin's
// single-rounding kernel that declares max_ulp < 0 meets on a GPU, with CUDA's own erff,
// erfcf and tanhf. The host kernels: tests/device/host/default_budget_test.cpp.
#include <gtest/gtest.h>

#include "tests/device/cuda/gpu_test_support.hpp"
#include "tests/device/default_budget_checks.hpp"
#include "ulpcheck/device/registry.hpp"
#include "ulpcheck/reference/registry.hpp"

namespace ulpcheck {
namespace {

TEST(CudaOpDefaultBudget, HoldsForEverySingleRoundingCudaKernelOnTheReportInputs) {
  ULPCHECK_REQUIRE_GPU();
  for (const char* k : {"cuda.single_rounding", "cuda.accurate"}) {
    const Kernel* kernel = find_kernel(k);
    ASSERT_NE(kernel, nullptr) << k << " is not in this build's kernel table";
    for (const ElementwiseOp* op : all_ops()) testing::expect_default_budget_holds(*kernel, *op);
  }
}

}  // namespace
}  // namespace ulpcheck
