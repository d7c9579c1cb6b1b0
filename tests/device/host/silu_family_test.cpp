// Host SiLU-family kernels: what each variant computes, and that each keeps the budget it
// claims (device/host/silu_family.cpp) on every op, dtype and a spread of limits.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "ulpcheck/device/math/silu.cuh"
#include "ulpcheck/device/cuda/runtime.hpp"
#include "ulpcheck/device/registry.hpp"
#include "ulpcheck/properties/measure.hpp"
#include "ulpcheck/reference/registry.hpp"

namespace ulpcheck {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

const Kernel& kernel(const char* name) { return *find_kernel(name); }
const ElementwiseOp& op(const char* name) { return *find_op(name); }

/// Runs a kernel on one (gate, up) pair given as values of format f.
double run_pair(const char* k, const char* o, Format f, double g, double u, double L = kInf) {
  BitTensor in = BitTensor::zeros(f, 1, 2), out = BitTensor::zeros(f, 1, 1);
  in.bits = {encode(f, g), encode(f, u)};
  Params p = op(o).default_params();
  if (p.has("limit")) p.set("limit", L);
  kernel(k).run(op(o), p, in, out);
  return decode(f, out.bits[0]);
}

TEST(HostKernels, RegistryListsTheThreeVariants) {
  EXPECT_NE(find_kernel("host.single_rounding"), nullptr);
  EXPECT_NE(find_kernel("host.double_rounding"), nullptr);
  EXPECT_NE(find_kernel("host.composite"), nullptr);
  // The default backend is CUDA where a GPU is present, the host otherwise.
  EXPECT_EQ(default_kernel(op("silu_and_mul"), Format::bf16)->name(),
            cuda::device_available() ? "cuda.single_rounding" : "host.single_rounding");
}

TEST(HostSingleRounding_bf16, RoundsTheFp32ResultOnce) {
  // 1.5 * silu(1.5) computed in fp32, one rounding to bf16.
  const float expected = math::round_to_storage<Format::bf16>(math::silu_fp32(1.5f) * 3.0f);
  EXPECT_EQ(run_pair("host.single_rounding", "silu_and_mul", Format::bf16, 1.5, 3.0), expected);
}

TEST(HostDoubleRounding_bf16, RoundsSiluBeforeTheProduct) {
  const float s = math::round_to_storage<Format::bf16>(math::silu_fp32(1.5f));
  const float expected = math::round_to_storage<Format::bf16>(s * 3.0f);
  EXPECT_EQ(run_pair("host.double_rounding", "silu_and_mul", Format::bf16, 1.5, 3.0), expected);
}

TEST(HostDoubleRounding_bf16, DiffersFromSingleRoundingSomewhere) {
  // The two roundings must be observable: scan a small grid for an input where they differ.
  int differing = 0;
  for (int i = 1; i < 200 && !differing; ++i)
    for (int j = 1; j < 50 && !differing; ++j) {
      const double g = round_to(Format::bf16, i * 0.037), u = round_to(Format::bf16, j * 1.13);
      differing += run_pair("host.single_rounding", "silu_and_mul", Format::bf16, g, u) !=
                   run_pair("host.double_rounding", "silu_and_mul", Format::bf16, g, u);
    }
  EXPECT_GT(differing, 0);
}

TEST(HostComposite_bf16, RoundsTheClampedValuesToTheDtype) {
  // L = fp32(7.3); bf16 holds 7.3125 nearest. The composite clamps g = 100 to bf16(7.3).
  const double L = static_cast<float>(7.3);
  const float s = math::round_to_storage<Format::bf16>(math::silu_fp32(7.3125f));
  EXPECT_EQ(run_pair("host.composite", "silu_and_mul_clamp", Format::bf16, 100.0, 1.0, L),
            math::round_to_storage<Format::bf16>(s * 1.0f));
  // The fused kernel uses L itself.
  EXPECT_EQ(run_pair("host.single_rounding", "silu_and_mul_clamp", Format::bf16, 100.0, 1.0, L),
            math::round_to_storage<Format::bf16>(math::silu_fp32(static_cast<float>(L))));
}

TEST(HostKernels_bf16, NanGateStaysNanThroughTheClamp) {
  for (const char* k : {"host.single_rounding", "host.double_rounding", "host.composite"}) {
    EXPECT_TRUE(std::isnan(run_pair(k, "silu_and_mul_clamp", Format::bf16, std::nan(""), 1.0, 7.0))) << k;
    EXPECT_TRUE(std::isnan(run_pair(k, "silu_and_mul_clamp", Format::bf16, 1.0, std::nan(""), 7.0))) << k;
  }
}

TEST(HostKernels_bf16, ZeroLimitGivesZeros) {
  for (const char* k : {"host.single_rounding", "host.double_rounding", "host.composite"})
    EXPECT_EQ(run_pair(k, "silu_and_mul_clamp", Format::bf16, 3.0, -5.0, 0.0), 0.0) << k;
}

TEST(HostComposite_fp16, RefusesALimitTheDtypeCannotHold) {
  // 1e6 clamps an infinite gate to 1e6, which fp16 stores as inf: the composite would give
  // inf where the exact result is finite, so it declares the limit unsupported.
  const Kernel& k = kernel("host.composite");
  const ElementwiseOp& o = op("silu_and_mul_clamp");
  EXPECT_NE(k.unsupported_params(o, Format::fp16, Params{}.set("limit", 1e6)).find("beyond fp16"), std::string::npos);
  EXPECT_EQ(k.unsupported_params(o, Format::bf16, Params{}.set("limit", 1e6)), "");
  EXPECT_EQ(k.unsupported_params(o, Format::fp16, Params{}.set("limit", kInf)), "");
  EXPECT_EQ(k.unsupported_params(o, Format::fp16, Params{}.set("limit", 65504.0)), "");
  EXPECT_EQ(kernel("host.single_rounding").unsupported_params(o, Format::fp16, Params{}.set("limit", 1e6)), "");
  EXPECT_THROW(measure(o, k, Format::fp16, Params{}.set("limit", 1e6), random_bits(Format::fp16, 2, 1000, 1)),
               std::invalid_argument);
}

TEST(HostKernels, RejectsMismatchedShapes) {
  BitTensor in = BitTensor::zeros(Format::bf16, 2, 6), out = BitTensor::zeros(Format::bf16, 2, 2);
  EXPECT_THROW(kernel("host.single_rounding").run(op("silu_and_mul"), {}, in, out), KernelError);
}

/// Every host kernel, op and dtype (the CUDA ones: tests/device/cuda/), over 2*10^5 random pairs, with limits 0, the smallest
/// subnormal, 7.3 (no 16-bit format holds it), 10 and inf: no budget breach, no failing
/// semantic difference. This is the check that the claims in silu_family.cpp are honest.
TEST(HostKernels, KeepTheirClaimedBudgets) {
  const double limits[] = {0.0, 0x1p-149, static_cast<float>(7.3), 10.0, kInf};
  for (const Kernel* k : all_kernels())
    for (const ElementwiseOp* o : all_ops())
      if (k->name().starts_with("host."))
      for (Format f : all_formats()) {
        if (!k->supports(*o, f)) continue;
        const InputSet in = o->arity == 1 && info(f).storage_bits == 16 ? all_values(f) : random_bits(f, o->arity, 200'000, 5);
        for (double L : limits) {
          Params p = o->default_params();
          if (p.has("limit")) p.set("limit", L);
          else if (L != kInf) continue;
          if (!k->unsupported_params(*o, f, p).empty()) continue;
          const Measurement m = measure(*o, *k, f, p, in);
          EXPECT_TRUE(m.stats.passes()) << fmt::format(
              "{} {} {} {}: {} breaches, {} semantic violations, max ULP {:.4g} above floor {:.4g}", k->name(),
              o->name, name(f), p.to_string(), m.stats.budget_breaches, m.stats.semantic_violations,
              m.stats.max_ulp, m.stats.max_ulp_above_floor);
        }
      }
}

}  // namespace
}  // namespace ulpcheck
