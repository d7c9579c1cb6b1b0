// Ziv's loop, one rung: evaluate act(gate) * up for a batch at a fixed MPFR precision, in
// Eigen containers of Boost.Multiprecision numbers, and keep the elements whose rounding
// the error bound decides. Internal to reference/; op files instantiate it.
#pragma once

#include <boost/multiprecision/eigen.hpp>
#include <boost/multiprecision/mpfr.hpp>

#include <Eigen/Core>

#include <cmath>
#include <optional>
#include <span>

#include "reference/mpfr_thread_caches.hpp"
#include "ulpcheck/reference/exact.hpp"
#include "ulpcheck/reference/format.hpp"
#include "ulpcheck/reference/mpfr_rounding.hpp"
#include "ulpcheck/reference/op.hpp"

namespace ulpcheck::detail {

/// Fixed precision, limbs on the stack, no expression templates: thread safe (no shared
/// default precision) and allocation free in the inner loop.
template <unsigned Digits10>
using MpReal = boost::multiprecision::number<
    boost::multiprecision::mpfr_float_backend<Digits10, boost::multiprecision::allocate_stack>,
    boost::multiprecision::et_off>;

/// `Core::eval(g, u)` must compute act(g) * up with every operation correctly rounded at
/// the working precision; `Core::error_units` bounds its relative error in units of
/// 2^-prec (first-order count of those roundings, with margin).
template <class Core, unsigned Digits10>
void mpfr_rung(Format f, std::span<const double> gate, std::span<const double> up,
               std::span<std::optional<Exact>> out) {
  free_mpfr_caches_at_thread_exit();
  using Real = MpReal<Digits10>;
  const auto n = static_cast<Eigen::Index>(gate.size());
  Eigen::Array<Real, Eigen::Dynamic, 1> g(n), u(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    g[i] = gate[static_cast<std::size_t>(i)];
    u[i] = up[static_cast<std::size_t>(i)];
  }
  const Eigen::Array<Real, Eigen::Dynamic, 1> y =
      g.binaryExpr(u, [](const Real& a, const Real& b) { return Core::eval(a, b); });

  for (Eigen::Index i = 0; i < n; ++i) {
    mpfr_srcptr yi = y[i].backend().data();
    const mpfr_prec_t prec = mpfr_get_prec(yi);
    // The enclosure y * (1 +- delta) contains the exact value; widen outward so that the
    // enclosure's own rounding cannot shrink it.
    mpfr_t delta, lo, hi;
    mpfr_inits2(prec, delta, lo, hi, static_cast<mpfr_ptr>(nullptr));
    // delta = |y| * error_units * 2^-prec, scaled in MPFR (2^-prec underflows a double
    // at the top rungs).
    mpfr_mul_d(delta, yi, Core::error_units, MPFR_RNDU);
    mpfr_abs(delta, delta, MPFR_RNDU);
    mpfr_mul_2si(delta, delta, -static_cast<long>(prec), MPFR_RNDU);
    mpfr_sub(lo, yi, delta, MPFR_RNDD);
    mpfr_add(hi, yi, delta, MPFR_RNDU);
    const double r_lo = round_to(f, lo);
    const double r_hi = round_to(f, hi);
    mpfr_clears(delta, lo, hi, static_cast<mpfr_ptr>(nullptr));
    // Equal roundings of both ends decide; compare values so +-0 ends of a tiny result agree.
    if (r_lo == r_hi && !std::isnan(r_lo))
      out[static_cast<std::size_t>(i)] = Exact{round_to(f, yi), to_double_double(yi)};
  }
}

/// act(g) itself (up = 1) at the second rung's precision, as a double-double with its error
/// bound: lo is x - hi rounded once, so hi + lo is within 2^-53 |lo| of the MPFR value,
/// which is within Core::error_units * 2^-prec of act(g), relatively (below 2^-255 here, so
/// lo's own bits decide: gelu_tanh just under its large-gate cut differs from g by 2^-126
/// relative, under the first rung's bound). Requires |act(g)| in double's normal range.
template <class Core>
Enclosure mpfr_value(double g) {
  free_mpfr_caches_at_thread_exit();
  using Real = MpReal<kMpfrRungDigits10[1]>;
  const Real y = Core::eval(Real(g), Real(1));
  const DoubleDouble v = to_double_double(y.backend().data());
  const double mpfr_error = Core::error_units * std::ldexp(std::fabs(v.hi), -static_cast<int>(mpfr_get_prec(y.backend().data())));
  return {v, (0x1p-53 * std::fabs(v.lo) + mpfr_error) * (1.0 + 0x1p-50)};
}

/// All rungs of the ladder for one core, in kMpfrRungDigits10 order.
template <class Core>
constexpr std::array<MpfrRung, kMpfrRungDigits10.size()> mpfr_ladder() {
  return {&mpfr_rung<Core, kMpfrRungDigits10[0]>, &mpfr_rung<Core, kMpfrRungDigits10[1]>,
          &mpfr_rung<Core, kMpfrRungDigits10[2]>, &mpfr_rung<Core, kMpfrRungDigits10[3]>};
}

}  // namespace ulpcheck::detail
