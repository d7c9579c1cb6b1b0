#include "ulpcheck/reference/approximation.hpp"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>
#include <utility>

#include "ulpcheck/reference/oracle.hpp"

namespace ulpcheck {

std::vector<double> real_difference(const ElementwiseOp& exact, const ElementwiseOp& approx,
                                    std::span<const double> xs) {
  // Up = 1 for the gated form; ignored by unary ops. The format only decides where Ziv's
  // loop stops, and its first rung already gives a full double-double value.
  const std::vector<double> ones(xs.size(), 1.0);
  const auto e = evaluate(exact, Format::fp32, xs, ones, exact.default_params(), OracleMethod::mpfr_only);
  const auto a = evaluate(approx, Format::fp32, xs, ones, approx.default_params(), OracleMethod::mpfr_only);
  std::vector<double> d(xs.size());
  for (std::size_t i = 0; i < xs.size(); ++i) {
    const DoubleDouble s = two_sum(a[i].value.hi, -e[i].value.hi);
    d[i] = s.hi + (s.lo + (a[i].value.lo - e[i].value.lo));
  }
  return d;
}

namespace {

/// center + i step for |i| <= half_steps, those within [-radius, radius]: dyadic points,
/// exact in double here.
std::vector<double> grid(double center, std::int64_t half_steps, double step, double radius) {
  std::vector<double> xs;
  xs.reserve(static_cast<std::size_t>(2 * half_steps + 1));
  for (std::int64_t i = -half_steps; i <= half_steps; ++i)
    if (const double x = center + static_cast<double>(i) * step; std::fabs(x) <= radius) xs.push_back(x);
  return xs;
}

/// The first x of `xs` where |approx - exact| is largest, with the signed difference there.
std::pair<double, double> widest_gap(const ElementwiseOp& exact, const ElementwiseOp& approx,
                                     const std::vector<double>& xs) {
  const std::vector<double> d = real_difference(exact, approx, xs);
  std::size_t best = 0;
  for (std::size_t i = 1; i < xs.size(); ++i)
    if (std::fabs(d[i]) > std::fabs(d[best])) best = i;
  return {xs[best], d[best]};
}

}  // namespace

RealDifference largest_real_difference(const ElementwiseOp& exact, const ElementwiseOp& approx, double radius) {
  if (radius == 0.0) radius = approx.approximates.search_radius;
  if (!(radius > 0.0 && std::isfinite(radius)))
    throw std::invalid_argument(fmt::format("largest_real_difference: {} declares no search radius against {}",
                                            approx.name, exact.name));
  if (exact.arity != approx.arity)
    throw std::invalid_argument(fmt::format("largest_real_difference: {} takes {} inputs and {} takes {}", exact.name,
                                            exact.arity, approx.name, approx.arity));
  constexpr std::int64_t kCoarseHalfSteps = 1 << 13;  // [-radius, radius] in steps of radius 2^-13
  constexpr std::int64_t kRefineHalfSteps = 1 << 11;  // two coarser steps on either side, 2^10 times finer
  double step = radius / static_cast<double>(kCoarseHalfSteps);
  auto [x, d] = widest_gap(exact, approx, grid(0.0, kCoarseHalfSteps, step, radius));
  for (int refinement = 0; refinement < 2; ++refinement) {
    step = std::ldexp(step, -10);
    std::tie(x, d) = widest_gap(exact, approx, grid(x, kRefineHalfSteps, step, radius));
  }
  const double mirror = real_difference(exact, approx, std::vector<double>{-x})[0];
  const bool symmetric = std::fabs(std::fabs(mirror) - std::fabs(d)) <= 0x1p-40 * std::fabs(d);
  return {.x = x, .difference = d, .symmetric = symmetric, .radius = radius, .step = step};
}

}  // namespace ulpcheck
