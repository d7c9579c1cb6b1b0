// The SiLU family's rows of the host kernels (device/host/kernels.cpp): the per-element
// math of include/ulpcheck/device/math/silu.cuh compiled for the CPU, with the budget each
// variant claims (device/silu_family_claims.hpp derives them).
#include <array>

#include "family_rows.hpp"
#include "ulpcheck/device/host/elementwise_kernel.hpp"
#include "ulpcheck/device/host/per_format.hpp"
#include "ulpcheck/device/math/silu.cuh"
#include "ulpcheck/device/silu_family_claims.hpp"
#include "ulpcheck/reference/registry.hpp"

namespace ulpcheck::host {

namespace {
using namespace silu_budgets;
template <template <Format, class> class V>
constexpr std::array<ElementFn, 3> portable() {
  return per_format<V, math::PortableExp>();
}

constexpr auto kSiluSingleTable = std::to_array<HostOpImpl>({
    {&kSiluOp, portable<math::SiluUnary>(), kSingle},
    {&kSiluAndMulOp, portable<math::SiluAndMulSingleRounding>(), kSingle},
    {&kSiluAndMulClampOp, portable<math::SiluAndMulSingleRounding>(), kSingle},
});
constexpr auto kSiluDoubleTable = std::to_array<HostOpImpl>({
    {&kSiluOp, portable<math::SiluUnary>(), kSingle},
    {&kSiluAndMulOp, portable<math::SiluAndMulDoubleRounding>(), kDouble},
    {&kSiluAndMulClampOp, portable<math::SiluAndMulDoubleRounding>(), kDouble, &limit_fits_storage},
});
constexpr auto kSiluCompositeTable = std::to_array<HostOpImpl>({
    {&kSiluOp, portable<math::SiluUnary>(), kSingle},
    {&kSiluAndMulOp, portable<math::SiluAndMulComposite>(), kDouble},
    {&kSiluAndMulClampOp, portable<math::SiluAndMulComposite>(), kComposite, &limit_fits_storage},
});
}  // namespace

constinit const std::span<const HostOpImpl> kSiluSingleRows = kSiluSingleTable;
constinit const std::span<const HostOpImpl> kSiluDoubleRows = kSiluDoubleTable;
constinit const std::span<const HostOpImpl> kSiluCompositeRows = kSiluCompositeTable;

}  // namespace ulpcheck::host
