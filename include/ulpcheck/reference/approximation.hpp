// How far an op's real function lies from the one it approximates (ElementwiseOp's
// `approximates`): the largest difference over the reals, from the oracle's exact values.
#pragma once

#include <span>
#include <vector>

#include "ulpcheck/reference/op.hpp"

namespace ulpcheck {

/// approx(x) - exact(x) at each double x, from the oracle's exact values (double-doubles
/// from MPFR, so the difference is accurate to about 2^-100 of the values, far below
/// itself). Gated ops are evaluated at up = 1, where the difference is per unit of up;
/// both ops take their default parameters. Any double is a valid input here, not only the
/// values of a format.
std::vector<double> real_difference(const ElementwiseOp& exact, const ElementwiseOp& approx,
                                    std::span<const double> xs);

/// Where |approx - exact| is largest over [-radius, radius], and its value.
struct RealDifference {
  double x = 0.0;           ///< the gate where it is largest (the first such grid point from -radius up)
  double difference = 0.0;  ///< approx(x) - exact(x), signed
  /// The same |difference| at -x, to 2^-40 relatively (GELU's difference is even).
  bool symmetric = false;
  double radius = 0.0;      ///< the interval searched, [-radius, radius]
  double step = 0.0;        ///< the spacing of the last, finest grid: radius 2^-33
};

/// A grid of step h = radius 2^-13 over [-radius, radius], then twice a grid 2^10 times
/// finer over two steps of the last on either side of its widest gap (kept within
/// [-radius, radius]). A maximum where the difference is smooth is then found to within
/// h^2 2^-40 |d''| / 8 in value (nothing at the precision reported) and to within the last
/// step in x. About 25 thousand MPFR evaluations of each op (half a second on one core).
/// radius 0 takes approx.approximates.search_radius. Throws std::invalid_argument when
/// there is no radius or the two ops differ in arity.
RealDifference largest_real_difference(const ElementwiseOp& exact, const ElementwiseOp& approx, double radius = 0.0);

}  // namespace ulpcheck
