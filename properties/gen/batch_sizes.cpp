#include "ulpcheck/properties/gen/batch_sizes.hpp"

#include <algorithm>

namespace ulpcheck {

std::span<const std::int64_t> dispatch_batch_sizes() {
  static constexpr std::int64_t kSizes[] = {1, 2, 127, 128, 129, 255, 256, 1024, kMaxTokens};
  return kSizes;
}

std::vector<std::int64_t> rows_run_alone(std::int64_t rows) {
  const std::int64_t n = std::min<std::int64_t>(rows, 8);
  std::vector<std::int64_t> out;
  for (std::int64_t k = 0; k < n; ++k) out.push_back(n == 1 ? 0 : k * (rows - 1) / (n - 1));
  return out;
}

}  // namespace ulpcheck
