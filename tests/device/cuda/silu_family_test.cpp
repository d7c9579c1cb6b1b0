// The CUDA elementwise kernels (device/cuda/kernels.cu) through the Kernel interface: every
// kernel, op and dtype on the shapes that exercise the vector path, its scalar fallback,
// single rows and empty batches; every output element is checked against the oracle and
// its claimed budget (the wrapper poisons the output first), and where host and GPU run
// the same portable arithmetic (exp_fp32: the SiLU family and the accurate tanh GELU)
// the GPU must give the host kernel's bits.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "tests/device/cuda/gpu_test_support.hpp"
#include "ulpcheck/device/registry.hpp"
#include "ulpcheck/properties/measure.hpp"
#include "ulpcheck/reference/registry.hpp"

namespace ulpcheck {
namespace {

// Shapes for the tiling: empty and single-row batches, an odd batch, one just past 128
// rows, a large grid; d of one element, a scalar-only row, one vector, many vectors, and
// more than one block's 8192 (1024 threads x 8) with a scalar tail.
constexpr std::int64_t kDs[] = {1, 7, 8, 4096, 13824 + 3};
constexpr std::int64_t kTokens[] = {0, 1, 83, 129, 2048};
/// A shape's elements at most: what the tiling needs (every d above is reached with one
/// row or more); the host oracle pays for each one. Every input of each kernel's 16-bit
/// gated ops and fp32 unary ops is checked by the exhaustive sweeps (sweep_test.cpp,
/// `ulpcheck exhaustive`), so these shapes test the tiling, not the arithmetic.
constexpr std::int64_t kMaxShapeElements = std::int64_t{1} << 19;

/// The host kernel that must give the same bits for `op`, or nullptr: GPU-only variants,
/// and ops whose math calls erff, erfcf or tanhf (CUDA's and the C library's differ).
const Kernel* host_twin(const Kernel& k, const ElementwiseOp& op) {
  const std::string_view n = op.name;
  const bool portable = n.starts_with("silu") || (k.name() == "cuda.accurate" && n.starts_with("gelu_tanh"));
  if (!portable) return nullptr;
  if (k.name() == "cuda.single_rounding") return find_kernel("host.single_rounding");
  if (k.name() == "cuda.double_rounding") return find_kernel("host.double_rounding");
  if (k.name() == "cuda.accurate") return find_kernel("host.accurate");
  return nullptr;
}

bool same_bits_or_both_nan(Format f, std::uint32_t a, std::uint32_t b) {
  return a == b || (std::isnan(decode(f, a)) && std::isnan(decode(f, b)));
}

std::int64_t differing_elements(const Kernel& gpu, const Kernel& host, const ElementwiseOp& op, const Params& p,
                                const BitTensor& in) {
  const std::int64_t d = in.cols / op.arity;
  BitTensor a = BitTensor::zeros(in.format, in.rows, d), b = a;
  gpu.run(op, p, in, a);
  host.run(op, p, in, b);
  std::int64_t n = 0;
  for (std::size_t i = 0; i < a.bits.size(); ++i) n += !same_bits_or_both_nan(in.format, a.bits[i], b.bits[i]);
  return n;
}

std::vector<const Kernel*> cuda_kernels() {
  std::vector<const Kernel*> out;
  for (const Kernel* k : all_kernels())
    if (k->name().starts_with("cuda.")) out.push_back(k);
  return out;
}

TEST(CudaElementwise, EveryKernelOpDtypeAndShapeWithinItsBudget) {
  ULPCHECK_REQUIRE_GPU();
  const std::vector<const Kernel*> kernels = cuda_kernels();
  ASSERT_EQ(kernels.size(), 5u);
  std::uint64_t seed = 100;
  for (const ElementwiseOp* op : all_ops())
    for (Format f : all_formats()) {
      Params p = op->default_params();
      if (p.has("limit")) p.set("limit", static_cast<float>(7.3));
      std::vector<double> worst(kernels.size(), 0.0);
      std::vector<std::int64_t> elements(kernels.size(), 0);
      for (std::int64_t tokens : kTokens)
        for (std::int64_t d : kDs) {
          if (tokens * d > kMaxShapeElements) continue;
          const InputSet in = random_rows(f, op->arity, tokens, d, ++seed);
          // One oracle evaluation for every kernel measured on these inputs.
          const OracleAnswers answers = evaluate_inputs(*op, f, p, in);
          for (std::size_t i = 0; i < kernels.size(); ++i) {
            const Kernel& k = *kernels[i];
            if (!k.supports(*op, f)) continue;
            const Measurement m = measure(*op, k, f, p, in, answers);
            EXPECT_TRUE(m.stats.passes()) << fmt::format(
                "{} {} {} tokens={} d={}: {} breaches, {} semantic violations, max ULP above floor {:.4g}", k.name(),
                op->name, name(f), tokens, d, m.stats.budget_breaches, m.stats.semantic_violations,
                m.stats.max_ulp_above_floor);
            EXPECT_EQ(m.stats.count, tokens * d);
            worst[i] = std::max(worst[i], m.stats.max_ulp_above_floor);
            elements[i] += m.stats.count;
            if (const Kernel* twin = host_twin(k, *op)) {
              EXPECT_EQ(differing_elements(k, *twin, *op, p, in.tensor), 0)
                  << fmt::format("{} vs {} {} {} tokens={} d={}", k.name(), twin->name(), op->name, name(f), tokens, d);
            }
          }
        }
      for (std::size_t i = 0; i < kernels.size(); ++i)
        if (kernels[i]->supports(*op, f))
          std::printf("%-30s %-20s %s: %lld elements, max ULP outside the floor %.4g\n",
                      std::string(kernels[i]->name()).c_str(), std::string(op->name).c_str(),
                      std::string(name(f)).c_str(), static_cast<long long>(elements[i]), worst[i]);
    }
}

TEST(CudaSiluFamily, AccurateVariantsMatchTheHostBitForBit) {
  ULPCHECK_REQUIRE_GPU();
  for (const Kernel* k : cuda_kernels()) {
    const Kernel* twin = host_twin(*k, *find_op("silu"));
    if (!twin) continue;
    for (Format f : all_formats()) {
      const ElementwiseOp& unary = *find_op("silu");
      const InputSet all = info(f).storage_bits == 16 ? all_values(f) : random_bits(f, 1, 2'000'000, 7);
      EXPECT_EQ(differing_elements(*k, *twin, unary, {}, all.tensor), 0) << k->name() << " silu " << name(f);
      const ElementwiseOp& gated = *find_op("silu_and_mul_clamp");
      for (double L : {0.0, static_cast<double>(static_cast<float>(7.3)), 10.0, HUGE_VAL}) {
        const InputSet pairs = random_bits(f, 2, 2'000'000, 8);
        const std::int64_t n = differing_elements(*k, *twin, gated, Params{}.set("limit", L), pairs.tensor);
        EXPECT_EQ(n, 0) << k->name() << " silu_and_mul_clamp " << name(f) << " limit " << L;
        std::printf("%s vs %s, silu_and_mul_clamp %s limit %g: %lld of 2000000 elements differ\n",
                    std::string(k->name()).c_str(), std::string(twin->name()).c_str(), std::string(name(f)).c_str(), L,
                    static_cast<long long>(n));
      }
    }
  }
}

TEST(CudaElementwise, SkipsVisiblyWithoutAGpu) {
  // Documents the contract the other tests rely on: no silent pass without a device.
  if (cuda::device_available()) GTEST_SKIP() << "a GPU is present: " << cuda::device_description();
  const auto run_without_gpu = [] {
    BitTensor in = BitTensor::zeros(Format::bf16, 1, 2), out = BitTensor::zeros(Format::bf16, 1, 1);
    find_kernel("cuda.single_rounding")->run(*find_op("silu_and_mul"), {}, in, out);
  };
  EXPECT_THROW(run_without_gpu(), KernelError);
}

}  // namespace
}  // namespace ulpcheck
