// Kernels with planted bugs, each a mistake a real kernel author could make. The fuzz tests
// assert that `ulpcheck fuzz` catches every one within the default case count; the same
// kernels are exported as a plugin (planted_plugin.cpp) so the command itself is tested.
#pragma once

#include <span>
#include <string_view>

#include "ulpcheck/device/kernel.hpp"

namespace ulpcheck::planted {

struct PlantedKernel {
  const Kernel* kernel;
  std::string_view bug;            ///< what is wrong, in a sentence
  std::string_view caught_by;      ///< the property expected to fail
  std::string_view op;             ///< the op to fuzz it on
};

/// Every planted kernel that `fuzz` catches and shrinks within the default case count.
std::span<const PlantedKernel> all();

/// The kernels wrong only on some shapes (the scalar tail, an odd token count, d past
/// 8192), which the default kernel calls of `report` and `golden check` must catch. all()
/// holds those but the last, whose fuzz failure takes minutes to shrink.
std::span<const PlantedKernel> layout_bugs();

}  // namespace ulpcheck::planted
