#include "ulpcheck/device/param_slots.hpp"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

#include "ulpcheck/reference/op.hpp"

namespace ulpcheck {

ParamSlots param_slots(const ElementwiseOp& op, const Params& params) {
  if (op.params.size() > kParamSlots)
    throw std::logic_error(fmt::format("{} takes {} parameters; built-in kernels take at most {}", op.name,
                                       op.params.size(), kParamSlots));
  ParamSlots slots;
  slots.fill(HUGE_VALF);
  for (std::size_t i = 0; i < op.params.size(); ++i) {
    const ParamSpec& spec = op.params[i];
    slots[i] = static_cast<float>(params.has(spec.name) ? params.get(spec.name) : spec.default_value);
  }
  return slots;
}

}  // namespace ulpcheck
