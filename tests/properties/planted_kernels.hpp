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

std::span<const PlantedKernel> all();

}  // namespace ulpcheck::planted
