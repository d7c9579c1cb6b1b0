#include "ulpcheck/properties/measure.hpp"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

namespace ulpcheck {

namespace {
/// Oracle and comparison go in chunks of rows so progress can be shown and memory stays flat.
constexpr std::int64_t kChunkElements = 1 << 16;
}  // namespace

Measurement measure(const ElementwiseOp& op, const Kernel& kernel, Format f, const Params& params,
                    const InputSet& inputs, const Progress& progress) {
  const std::optional<Budget> claim = kernel.claim(op, f);
  if (!claim)
    throw std::invalid_argument(fmt::format("kernel {} does not implement {} in {}", kernel.name(), op.name, name(f)));
  const BitTensor& in = inputs.tensor;
  if (in.format != f || in.cols % op.arity != 0)
    throw std::invalid_argument(fmt::format("{} inputs must be {} with a multiple of {} columns; got {} with {}",
                                            op.name, name(f), op.arity, name(in.format), in.cols));
  const std::int64_t d = in.cols / op.arity;

  Measurement m{&op, &kernel, f, params, *claim, inputs.description, in.rows, d, {}, {}};
  BitTensor out = BitTensor::zeros(f, in.rows, d);
  kernel.run(op, params, in, out);

  const std::int64_t total = in.rows * d;
  const std::int64_t rows_per_chunk = std::max<std::int64_t>(1, kChunkElements / std::max<std::int64_t>(d, 1));
  std::vector<double> x0, x1;
  for (std::int64_t r0 = 0; r0 < in.rows; r0 += rows_per_chunk) {
    const std::int64_t r1 = std::min(in.rows, r0 + rows_per_chunk);
    x0.clear();
    x1.clear();
    for (std::int64_t r = r0; r < r1; ++r)
      for (std::int64_t c = 0; c < d; ++c) {
        x0.push_back(decode(f, in.at(r, c)));
        if (op.arity == 2) x1.push_back(decode(f, in.at(r, d + c)));
      }
    const std::vector<Exact> exact = evaluate(op, f, x0, x1, params, OracleMethod::double_then_mpfr, &m.oracle);
    std::size_t i = 0;
    for (std::int64_t r = r0; r < r1; ++r)
      for (std::int64_t c = 0; c < d; ++c, ++i) {
        const double a = x0[i];
        const double b = op.arity == 2 ? x1[i] : 1.0;
        const double scale = ElementwiseOp::floor_scale(op.prepare(a, b, params));
        const std::uint32_t got_bits = out.at(r, c);
        ElementReport e{r, c, op.arity, in.at(r, c), op.arity == 2 ? in.at(r, d + c) : 0u, got_bits, exact[i], {}};
        e.check = check_element(f, decode(f, got_bits), exact[i], std::isfinite(a) && std::isfinite(b), scale, *claim);
        m.stats.add(e);
      }
    if (progress) progress(r1 * d, total);
  }
  return m;
}

}  // namespace ulpcheck
