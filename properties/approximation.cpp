#include "ulpcheck/properties/approximation.hpp"

#include <fmt/format.h>

#include <cmath>
#include <map>
#include <stdexcept>
#include <utility>

#include "ulpcheck/reference/ulp.hpp"

namespace ulpcheck {

namespace {

/// Same value and sign, or both NaN.
bool same_result(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return a == b && std::signbit(a) == std::signbit(b);
}

/// Walks every element with both results, `result(i)` for the exact op and `approx(i)` for
/// the approximation, and the ULP difference `ulp(a, b, r)` where a, b and r are finite.
template <class Result, class Approx, class Ulp>
DifferenceStats compare(const ElementwiseOp& op, Format f, const Params& params, const InputSet& inputs,
                        const OracleAnswers& exact, Result&& result, Approx&& approx, Ulp&& ulp) {
  const BitTensor& in = inputs.tensor;
  if (in.format != f || in.cols % op.arity != 0)
    throw std::invalid_argument(fmt::format("{} inputs must be {} with a multiple of {} columns; got {} with {}",
                                            op.name, name(f), op.arity, name(in.format), in.cols));
  const std::int64_t d = in.cols / op.arity;
  if (exact.exact.size() != static_cast<std::size_t>(in.rows * d))
    throw std::invalid_argument(fmt::format("{} oracle answers for {} elements", exact.exact.size(), in.rows * d));
  const double abs_floor = op.default_budget_for(f).abs_floor;
  DifferenceStats s;
  std::map<std::pair<int, int>, DifferenceBinade> binades;
  for (std::int64_t r = 0; r < in.rows; ++r)
    for (std::int64_t c = 0; c < d; ++c) {
      const std::size_t i = static_cast<std::size_t>(r * d + c);
      const std::uint32_t x0_bits = in.at(r, c), x1_bits = op.arity == 2 ? in.at(r, d + c) : 0u;
      const double x0 = decode(f, x0_bits), x1 = op.arity == 2 ? decode(f, x1_bits) : 1.0;
      const double a = result(i), b = approx(i);
      const DoubleDouble& value = exact.exact[i].value;
      ++s.count;
      const bool differ = !same_result(a, b);
      s.differ += differ;
      DifferenceBinade* bin = nullptr;
      if (std::isfinite(x0) && x0 != 0.0) {
        const int sign = x0 < 0 ? -1 : 1, binade = std::ilogb(x0);
        bin = &binades[{sign, sign * binade}];
        bin->sign = sign;
        bin->binade = binade;
        ++bin->count;
        bin->differ += differ;
      }
      if (!std::isfinite(a) || !std::isfinite(b) || !value.is_finite()) continue;
      ++s.compared;
      const double u = ulp(a, b, value);
      const double scale = ElementwiseOp::floor_scale(op.prepare(x0, x1, params));
      const bool in_floor = std::fabs(value.hi + value.lo) < abs_floor * scale;
      const DifferenceAt at{r, c, x0_bits, x1_bits, a, b, value, u};
      if (u > s.max_ulp) s.max_ulp = u, s.worst = at;
      if (in_floor) {
        ++s.in_floor_region;
      } else {
        ++s.above_floor;
        s.differ_above_floor += differ;
        if (u > s.max_ulp_above_floor) s.max_ulp_above_floor = u, s.worst_above_floor = at;
      }
      if (bin) {
        bin->in_floor_region += in_floor;
        bin->max_ulp = std::max(bin->max_ulp, u);
        if (!in_floor) bin->max_ulp_above_floor = std::max(bin->max_ulp_above_floor, u);
      }
    }
  // The map's key orders negative inputs by -binade: from the largest magnitude down, the
  // order of the number line; then positive ones upwards.
  for (auto& [key, bin] : binades) s.binades.push_back(bin);
  return s;
}

}  // namespace

DifferenceStats compare_rounded(const ElementwiseOp& exact_op, Format f, const Params& params,
                                const InputSet& inputs, const OracleAnswers& exact, const OracleAnswers& approx) {
  if (approx.exact.size() != exact.exact.size())
    throw std::invalid_argument(fmt::format("{} answers of the approximation against {} of {}", approx.exact.size(),
                                            exact.exact.size(), exact_op.name));
  return compare(
      exact_op, f, params, inputs, exact, [&](std::size_t i) { return exact.exact[i].rounded; },
      [&](std::size_t i) { return approx.exact[i].rounded; },
      [&](double, double b, const DoubleDouble& r) { return ulp_error(f, b, r); });
}

DifferenceStats compare_outputs(const ElementwiseOp& exact_op, Format f, const Params& params,
                                const InputSet& inputs, const OracleAnswers& exact, const BitTensor& exact_kernel_out,
                                const BitTensor& approx_kernel_out) {
  const std::int64_t d = inputs.tensor.cols / exact_op.arity;
  for (const BitTensor* out : {&exact_kernel_out, &approx_kernel_out})
    if (out->format != f || out->rows != inputs.tensor.rows || out->cols != d)
      throw std::invalid_argument(fmt::format("kernel outputs of {} must be {} [{}, {}]; got {} [{}, {}]",
                                              exact_op.name, name(f), inputs.tensor.rows, d, name(out->format),
                                              out->rows, out->cols));
  return compare(
      exact_op, f, params, inputs, exact, [&](std::size_t i) { return decode(f, exact_kernel_out.bits[i]); },
      [&](std::size_t i) { return decode(f, approx_kernel_out.bits[i]); },
      [&](double a, double b, const DoubleDouble& r) { return std::fabs(a - b) / ulp_of(f, r); });
}

}  // namespace ulpcheck
