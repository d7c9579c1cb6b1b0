#include "ulpcheck/properties/batches.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace ulpcheck {

std::vector<Batch> default_batches(std::int64_t n) {
  if (n <= 0) throw std::invalid_argument(fmt::format("default_batches: {} elements; expected a positive count", n));
  const bool wide = n >= kWideD + kOddD;
  std::int64_t rest = n - (wide ? kWideD : 0);
  std::int64_t odd_rows = std::min(kOddRows, rest / kOddD);
  if (odd_rows % 2 == 0 && odd_rows > 0) --odd_rows;
  rest -= odd_rows * kOddD;
  std::vector<Batch> out;
  if (rest / kBulkD > 0) out.push_back({rest / kBulkD, kBulkD});
  if (rest % kBulkD > 0) out.push_back({1, rest % kBulkD});
  if (odd_rows > 0) out.push_back({odd_rows, kOddD});
  if (wide) out.push_back({1, kWideD});
  return out;
}

std::int64_t elements_of(const std::vector<Batch>& batches) {
  std::int64_t n = 0;
  for (const Batch& b : batches) n += b.elements();
  return n;
}

BatchPosition locate(const std::vector<Batch>& batches, std::int64_t index) {
  for (std::size_t b = 0; b < batches.size(); ++b) {
    if (index < batches[b].elements()) return {b, index / batches[b].d, index % batches[b].d};
    index -= batches[b].elements();
  }
  throw std::out_of_range(fmt::format("locate: element {} is past the batches' {} elements",
                                      index + elements_of(batches), elements_of(batches)));
}

std::string input_shapes(const std::vector<Batch>& batches, int arity) {
  std::string out;
  for (const Batch& b : batches) out += fmt::format("{}[{}, {}]", out.empty() ? "" : " + ", b.rows, arity * b.d);
  return out;
}

}  // namespace ulpcheck
