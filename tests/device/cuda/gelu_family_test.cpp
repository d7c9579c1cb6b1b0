// The GELU family on the GPU: every CUDA kernel on all 65536 inputs of each 16-bit dtype
// (unary) and on 10^6 random pairs (gated) and fp32 inputs, within its claimed budget; the
// accurate tanh form gives the host's bits (exp_fp32 on both); the erf, erfc and tanh forms
// are CUDA's own functions, so their difference from the host is counted and printed. And
// tanh.approx.f32 over all 2^32 floats stays within the 2^-16 the fast-math claims assume.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <map>
#include <utility>

#include "tests/device/cuda/gelu_family_test.cuh"
#include "tests/device/cuda/gpu_test_support.hpp"
#include "ulpcheck/device/registry.hpp"
#include "ulpcheck/properties/measure.hpp"
#include "ulpcheck/reference/registry.hpp"

namespace ulpcheck {
namespace {

constexpr const char* kGeluOps[] = {"gelu", "gelu_tanh", "gelu_and_mul", "gelu_tanh_and_mul"};

const Kernel* host_counterpart(const Kernel& k) {
  const std::string_view n = k.name();
  if (n == "cuda.single_rounding" || n == "cuda.single_rounding_fast_math") return find_kernel("host.single_rounding");
  if (n == "cuda.double_rounding" || n == "cuda.double_rounding_fast_math") return find_kernel("host.double_rounding");
  if (n == "cuda.accurate") return find_kernel("host.accurate");
  return nullptr;
}

/// The inputs of (op, f) and the oracle's answers, evaluated once and shared by every
/// kernel measured on them.
const std::pair<InputSet, OracleAnswers>& inputs_and_answers(const ElementwiseOp& op, Format f) {
  static std::map<std::pair<const ElementwiseOp*, Format>, std::pair<InputSet, OracleAnswers>> cache;
  auto [it, inserted] = cache.try_emplace({&op, f});
  if (inserted) {
    it->second.first = op.arity == 1 && info(f).storage_bits == 16 ? all_values(f)
                                                                    : random_bits(f, op.arity, 1'000'000, 11);
    it->second.second = evaluate_inputs(op, f, {}, it->second.first);
  }
  return it->second;
}

TEST(CudaGeluFamily, EveryKernelWithinItsBudgetOnAllSixteenBitInputsAndAMillionPairs) {
  ULPCHECK_REQUIRE_GPU();
  std::printf("%-32s %-18s %-5s %12s %14s %12s %9s %s\n", "kernel", "op", "dtype", "max ULP", "above floor",
              "corr. rnd.", "vs host", "verdict");
  for (const Kernel* k : all_kernels()) {
    if (!k->name().starts_with("cuda.")) continue;
    for (const char* op_name : kGeluOps) {
      const ElementwiseOp& op = *find_op(op_name);
      for (Format f : all_formats()) {
        if (!k->supports(op, f)) continue;
        const auto& [in, answers] = inputs_and_answers(op, f);
        const Measurement m = measure(op, *k, f, {}, in, answers);
        EXPECT_TRUE(m.stats.passes()) << fmt::format("{} {} {}: {} breaches, {} semantic violations", k->name(),
                                                     op.name, name(f), m.stats.budget_breaches,
                                                     m.stats.semantic_violations);
        // Against the host kernel of the same formula: equal where both use exp_fp32.
        std::int64_t differ = -1;
        if (const Kernel* host = host_counterpart(*k)) {
          BitTensor a = BitTensor::zeros(f, in.tensor.rows, in.tensor.cols / op.arity), b = a;
          k->run(op, {}, in.tensor, a);
          host->run(op, {}, in.tensor, b);
          differ = 0;
          for (std::size_t i = 0; i < a.bits.size(); ++i)
            differ += a.bits[i] != b.bits[i] && !(std::isnan(decode(f, a.bits[i])) && std::isnan(decode(f, b.bits[i])));
          if (k->name() == "cuda.accurate" && op.name.starts_with("gelu_tanh")) {
            EXPECT_EQ(differ, 0) << "the accurate tanh form is exp_fp32 and FMAs on both sides";
          }
        }
        std::printf("%-32s %-18s %-5s %12.4g %14.4g %11.5f%% %9lld %s\n", std::string(k->name()).c_str(), op_name,
                    std::string(name(f)).c_str(), m.stats.max_ulp, m.stats.max_ulp_above_floor,
                    100.0 * m.stats.fraction(m.stats.correctly_rounded), static_cast<long long>(differ),
                    m.stats.passes() ? "PASS" : "FAIL");
      }
    }
  }
}

TEST(CudaGeluFamilyExhaustive, TanhApproxWithinTwoToTheMinus16OnAllFloats) {
  ULPCHECK_REQUIRE_GPU();
  const TanhApproxError e = tanh_approx_error_over_all_floats();
  std::printf("tanh.approx.f32 over all finite floats: max |approx - tanh| / |tanh| = 2^%.3f at x = %a, max fp32 ULP "
              "error %.1f\n",
              std::log2(e.max_relative), e.worst_x, e.max_ulp);
  EXPECT_LE(e.max_relative, 0x1p-16) << "the fast-math GELU claims (gelu_family_claims.hpp) assume 2^-16";
}

}  // namespace
}  // namespace ulpcheck
