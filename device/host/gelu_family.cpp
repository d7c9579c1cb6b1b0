// The GELU family's rows of the host kernels (device/host/kernels.cpp): the per-element
// math of include/ulpcheck/device/math/gelu.cuh compiled for the CPU, with the C library's
// erff, erfcf and tanhf, and the budget each variant claims (gelu_family_claims.hpp).
#include <array>

#include "family_rows.hpp"
#include "ulpcheck/device/gelu_family_claims.hpp"
#include "ulpcheck/device/host/elementwise_kernel.hpp"
#include "ulpcheck/device/host/per_format.hpp"
#include "ulpcheck/device/math/gelu.cuh"
#include "ulpcheck/reference/registry.hpp"

namespace ulpcheck::host {

namespace {
using namespace gelu_budgets;
using math::GatedComposite;
using math::GatedDoubleRounding;
using math::GatedSingleRounding;
using math::UnaryRounding;

/// The four ops for one exact-GELU form, one tanh-GELU form and one gated variant.
template <class Erf, class Tanh, template <Format, class> class Gated>
constexpr auto family(const std::array<Budget, 3>& erf_unary, const std::array<Budget, 3>& erf_gated,
                      const std::array<Budget, 3>& tanh_unary, const std::array<Budget, 3>& tanh_gated) {
  return std::to_array<HostOpImpl>({
      {&kGeluOp, per_format<UnaryRounding, Erf>(), erf_unary},
      {&kGeluAndMulOp, per_format<Gated, Erf>(), erf_gated},
      {&kGeluTanhOp, per_format<UnaryRounding, Tanh>(), tanh_unary},
      {&kGeluTanhAndMulOp, per_format<Gated, Tanh>(), tanh_gated},
  });
}

constexpr auto kGeluSingleTable =
    family<math::GeluErf, math::GeluTanh, GatedSingleRounding>(kSingleUnary, kSingleGated, kSingleUnary, kSingleGated);
constexpr auto kGeluDoubleTable =
    family<math::GeluErf, math::GeluTanh, GatedDoubleRounding>(kSingleUnary, kDoubleGated, kSingleUnary, kDoubleGated);
constexpr auto kGeluCompositeTable =
    family<math::GeluErf, math::GeluTanh, GatedComposite>(kSingleUnary, kDoubleGated, kSingleUnary, kDoubleGated);
constexpr auto kAccurateTable = family<math::GeluErfc, math::GeluTanhExp, GatedSingleRounding>(
    kAccurateErfc, kAccurateErfc, kAccurateTanh, kAccurateTanh);
}  // namespace

constinit const std::span<const HostOpImpl> kGeluSingleRows = kGeluSingleTable;
constinit const std::span<const HostOpImpl> kGeluDoubleRows = kGeluDoubleTable;
constinit const std::span<const HostOpImpl> kGeluCompositeRows = kGeluCompositeTable;
constinit const std::span<const HostOpImpl> kGeluAccurateRows = kAccurateTable;

}  // namespace ulpcheck::host
