#include "ulpcheck/device/routing_kernel.hpp"

#include <fmt/format.h>

namespace ulpcheck {

void require_valid_run(std::string_view kernel, const RoutingConfig& c, const RoutingInputs& in,
                       const RoutingOutputs& out) {
  if (const std::string why = c.validate(); !why.empty()) throw KernelError(fmt::format("{}: {}", kernel, why));
  if (in.tokens < 0 || in.logits.size() != static_cast<std::size_t>(in.tokens * c.experts) ||
      in.bias.size() != static_cast<std::size_t>(c.experts) ||
      out.ids.size() != static_cast<std::size_t>(in.tokens * c.topk) || out.weights.size() != out.ids.size())
    throw KernelError(fmt::format("{}: logits, bias and outputs must be [{}, {}], [{}] and [{}, {}]; got {}, {}, {} "
                                  "and {} elements",
                                  kernel, in.tokens, c.experts, c.experts, in.tokens, c.topk, in.logits.size(),
                                  in.bias.size(), out.ids.size(), out.weights.size()));
}

}  // namespace ulpcheck

