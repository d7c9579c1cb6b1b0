// Host-side tensors of bit patterns, the currency between generators, kernels and checks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "ulpcheck/reference/format.hpp"

namespace ulpcheck {

/// A row-major [rows, cols] tensor of one format, one bit pattern per element (the low
/// storage_bits of each uint32). Kernels copy into their own layout (packed 16-bit for
/// bf16/fp16 on the GPU) and back.
struct BitTensor {
  Format format = Format::fp32;
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  std::vector<std::uint32_t> bits;

  static BitTensor zeros(Format f, std::int64_t rows, std::int64_t cols) {
    return BitTensor{f, rows, cols, std::vector<std::uint32_t>(static_cast<std::size_t>(rows * cols))};
  }
  std::uint32_t at(std::int64_t r, std::int64_t c) const { return bits[static_cast<std::size_t>(r * cols + c)]; }
  std::uint32_t& at(std::int64_t r, std::int64_t c) { return bits[static_cast<std::size_t>(r * cols + c)]; }
};

/// The all-ones pattern of f, a NaN in every format that no arithmetic produces (results
/// are the canonical NaN, sign bit clear): outputs are filled with it before a kernel runs,
/// so an element the kernel never writes cannot pass for a result.
inline std::uint32_t poison_bits(Format f) { return info(f).storage_bits == 16 ? 0xffffu : 0xffffffffu; }

/// Bytes per element in the storage layout kernels take: 2 for bf16 and fp16, 4 for fp32.
inline std::size_t element_bytes(Format f) { return static_cast<std::size_t>(info(f).storage_bits / 8); }

/// The elements in their storage layout (native width, contiguous, row-major), at least
/// one byte long so that a buffer for an empty tensor still has an address.
std::vector<unsigned char> to_storage_bytes(const BitTensor& t);

/// The inverse: fills t.bits from bytes in the storage layout of t.format.
void from_storage_bytes(const std::vector<unsigned char>& bytes, BitTensor& t);

}  // namespace ulpcheck
