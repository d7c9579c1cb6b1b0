#include "ulpcheck/properties/measure.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <mutex>
#include <stdexcept>

#include "ulpcheck/support/parallel.hpp"

namespace ulpcheck {

namespace {

/// Oracle and comparison run over chunks of rows on all cores; each chunk's results are
/// merged in row order, so nothing depends on the thread count.
constexpr std::int64_t kChunkElements = 1 << 16;

std::int64_t rows_per_chunk(std::int64_t d) {
  return std::max<std::int64_t>(1, kChunkElements / std::max<std::int64_t>(d, 1));
}

std::int64_t chunk_count(std::int64_t rows, std::int64_t d) {
  return (rows + rows_per_chunk(d) - 1) / rows_per_chunk(d);
}

/// Calls work(k, r0, r1) for every chunk k of rows [r0, r1) of a [rows, d] element grid on
/// all cores and reports the elements done after each chunk.
template <class Work>
void for_each_chunk(std::int64_t rows, std::int64_t d, const Progress& progress, Work&& work) {
  const std::int64_t total = rows * d;
  const std::int64_t chunk_rows = rows_per_chunk(d);
  std::atomic<std::int64_t> done_elements{0};
  std::mutex progress_mutex;
  parallel_for(chunk_count(rows, d), [&](std::int64_t k) {
    const std::int64_t r0 = k * chunk_rows, r1 = std::min(rows, r0 + chunk_rows);
    work(k, r0, r1);
    const std::int64_t done = done_elements += (r1 - r0) * d;
    if (progress) {
      std::lock_guard lock(progress_mutex);
      progress(done, total);
    }
  });
}

std::int64_t columns_of(const ElementwiseOp& op, Format f, const InputSet& inputs) {
  const BitTensor& in = inputs.tensor;
  if (in.format != f || in.cols % op.arity != 0)
    throw std::invalid_argument(fmt::format("{} inputs must be {} with a multiple of {} columns; got {} with {}",
                                            op.name, name(f), op.arity, name(in.format), in.cols));
  return in.cols / op.arity;
}

/// The kernel calls of `inputs`, checked to cover its [rows, d] elements exactly.
std::vector<Batch> calls_of(const ElementwiseOp& op, Format f, const InputSet& inputs) {
  const std::int64_t d = columns_of(op, f, inputs);
  std::vector<Batch> calls = batches_of(inputs, op.arity);
  const bool shapes_ok =
      std::all_of(calls.begin(), calls.end(), [](const Batch& b) { return b.rows >= 0 && b.d >= 0; });
  if (!shapes_ok || elements_of(calls) != inputs.tensor.rows * d)
    throw std::invalid_argument(fmt::format("{} inputs: batches {} do not cover the {} elements", op.name,
                                            input_shapes(calls, op.arity), inputs.tensor.rows * d));
  return calls;
}

}  // namespace

OracleAnswers evaluate_inputs(const ElementwiseOp& op, Format f, const Params& params, const InputSet& inputs,
                              const Progress& progress, OracleMethod method) {
  const BitTensor& in = inputs.tensor;
  const std::int64_t d = columns_of(op, f, inputs);
  OracleAnswers answers;
  answers.exact.resize(static_cast<std::size_t>(in.rows * d));
  std::vector<OracleCounts> counts(static_cast<std::size_t>(chunk_count(in.rows, d)));
  for_each_chunk(in.rows, d, progress, [&](std::int64_t k, std::int64_t r0, std::int64_t r1) {
    std::vector<double> x0, x1;
    for (std::int64_t r = r0; r < r1; ++r)
      for (std::int64_t c = 0; c < d; ++c) {
        x0.push_back(decode(f, in.at(r, c)));
        if (op.arity == 2) x1.push_back(decode(f, in.at(r, d + c)));
      }
    const std::vector<Exact> exact =
        evaluate(op, f, x0, x1, params, method, &counts[static_cast<std::size_t>(k)]);
    std::copy(exact.begin(), exact.end(), answers.exact.begin() + r0 * d);
  });
  for (const OracleCounts& c : counts) answers.counts += c;
  return answers;
}

namespace {

/// The budget `kernel` claims for (op, f), once it is known to take the parameters.
Budget claimed_budget(const ElementwiseOp& op, const Kernel& kernel, Format f, const Params& params) {
  const std::optional<Budget> claim = kernel.claim(op, f);
  if (!claim)
    throw std::invalid_argument(fmt::format("kernel {} does not implement {} in {}", kernel.name(), op.name, name(f)));
  if (const std::string why = kernel.unsupported_params(op, f, params); !why.empty())
    throw std::invalid_argument(fmt::format("kernel {}: {}", kernel.name(), why));
  return *claim;
}

}  // namespace

BitTensor run_kernel(const ElementwiseOp& op, const Kernel& kernel, Format f, const Params& params,
                     const InputSet& inputs) {
  claimed_budget(op, kernel, f, params);
  const BitTensor& in = inputs.tensor;
  const std::int64_t d = columns_of(op, f, inputs);
  const std::vector<Batch> calls = calls_of(op, f, inputs);
  BitTensor out = BitTensor::zeros(f, in.rows, d);
  std::fill(out.bits.begin(), out.bits.end(), poison_bits(f));
  if (calls.size() == 1 && calls[0] == Batch{in.rows, d}) {
    kernel.run(op, params, in, out);
    return out;
  }
  // Element i of the set is [i / d, i % d] of the tensor; a call takes a run of them
  // as its own [rows, arity * d'] and gives back [rows, d'].
  std::int64_t first = 0;
  for (const Batch& b : calls) {
    BitTensor call_in = BitTensor::zeros(f, b.rows, op.arity * b.d);
    BitTensor call_out = BitTensor::zeros(f, b.rows, b.d);
    std::fill(call_out.bits.begin(), call_out.bits.end(), poison_bits(f));
    for (std::int64_t j = 0; j < b.elements(); ++j) {
      const std::int64_t i = first + j, r = j / b.d, c = j % b.d;
      call_in.at(r, c) = in.at(i / d, i % d);
      if (op.arity == 2) call_in.at(r, b.d + c) = in.at(i / d, d + i % d);
    }
    kernel.run(op, params, call_in, call_out);
    for (std::int64_t j = 0; j < b.elements(); ++j) {
      const std::int64_t i = first + j;
      out.at(i / d, i % d) = call_out.at(j / b.d, j % b.d);
    }
    first += b.elements();
  }
  return out;
}

Measurement measure_outputs(const ElementwiseOp& op, const Kernel& kernel, Format f, const Params& params,
                            const InputSet& inputs, const OracleAnswers& answers, const BitTensor& out,
                            const Progress& progress) {
  const Budget claim = claimed_budget(op, kernel, f, params);
  const BitTensor& in = inputs.tensor;
  const std::int64_t d = columns_of(op, f, inputs);
  if (answers.exact.size() != static_cast<std::size_t>(in.rows * d))
    throw std::invalid_argument(fmt::format("{} oracle answers for {} elements", answers.exact.size(), in.rows * d));
  if (out.format != f || out.rows != in.rows || out.cols != d)
    throw std::invalid_argument(fmt::format("{} outputs of {} must be {} [{}, {}]; got {} [{}, {}]", kernel.name(),
                                            op.name, name(f), in.rows, d, name(out.format), out.rows, out.cols));

  Measurement m{&op, &kernel, f, params, claim, inputs.description, in.rows, d, calls_of(op, f, inputs), answers.counts,
                {}};
  std::vector<ErrorStats> chunks(static_cast<std::size_t>(chunk_count(in.rows, d)));
  for_each_chunk(in.rows, d, progress, [&](std::int64_t k, std::int64_t r0, std::int64_t r1) {
    ErrorStats& stats = chunks[static_cast<std::size_t>(k)];
    for (std::int64_t r = r0; r < r1; ++r)
      for (std::int64_t c = 0; c < d; ++c) {
        const std::int64_t index = r * d + c;
        const Exact& exact = answers.exact[static_cast<std::size_t>(index)];
        const double a = decode(f, in.at(r, c));
        const double b = op.arity == 2 ? decode(f, in.at(r, d + c)) : 1.0;
        const double scale = ElementwiseOp::floor_scale(op.prepare(a, b, params));
        const std::uint32_t got_bits = out.at(r, c);
        // Reported where the kernel computed it: its call, row and column there.
        const BatchPosition at = locate(m.batches, index);
        ElementReport e{at.row, at.col, op.arity, in.at(r, c), op.arity == 2 ? in.at(r, d + c) : 0u, got_bits,
                        exact, {}, at.batch, index};
        e.check = check_element(f, decode(f, got_bits), exact, std::isfinite(a) && std::isfinite(b), scale, claim);
        stats.add(e);
      }
  });
  for (const ErrorStats& s : chunks) m.stats.merge(s);
  return m;
}

Measurement measure(const ElementwiseOp& op, const Kernel& kernel, Format f, const Params& params,
                    const InputSet& inputs, const OracleAnswers& answers, const Progress& progress) {
  const BitTensor& in = inputs.tensor;
  const std::int64_t d = columns_of(op, f, inputs);
  claimed_budget(op, kernel, f, params);
  if (answers.exact.size() != static_cast<std::size_t>(in.rows * d))
    throw std::invalid_argument(fmt::format("{} oracle answers for {} elements", answers.exact.size(), in.rows * d));
  return measure_outputs(op, kernel, f, params, inputs, answers, run_kernel(op, kernel, f, params, inputs), progress);
}

Measurement measure(const ElementwiseOp& op, const Kernel& kernel, Format f, const Params& params,
                    const InputSet& inputs, const Progress& progress) {
  // The oracle is the long part; its progress stands for the whole.
  const OracleAnswers answers = evaluate_inputs(op, f, params, inputs, progress);
  return measure(op, kernel, f, params, inputs, answers);
}

}  // namespace ulpcheck
