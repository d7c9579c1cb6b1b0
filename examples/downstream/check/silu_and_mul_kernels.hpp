// The repository's silu_and_mul kernels as ulpcheck sees them: one descriptor each
// (kernel_abi.h) with the budget it claims, for the GoogleTest suite (tests/) and the plugin
// the ulpcheck command loads (check/plugin.cpp) alike.
#pragma once

#include <ulpcheck/kernel_abi.h>

#include <cstdint>
#include <cstdio>

#include "kernels/silu_and_mul.hpp"

namespace mykernels::check {

using RowsKernel = void (*)(const std::uint16_t*, std::uint16_t*, std::int64_t, std::int64_t);

/// The ABI's run function over one of the repository's kernels: ulpcheck hands contiguous
/// [tokens, 2d] and [tokens, d] bf16 tensors in host memory (kernel_abi.h), the only dtype and
/// memory the descriptors below declare.
template <RowsKernel Kernel>
int run_bf16(const char* /*op*/, const ulpcheck_param* /*params*/, std::uint32_t /*param_count*/,
             const DLTensor* input, DLTensor* output, void* /*cuda_stream*/, void* /*user_data*/, char* error,
             std::size_t error_size) {
  const std::int64_t tokens = output->shape[0], d = output->shape[1];
  if (input->shape[1] != 2 * d) {
    std::snprintf(error, error_size, "input rows are %lld wide, expected 2 * %lld",
                  static_cast<long long>(input->shape[1]), static_cast<long long>(d));
    return 1;
  }
  Kernel(static_cast<const std::uint16_t*>(input->data), static_cast<std::uint16_t*>(output->data), tokens, d);
  return 0;
}

/// The claim, bf16 only: one rounding of an fp32 result is 0.5 ULP plus a few fp32 ULPs
/// (0.51). For g < -88.72, e^-g overflows in fp32 and silu(g) comes out -0 where the exact
/// value is below 2.8e-37 in magnitude: the abs_floor 2^-121 covers that tail.
constexpr ulpcheck_elementwise_kernel bf16_kernel(const char* name, const char* description,
                                                  ulpcheck_elementwise_run_fn run) {
  return ulpcheck_elementwise_kernel{
      .name = name,
      .description = description,
      .op = "silu_and_mul",
      .dtypes = ULPCHECK_DTYPE_BF16,
      .memory = ULPCHECK_MEMORY_HOST,
      .max_ulp = {0.51, -1.0, -1.0},  // bf16, fp16, fp32 (the last two not declared)
      .abs_floor = {0x1p-121, 0.0, 0.0},
      .param_range_count = 0,
      .param_ranges = nullptr,
      .run = run,
      .user_data = nullptr,
  };
}

// constexpr: constant-initialized, so valid before any code runs and for as long as the
// process, as the ABI asks of descriptors.
inline constexpr ulpcheck_elementwise_kernel kFp32OneRounding =
    bf16_kernel("mykernels.silu_and_mul", "fp32 silu(g) * u, one rounding to bf16", run_bf16<silu_and_mul_bf16>);
inline constexpr ulpcheck_elementwise_kernel kBitTrickExp =
    bf16_kernel("mykernels.silu_and_mul_bit_trick_exp", "as mykernels.silu_and_mul, e^-g by Schraudolph's trick",
                run_bf16<silu_and_mul_bf16_bit_trick_exp>);

}  // namespace mykernels::check
