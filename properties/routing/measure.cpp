#include "ulpcheck/properties/routing/measure.hpp"

#include <cmath>

namespace ulpcheck {

RoutingOutputs run_routing_kernel(const RoutingKernel& kernel, const RoutingConfig& c, const RoutingInputs& in) {
  const auto n = static_cast<std::size_t>(in.tokens * c.topk);
  RoutingOutputs out{std::vector<std::int32_t>(n, -1), std::vector<float>(n, NAN)};
  kernel.run(c, in, out);
  return out;
}

}  // namespace ulpcheck
