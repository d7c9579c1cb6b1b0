// The rows each op family gives the host kernels (kernels.cpp): one table per arithmetic
// variant, defined and sized in the family's file, seen here as spans (internal to
// device/host/).
#pragma once

#include <span>

#include "ulpcheck/device/host/elementwise_kernel.hpp"

namespace ulpcheck::host {

// silu_family.cpp
extern const std::span<const HostOpImpl> kSiluSingleRows, kSiluDoubleRows, kSiluCompositeRows;
// gelu_family.cpp
extern const std::span<const HostOpImpl> kGeluSingleRows, kGeluDoubleRows, kGeluCompositeRows, kGeluAccurateRows;

}  // namespace ulpcheck::host
