#include "ulpcheck/properties/inputs.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <random>
#include <stdexcept>

namespace ulpcheck {

bool checks_every_input(const ElementwiseOp& op, Format f) { return op.arity == 1 && info(f).storage_bits == 16; }

InputSet all_values(Format f) {
  if (info(f).storage_bits != 16)
    throw std::invalid_argument(fmt::format("all_values: {} has 2^{} values; only 16-bit formats are enumerated",
                                            name(f), info(f).storage_bits));
  BitTensor t = BitTensor::zeros(f, 256, 256);
  for (std::uint32_t b = 0; b < 65536; ++b) t.bits[b] = b;
  return {std::move(t), fmt::format("all 65536 {} values", name(f))};
}

InputSet random_rows(Format f, int arity, std::int64_t rows, std::int64_t d, std::uint64_t seed) {
  if (rows < 0 || d < 0) throw std::invalid_argument("random_rows: negative shape");
  const std::uint32_t mask = info(f).storage_bits == 32 ? 0xffffffffu : (1u << info(f).storage_bits) - 1;
  BitTensor t = BitTensor::zeros(f, rows, arity * d);
  std::mt19937_64 rng(seed);
  for (auto& b : t.bits) b = static_cast<std::uint32_t>(rng()) & mask;
  const char* what = arity == 2 ? "(gate, up) pairs" : "inputs";
  return {std::move(t), fmt::format("{} random {} {} (uniform bit patterns, seed {})", rows * d, name(f), what, seed)};
}

std::vector<Batch> batches_of(const InputSet& inputs, int arity) {
  if (!inputs.batches.empty()) return inputs.batches;
  return {{inputs.tensor.rows, inputs.tensor.cols / arity}};
}

InputSet in_default_batches(InputSet inputs, int arity) {
  const std::int64_t n = inputs.tensor.rows * (inputs.tensor.cols / arity);
  inputs.batches = n > 0 ? default_batches(n) : std::vector<Batch>{};
  return inputs;
}

InputSet random_bits(Format f, int arity, std::int64_t elements, std::uint64_t seed) {
  if (elements <= 0) throw std::invalid_argument("random_bits: elements must be positive");
  const std::int64_t d = std::min<std::int64_t>(elements, 1000);
  if (elements % d != 0)
    throw std::invalid_argument(fmt::format("random_bits: {} elements is not a multiple of the row length {}",
                                            elements, d));
  return random_rows(f, arity, elements / d, d, seed);
}

}  // namespace ulpcheck
