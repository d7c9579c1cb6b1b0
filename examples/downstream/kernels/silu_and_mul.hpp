// The repository's silu_and_mul kernels on bf16, y = silu(g) * u = g / (1 + e^-g) * u, each
// input row [g | u] of width 2d giving an output row of width d. bf16 values travel as their
// bits (uint16_t), as a kernel library without a bf16 type of its own passes them.
#pragma once

#include <cstdint>

namespace mykernels {

/// silu(g) * u in fp32 arithmetic with one rounding to bf16 at the end, as PyTorch's and
/// FlashInfer's fused kernels compute it.
void silu_and_mul_bf16(const std::uint16_t* gate_up, std::uint16_t* out, std::int64_t tokens, std::int64_t d);

/// The same with e^-g from Schraudolph's bit trick ("A fast, compact approximation of the
/// exponential function", Neural Computation 11(4), 1999): a relative error of up to about
/// 4%, several bf16 ULPs. The test expects ulpcheck to catch it.
void silu_and_mul_bf16_bit_trick_exp(const std::uint16_t* gate_up, std::uint16_t* out, std::int64_t tokens,
                                     std::int64_t d);

}  // namespace mykernels
