// The kernels of the MoE block's stages (reference/moe_block.hpp) gathered into one
// pipeline, so that the host and the CUDA pipelines are interchangeable for the checks, and
// the stage runs that both use: the routed GEMM grouped by expert, the activation.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ulpcheck/device/combine_kernel.hpp"
#include "ulpcheck/device/gemm_kernel.hpp"
#include "ulpcheck/device/kernel.hpp"
#include "ulpcheck/device/routing_kernel.hpp"

namespace ulpcheck {

struct MoePipeline {
  std::string name;  ///< "host", "cuda"
  const RoutingKernel* routing = nullptr;
  const GemmKernel* gemm = nullptr;
  /// Runs silu_and_mul_clamp (the limit is a parameter of the run).
  const Kernel* activation = nullptr;
  /// One per placement of the scaling factor, each run on the same inputs.
  std::vector<const CombineKernel*> combines;
};

/// host.routing_fp32, host.gemm_fp32_accumulate, host.single_rounding, host.combine_*.
MoePipeline host_moe_pipeline();

/// cuda.routing_fp32, cuda.gemm_cublas (cublasGemmEx, loaded at run time), cuda.single_rounding,
/// cuda.combine_*; or, in `unavailable`, why not: no CUDA in this build, no device, or
/// "cuBLAS not found: ..." (a pipeline is then absent).
struct MoePipelineChoice {
  std::optional<MoePipeline> pipeline;
  std::string unavailable;
};
MoePipelineChoice cuda_moe_pipeline();

/// rows [R, k] times the weight matrix of each row's expert, weights [experts, k, n]:
/// the rows of one expert go through one GEMM call, as a grouped MoE GEMM does. Returns
/// [R, n]. Throws KernelError for an expert id out of range or a failed GEMM.
std::vector<std::uint32_t> run_grouped_gemm(const GemmKernel& gemm, Format f, std::int64_t k, std::int64_t n,
                                            const std::vector<std::int32_t>& expert_of_row,
                                            const std::vector<std::uint32_t>& rows,
                                            const std::vector<std::uint32_t>& weights);

/// silu_and_mul_clamp with `limit` on input [rows, 2 * inter] (gate columns, then up),
/// returning [rows, inter]. Throws KernelError when the kernel does not take the op.
std::vector<std::uint32_t> run_moe_activation(const Kernel& kernel, Format f, double limit, std::int64_t rows,
                                              std::int64_t inter, const std::vector<std::uint32_t>& input);

}  // namespace ulpcheck
