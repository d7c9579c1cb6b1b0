// The fuzz properties on the GPU: every CUDA kernel passes every property, and the CUDA
// kernels with planted bugs are caught within the default case count.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <cstdio>

#include "tests/device/cuda/gpu_test_support.hpp"
#include "tests/device/cuda/planted_kernels.cuh"
#include "ulpcheck/device/registry.hpp"
#include "ulpcheck/properties/fuzz.hpp"
#include "ulpcheck/reference/registry.hpp"

namespace ulpcheck {
namespace {

const FuzzProperty& property(std::string_view name) {
  for (const FuzzProperty& p : all_fuzz_properties())
    if (p.name == name) return p;
  throw std::invalid_argument(std::string(name));
}

/// Cases per property: 40, or ULPCHECK_GPU_FUZZ_CASES (run-gpu-checks.sh's sanitize section
/// gives fewer: every kernel and property still runs, at a tool's cost per case).
int fuzz_cases() {
  const char* env = std::getenv("ULPCHECK_GPU_FUZZ_CASES");
  return env && std::atoi(env) > 0 ? std::atoi(env) : 40;
}

TEST(CudaFuzz, EveryCudaKernelPassesEveryProperty) {
  ULPCHECK_REQUIRE_GPU();
  for (const Kernel* k : all_kernels()) {
    if (!k->name().starts_with("cuda.")) continue;
    for (const ElementwiseOp* op : all_ops())
      for (Format f : all_formats()) {
        const auto start = std::chrono::steady_clock::now();
        int cases = 0;
        for (const FuzzProperty& p : all_fuzz_properties()) {
          if (!k->supports(*op, f) || !p.applies({k, op, f})) continue;
          // 40 cases each (seed 2): run-gpu-checks.sh runs the command's full campaign (100
          // cases, another seed) over the same kernels.
          const FuzzResult r = run_fuzz_property({k, op, f}, p, FuzzSettings{fuzz_cases(), 2});
          EXPECT_TRUE(r.passed) << r.id << "\n" << r.failure << r.counterexample << "replay: " << r.replay_token;
          cases += r.cases;
        }
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::printf("%-30s %-20s %s: %d cases, %.0f cases/s\n", std::string(k->name()).c_str(),
                    std::string(op->name).c_str(), std::string(name(f)).c_str(), cases, cases / s);
      }
  }
}

TEST(CudaFuzz, CatchesTheDroppedVectorTail) {
  ULPCHECK_REQUIRE_GPU();
  const FuzzResult r = run_fuzz_property({&cuda::planted::vector_tail_dropped(), find_op("silu_and_mul"), Format::bf16},
                                         property("within_budget"), FuzzSettings{});
  EXPECT_FALSE(r.passed);
  std::printf("%s: caught after %d passing cases\n%s%s", r.id.c_str(), r.cases, r.failure.c_str(),
              r.counterexample.c_str());
}

TEST(CudaFuzz, CatchesFastExpUnderTheAccurateBudget) {
  ULPCHECK_REQUIRE_GPU();
  const FuzzResult r =
      run_fuzz_property({&cuda::planted::fast_exp_under_accurate_budget(), find_op("silu_and_mul"), Format::fp32},
                        property("within_budget"), FuzzSettings{});
  EXPECT_FALSE(r.passed);
  std::printf("%s: caught after %d passing cases\n%s%s", r.id.c_str(), r.cases, r.failure.c_str(),
              r.counterexample.c_str());
}

}  // namespace
}  // namespace ulpcheck
