// Host-side tensors of bit patterns, the currency between generators, kernels and checks.
#pragma once

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

}  // namespace ulpcheck
