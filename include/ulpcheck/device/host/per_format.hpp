// A per-element functor template as the three plain functions a host kernel row holds.
#pragma once

#include <array>

#include "ulpcheck/device/host/elementwise_kernel.hpp"

namespace ulpcheck::host {

/// V<F, Policy>{}(x0, x1, p0) for each storage format, in Format order.
template <template <Format, class> class V, class Policy>
constexpr std::array<ElementFn, 3> per_format() {
  return {[](float a, float b, float p0) { return V<Format::bf16, Policy>{}(a, b, p0); },
          [](float a, float b, float p0) { return V<Format::fp16, Policy>{}(a, b, p0); },
          [](float a, float b, float p0) { return V<Format::fp32, Policy>{}(a, b, p0); }};
}

}  // namespace ulpcheck::host
