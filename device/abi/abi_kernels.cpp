#include "ulpcheck/device/abi_kernels.hpp"

#include <fmt/format.h>

#include "device/abi/descriptors.hpp"
#include "ulpcheck/device/registry.hpp"

namespace ulpcheck {

namespace abi {

void fail(const std::string& where, const std::string& what) {
  throw DescriptorError(fmt::format("{}: {}", where, what));
}

std::string check_name(const char* kind, std::size_t index, const char* name, bool repeat) {
  if (!name) fail(fmt::format("{} #{}", kind, index), "name is NULL");
  if (!*name) fail(fmt::format("{} #{}", kind, index), "name is empty");
  std::string where = fmt::format("{} #{} '{}'", kind, index, name);
  if (!repeat && (find_kernel(name) || find_routing_kernel(name)))
    fail(where, "a kernel of this name is already registered (built in, or loaded before); kernel names must be "
                "unique");
  return where;
}

}  // namespace abi

std::vector<std::string> AbiKernels::names() const {
  std::vector<std::string> out;
  for (const auto& k : elementwise) out.emplace_back(k->name());
  for (const auto& k : routing) out.emplace_back(k->name());
  return out;
}

AbiKernels make_abi_kernels(std::span<const ulpcheck_elementwise_kernel> elementwise,
                            std::span<const ulpcheck_routing_kernel> routing, const Isolation& isolation) {
  AbiKernels out;
  abi::add_elementwise_kernels(elementwise, isolation, out);
  abi::add_routing_kernels(routing, isolation, out);
  for (std::size_t i = 0; i < out.routing.size(); ++i)
    for (const auto& e : out.elementwise)
      if (e->name() == out.routing[i]->name())
        abi::fail(fmt::format("routing kernel #{} '{}'", i, e->name()),
                  "an elementwise kernel of the table has this name; kernel names must be unique");
  return out;
}

void register_kernels(const AbiKernels& kernels) {
  for (const auto& k : kernels.elementwise) add_kernel(k.get());
  for (const auto& k : kernels.routing) add_routing_kernel(k.get());
}

}  // namespace ulpcheck
