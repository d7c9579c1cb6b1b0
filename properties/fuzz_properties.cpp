// The fuzz properties every op has, each one sentence of the spec checked on generated
// cases, and the table of all of them with the ops' own (properties/ops/).
#include <fmt/format.h>
#include <rapidcheck.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <optional>
#include <vector>

#include "properties/fuzz_checks.hpp"
#include "properties/property_runner.hpp"
#include "ulpcheck/properties/explain.hpp"
#include "ulpcheck/properties/fuzz.hpp"
#include "ulpcheck/reference/registry.hpp"

namespace ulpcheck {

namespace detail {

void require_supported(const FuzzTarget& t, const Params& p) {
  const std::string why = t.kernel->unsupported_params(*t.op, t.format, p);
  RC_PRE(why.empty());
}

BitTensor run(const Kernel& k, const ElementwiseOp& op, const Params& p, const BitTensor& in) {
  BitTensor out = BitTensor::zeros(in.format, in.rows, in.cols / op.arity);
  std::fill(out.bits.begin(), out.bits.end(), poison_bits(in.format));
  k.run(op, p, in, out);
  return out;
}

std::string where(const FuzzTarget& t, const FuzzCase& c, std::int64_t index) {
  const std::int64_t d = c.shape.d;
  const std::string params = params_text(c);
  return fmt::format("{} on {} in {}, input [{}, {}]{}{}, element [{}, {}]", t.op->name, t.kernel->name(),
                     name(t.format), c.shape.tokens, t.op->arity * d, params.empty() ? "" : ", ", params,
                     index / std::max<std::int64_t>(d, 1), index % std::max<std::int64_t>(d, 1));
}

std::string bits_text(Format f, std::uint32_t b) {
  return fmt::format("0x{:0{}x} ({:.9g})", b, info(f).storage_bits / 4, decode(f, b));
}

std::int64_t first_difference(const BitTensor& a, const BitTensor& b) {
  for (std::size_t i = 0; i < a.bits.size(); ++i)
    if (a.bits[i] != b.bits[i]) return static_cast<std::int64_t>(i);
  return -1;
}

}  // namespace detail

namespace {

using detail::bits_text;
using detail::fail;
using detail::first_difference;
using detail::require_supported;
using detail::run;
using detail::where;

Measurement measure_case(const FuzzTarget& t, const FuzzCase& c) {
  const Params p = c.params(*t.op);
  require_supported(t, p);
  return measure(*t.op, *t.kernel, t.format, p, InputSet{c.tensor(), "fuzz case"});
}

void within_budget(const FuzzTarget& t, const FuzzCase& c) {
  const Measurement m = measure_case(t, c);
  if (m.stats.budget_breaches) fail("output outside the claimed budget\n" + explain(m, m.stats.breaches.front()));
}

void nan_inf_semantics(const FuzzTarget& t, const FuzzCase& c) {
  const Measurement m = measure_case(t, c);
  if (m.stats.semantic_violations)
    fail("NaN/inf semantics differ from the oracle's\n" + explain(m, m.stats.semantic_failures.front()));
}

bool always(const FuzzTarget&) { return true; }

/// The rows of `in` repeated cyclically to `rows` rows.
BitTensor tiled_rows(const BitTensor& in, std::int64_t rows) {
  BitTensor out{in.format, rows, in.cols, std::vector<std::uint32_t>(static_cast<std::size_t>(rows * in.cols))};
  for (std::int64_t r = 0; r < rows; ++r)
    std::copy_n(&in.bits[static_cast<std::size_t>(r % in.rows * in.cols)], in.cols,
                &out.bits[static_cast<std::size_t>(r * in.cols)]);
  return out;
}

/// Row r of `in` as a batch of one.
BitTensor row_of(const BitTensor& in, std::int64_t r) {
  const auto first = in.bits.begin() + r * in.cols;
  return {in.format, 1, in.cols, std::vector<std::uint32_t>(first, first + in.cols)};
}

/// Output elements a batch of the rows_are_independent property may have (a kernel run
/// each): every batch size up to 4096 rows for d <= 8, up to 129 rows (both sides of 128)
/// for d <= 254, the small batches for any d.
constexpr std::int64_t kMaxBatchElements = std::int64_t{1} << 15;

void rows_are_independent(const FuzzTarget& t, const FuzzCase& c) {
  const Params p = c.params(*t.op);
  require_supported(t, p);
  const BitTensor in = c.tensor();
  if (in.rows == 0) return;
  const BitTensor out = run(*t.kernel, *t.op, p, in);
  const std::int64_t d = c.shape.d;
  // The same rows in reverse order must give the same rows.
  BitTensor reversed = in;
  for (std::int64_t r = 0; r < in.rows; ++r)
    std::copy_n(&in.bits[static_cast<std::size_t>(r * in.cols)], in.cols,
                &reversed.bits[static_cast<std::size_t>((in.rows - 1 - r) * in.cols)]);
  const BitTensor out_reversed = run(*t.kernel, *t.op, p, reversed);
  for (std::int64_t r = 0; r < in.rows; ++r)
    for (std::int64_t col = 0; col < d; ++col)
      if (out.at(r, col) != out_reversed.at(in.rows - 1 - r, col))
        fail(fmt::format("a row's output depends on the other rows: {}\n  in batch order:    {}\n  rows reversed:     {}",
                         where(t, c, r * d + col), bits_text(t.format, out.at(r, col)),
                         bits_text(t.format, out_reversed.at(in.rows - 1 - r, col))));
  // Rows computed alone (up to 8 of them, first and last included: a launch each) must give
  // their bits in the case's batch, and the case's rows, repeated to every batch size a
  // production kernel dispatches on (both sides of 128, 256, ...), the same bits again.
  for (const std::int64_t r : rows_run_alone(in.rows)) {
    const BitTensor alone = run(*t.kernel, *t.op, p, row_of(in, r));
    for (std::int64_t col = 0; col < d; ++col)
      if (alone.at(0, col) != out.at(r, col))
        fail(fmt::format("row {} alone differs from row {} in the batch of {}: {}\n  in the batch: {}\n  alone:        {}",
                         r, r, in.rows, where(t, c, r * d + col), bits_text(t.format, out.at(r, col)),
                         bits_text(t.format, alone.at(0, col))));
  }
  for (std::int64_t rows : dispatch_batch_sizes()) {
    if (rows == in.rows || rows * d > kMaxBatchElements) continue;
    const BitTensor batch = run(*t.kernel, *t.op, p, tiled_rows(in, rows));
    for (std::int64_t r = 0; r < rows; ++r)
      for (std::int64_t col = 0; col < d; ++col)
        if (batch.at(r, col) != out.at(r % in.rows, col))
          fail(fmt::format("row {} gives other bits in a batch of {} rows (as its row {}) than in the batch of {}: {}\n"
                           "  batch of {}: {}\n  batch of {}: {}",
                           r % in.rows, rows, r, in.rows, where(t, c, r % in.rows * d + col), in.rows,
                           bits_text(t.format, out.at(r % in.rows, col)), rows, bits_text(t.format, batch.at(r, col))));
  }
}

void reruns_are_identical(const FuzzTarget& t, const FuzzCase& c) {
  const Params p = c.params(*t.op);
  require_supported(t, p);
  const BitTensor in = c.tensor();
  const BitTensor a = run(*t.kernel, *t.op, p, in), b = run(*t.kernel, *t.op, p, in);
  const std::int64_t i = first_difference(a, b);
  if (i >= 0)
    fail(fmt::format("two runs differ: {}\n  first run:  {}\n  second run: {}", where(t, c, i),
                        bits_text(t.format, a.bits[i]), bits_text(t.format, b.bits[i])));
}

/// Properties of the outputs' values, which every op has.
const FuzzProperty kValueProperties[] = {
    {"within_budget", "every output is within the budget the kernel claims", &always, &within_budget},
    {"nan_inf_semantics", "NaN and inf outputs agree with the oracle's", &always, &nan_inf_semantics},
};

/// The properties of ops' own semantics (properties/ops/), one entry per op that has some.
std::span<const FuzzProperty> (*const kOpProperties[])() = {&clamp_fuzz_properties};

/// Properties of how a kernel runs, which every op has.
const FuzzProperty kRunProperties[] = {
    {"rows_are_independent",
     "a row's output does not depend on the other rows of the batch, nor on its size (a row alone and inside "
     "batches of 1 to 4096 rows)",
     &always, &rows_are_independent},
    {"reruns_are_identical", "two runs give identical bits", &always, &reruns_are_identical},
};

}  // namespace

std::span<const FuzzProperty> all_fuzz_properties() {
  static const std::vector<FuzzProperty> all = [] {
    std::vector<FuzzProperty> v(std::begin(kValueProperties), std::end(kValueProperties));
    for (const auto op_properties : kOpProperties) std::ranges::copy(op_properties(), std::back_inserter(v));
    v.insert(v.end(), std::begin(kRunProperties), std::end(kRunProperties));
    return v;
  }();
  return all;
}

}  // namespace ulpcheck
