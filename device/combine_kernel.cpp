#include "ulpcheck/device/combine_kernel.hpp"

#include <fmt/format.h>

namespace ulpcheck {

void require_valid_run(std::string_view kernel, const CombineConfig& c, const CombineInputs& in,
                       const std::vector<std::uint32_t>& out) {
  if (const std::string why = c.validate(); !why.empty()) throw KernelError(fmt::format("{}: {}", kernel, why));
  if (const std::string why = check_sizes(c, in); !why.empty()) throw KernelError(fmt::format("{}: {}", kernel, why));
  if (out.size() != static_cast<std::size_t>(in.tokens * c.hidden))
    throw KernelError(fmt::format("{}: out has {} elements; [tokens, hidden] = [{}, {}] is {}", kernel, out.size(),
                                  in.tokens, c.hidden, in.tokens * c.hidden));
}

}  // namespace ulpcheck
