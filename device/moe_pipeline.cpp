// The MoE block's pipelines and stage runs (device/moe_pipeline.hpp).
#include "ulpcheck/device/moe_pipeline.hpp"

#include <fmt/format.h>

#include "ulpcheck/device/cuda/cublas_gemm.hpp"
#include "ulpcheck/device/cuda/runtime.hpp"
#include "ulpcheck/device/registry.hpp"
#include "ulpcheck/device/tensor.hpp"
#include "ulpcheck/reference/registry.hpp"

namespace ulpcheck {

namespace {

/// The pipeline of one backend ("host", "cuda") from the registries, by name.
MoePipeline moe_pipeline_named(const std::string& backend, const GemmKernel* gemm) {
  MoePipeline p;
  p.name = backend;
  p.routing = find_routing_kernel(backend + ".routing_fp32");
  p.gemm = gemm;
  p.activation = find_kernel(backend + ".single_rounding");
  for (const CombineKernel* k : all_combine_kernels())
    if (k->name().starts_with(backend + ".combine_")) p.combines.push_back(k);
  if (!p.routing || !p.activation || p.combines.empty())
    throw KernelError(
        fmt::format("the {} MoE pipeline misses a kernel: {}.routing_fp32, {}.single_rounding and "
                    "{}.combine_* are expected in this build",
                    backend, backend, backend, backend));
  return p;
}

}  // namespace

MoePipeline host_moe_pipeline() { return moe_pipeline_named("host", &host_gemm_kernel()); }

MoePipelineChoice cuda_moe_pipeline() {
  // Both reasons when both are missing: whoever installs the one learns about the other.
  if (!cuda::device_available()) {
    const std::string device = cuda::device_description(), cublas = cuda::cublas_description();
    return {std::nullopt, cublas == device ? device : fmt::format("{}; cuBLAS: {}", device, cublas)};
  }
  if (std::string why = cuda::cublas_unavailable(); !why.empty()) return {std::nullopt, why};
  return {moe_pipeline_named("cuda", cuda::cublas_gemm_kernel()), {}};
}

std::vector<std::uint32_t> run_grouped_gemm(const GemmKernel& gemm, Format f, std::int64_t k, std::int64_t n,
                                            const std::vector<std::int32_t>& expert_of_row,
                                            const std::vector<std::uint32_t>& rows,
                                            const std::vector<std::uint32_t>& weights) {
  const auto R = static_cast<std::int64_t>(expert_of_row.size());
  if (rows.size() != static_cast<std::size_t>(R * k) || k <= 0 || n <= 0 ||
      weights.size() % static_cast<std::size_t>(k * n))
    throw KernelError(
        fmt::format("grouped GEMM ({}): rows has {} elements for {} rows of {}; weights {} elements of "
                    "[experts, {}, {}]",
                    gemm.name(), rows.size(), R, k, weights.size(), k, n));
  const auto experts = static_cast<std::int32_t>(weights.size() / static_cast<std::size_t>(k * n));
  std::vector<std::vector<std::int64_t>> rows_of(static_cast<std::size_t>(experts));
  for (std::int64_t r = 0; r < R; ++r) {
    const std::int32_t e = expert_of_row[static_cast<std::size_t>(r)];
    if (e < 0 || e >= experts)
      throw KernelError(
          fmt::format("grouped GEMM ({}): row {} has expert {}, outside [0, {})", gemm.name(), r, e, experts));
    rows_of[static_cast<std::size_t>(e)].push_back(r);
  }
  std::vector<std::uint32_t> out(static_cast<std::size_t>(R * n), poison_bits(f));
  for (std::int32_t e = 0; e < experts; ++e) {
    const std::vector<std::int64_t>& mine = rows_of[static_cast<std::size_t>(e)];
    if (mine.empty()) continue;
    const auto m = static_cast<std::int64_t>(mine.size());
    std::vector<std::uint32_t> a(static_cast<std::size_t>(m * k)), c(static_cast<std::size_t>(m * n), poison_bits(f));
    for (std::int64_t i = 0; i < m; ++i)
      std::copy_n(rows.begin() + mine[static_cast<std::size_t>(i)] * k, k, a.begin() + i * k);
    const std::vector<std::uint32_t> b(weights.begin() + e * k * n, weights.begin() + (e + 1) * k * n);
    gemm.run(f, GemmShape{m, k, n}, a, b, c);
    for (std::int64_t i = 0; i < m; ++i)
      std::copy_n(c.begin() + i * n, n, out.begin() + mine[static_cast<std::size_t>(i)] * n);
  }
  return out;
}

std::vector<std::uint32_t> run_moe_activation(const Kernel& kernel, Format f, double limit, std::int64_t rows,
                                              std::int64_t inter, const std::vector<std::uint32_t>& input) {
  if (!kernel.supports(kSiluAndMulClampOp, f))
    throw KernelError(fmt::format("{} does not run {} in {}", kernel.name(), kSiluAndMulClampOp.name, name(f)));
  Params params;
  params.set("limit", limit);
  const BitTensor in{f, rows, 2 * inter, input};
  BitTensor out{f, rows, inter, std::vector<std::uint32_t>(static_cast<std::size_t>(rows * inter), poison_bits(f))};
  kernel.run(kSiluAndMulClampOp, params, in, out);
  return std::move(out.bits);
}

}  // namespace ulpcheck
