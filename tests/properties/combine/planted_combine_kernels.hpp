// Combine kernels with planted bugs, each a mistake of a kind engines make when they move
// the routed scaling factor or the shared output around. The combine fuzz tests assert that
// each is caught by the property named beside it.
#pragma once

#include <span>
#include <string_view>

#include "ulpcheck/device/combine_kernel.hpp"

namespace ulpcheck::planted {

struct PlantedCombineKernel {
  const CombineKernel* kernel;
  std::string_view bug;
  std::string_view caught_by;  ///< the combine property expected to fail
  Format format;               ///< the storage format the bug shows in
};

std::span<const PlantedCombineKernel> all_combine();

}  // namespace ulpcheck::planted
