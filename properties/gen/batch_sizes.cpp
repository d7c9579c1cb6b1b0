#include "ulpcheck/properties/gen/batch_sizes.hpp"

namespace ulpcheck {

std::span<const std::int64_t> dispatch_batch_sizes() {
  static constexpr std::int64_t kSizes[] = {1, 2, 127, 128, 129, 255, 256, 1024, kMaxTokens};
  return kSizes;
}

}  // namespace ulpcheck
