#include "ulpcheck/properties/measure.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <mutex>
#include <thread>
#include <stdexcept>

namespace ulpcheck {

namespace {

/// Oracle and comparison run over chunks of rows on all cores; each chunk's figures are
/// merged in row order, so the result does not depend on the thread count.
constexpr std::int64_t kChunkElements = 1 << 16;

struct ChunkResult {
  ErrorStats stats;
  OracleCounts oracle;
};

ChunkResult check_rows(const ElementwiseOp& op, Format f, const Params& params, const Budget& budget,
                       const BitTensor& in, const BitTensor& out, std::int64_t r0, std::int64_t r1) {
  const std::int64_t d = out.cols;
  ChunkResult res;
  std::vector<double> x0, x1;
  for (std::int64_t r = r0; r < r1; ++r)
    for (std::int64_t c = 0; c < d; ++c) {
      x0.push_back(decode(f, in.at(r, c)));
      if (op.arity == 2) x1.push_back(decode(f, in.at(r, d + c)));
    }
  const std::vector<Exact> exact = evaluate(op, f, x0, x1, params, OracleMethod::double_then_mpfr, &res.oracle);
  std::size_t i = 0;
  for (std::int64_t r = r0; r < r1; ++r)
    for (std::int64_t c = 0; c < d; ++c, ++i) {
      const double a = x0[i];
      const double b = op.arity == 2 ? x1[i] : 1.0;
      const double scale = ElementwiseOp::floor_scale(op.prepare(a, b, params));
      const std::uint32_t got_bits = out.at(r, c);
      ElementReport e{r, c, op.arity, in.at(r, c), op.arity == 2 ? in.at(r, d + c) : 0u, got_bits, exact[i], {}};
      e.check = check_element(f, decode(f, got_bits), exact[i], std::isfinite(a) && std::isfinite(b), scale, budget);
      res.stats.add(e);
    }
  return res;
}

}  // namespace

Measurement measure(const ElementwiseOp& op, const Kernel& kernel, Format f, const Params& params,
                    const InputSet& inputs, const Progress& progress) {
  const std::optional<Budget> claim = kernel.claim(op, f);
  if (!claim)
    throw std::invalid_argument(fmt::format("kernel {} does not implement {} in {}", kernel.name(), op.name, name(f)));
  if (const std::string why = kernel.unsupported_params(op, f, params); !why.empty())
    throw std::invalid_argument(fmt::format("kernel {}: {}", kernel.name(), why));
  const BitTensor& in = inputs.tensor;
  if (in.format != f || in.cols % op.arity != 0)
    throw std::invalid_argument(fmt::format("{} inputs must be {} with a multiple of {} columns; got {} with {}",
                                            op.name, name(f), op.arity, name(in.format), in.cols));
  const std::int64_t d = in.cols / op.arity;

  Measurement m{&op, &kernel, f, params, *claim, inputs.description, in.rows, d, {}, {}};
  // Poisoned with all-ones patterns (NaN in every format): an element the kernel never
  // writes cannot pass for a result.
  BitTensor out = BitTensor::zeros(f, in.rows, d);
  std::fill(out.bits.begin(), out.bits.end(), info(f).storage_bits == 16 ? 0xffffu : 0xffffffffu);
  kernel.run(op, params, in, out);

  const std::int64_t total = in.rows * d;
  const std::int64_t rows_per_chunk = std::max<std::int64_t>(1, kChunkElements / std::max<std::int64_t>(d, 1));
  const std::int64_t chunks = (in.rows + rows_per_chunk - 1) / rows_per_chunk;
  std::vector<ChunkResult> results(static_cast<std::size_t>(chunks));
  std::atomic<std::int64_t> next{0}, done_elements{0};
  std::mutex progress_mutex;
  auto worker = [&] {
    for (std::int64_t k; (k = next.fetch_add(1)) < chunks;) {
      const std::int64_t r0 = k * rows_per_chunk, r1 = std::min(in.rows, r0 + rows_per_chunk);
      results[static_cast<std::size_t>(k)] = check_rows(op, f, params, *claim, in, out, r0, r1);
      const std::int64_t done = done_elements += (r1 - r0) * d;
      if (progress) {
        std::lock_guard lock(progress_mutex);
        progress(done, total);
      }
    }
  };
  const auto threads = std::min<std::int64_t>(chunks, std::max(1u, std::thread::hardware_concurrency()));
  std::vector<std::thread> pool;
  for (std::int64_t t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (std::thread& t : pool) t.join();

  for (const ChunkResult& r : results) {
    m.stats.merge(r.stats);
    m.oracle += r.oracle;
  }
  return m;
}

}  // namespace ulpcheck
