#include "ulpcheck/properties/exhaustive.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>

#include "ulpcheck/device/cuda/runtime.hpp"
#include "ulpcheck/device/registry.hpp"
#include "ulpcheck/reference/certified/pair_tables.hpp"
#include "ulpcheck/reference/oracle.hpp"
#include "ulpcheck/reference/registry.hpp"

namespace ulpcheck {

namespace {

double elapsed_s(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

/// An element of the space by index: its input bit patterns (sweep/outcome.hpp).
struct Inputs {
  std::uint32_t x0, x1;
};
Inputs inputs_of(ExhaustiveSpace space, std::int64_t index) {
  if (space == ExhaustiveSpace::all_pairs)
    return {static_cast<std::uint32_t>(index & 0xffff), static_cast<std::uint32_t>(index >> 16)};
  return {static_cast<std::uint32_t>(index), 0};
}

/// The host oracle's answers and the check of each element, as the sweep counts them.
/// `mpfr_only` for the few elements a report lists: their values as full double-doubles.
std::vector<sweep::Outcome> host_outcomes(const ElementwiseOp& op, Format f, const Params& params, const Budget& budget,
                                   ExhaustiveSpace space, const std::vector<std::int64_t>& indices,
                                   const std::vector<std::uint32_t>& got, OracleCounts* counts = nullptr,
                                   std::vector<Exact>* exact_out = nullptr,
                                   OracleMethod method = OracleMethod::double_then_mpfr) {
  const bool gated = op.arity == 2;
  std::vector<double> x0(indices.size()), x1(indices.size(), 1.0);
  for (std::size_t i = 0; i < indices.size(); ++i) {
    const Inputs in = inputs_of(space, indices[i]);
    x0[i] = decode(f, in.x0);
    if (gated) x1[i] = decode(f, in.x1);
  }
  const std::vector<Exact> exact = evaluate(op, f, x0, gated ? std::span<const double>(x1) : std::span<const double>{},
                                            params, method, counts);
  std::vector<sweep::Outcome> out(indices.size());
  for (std::size_t i = 0; i < indices.size(); ++i) {
    const double scale = ElementwiseOp::floor_scale(op.prepare(x0[i], x1[i], params));
    out[i] = sweep::outcome_of(f, gated, x0[i], x1[i], decode(f, got[i]), exact[i], scale, budget);
  }
  if (exact_out) *exact_out = exact;
  return out;
}

void check_shard(const Shard& s) {
  if (s.count < 1 || s.count > sweep::kRows || s.index < 0 || s.index >= s.count)
    throw std::invalid_argument(fmt::format("shard {}/{}: needs 1 <= k <= n <= {}", s.index + 1, s.count, sweep::kRows));
}

/// All 65536 inputs of a 16-bit format in the shard, through any kernel, on the host oracle.
sweep::Figures host_inputs(const ElementwiseOp& op, const Kernel& kernel, Format f, const Params& params,
                           const Budget& budget, const Shard& shard) {
  const std::int64_t first = shard.first_unit(), n = shard.end_unit() - first;
  BitTensor input{f, 1, n, {}}, output{f, 1, n, std::vector<std::uint32_t>(static_cast<std::size_t>(n))};
  std::vector<std::int64_t> indices(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) {
    input.bits.push_back(static_cast<std::uint32_t>(first + i));
    indices[static_cast<std::size_t>(i)] = first + i;
  }
  kernel.run(op, params, input, output);
  OracleCounts counts;
  const std::vector<sweep::Outcome> outcomes =
      host_outcomes(op, f, params, budget, ExhaustiveSpace::all_16bit_inputs, indices, output.bits, &counts);
  sweep::Figures figures;
  for (std::size_t i = 0; i < indices.size(); ++i) figures.add(indices[i], output.bits[i], outcomes[i]);
  figures.special_rules = counts.special;
  figures.escalated = counts.mpfr_tier;
  return figures;
}

}  // namespace

ExhaustiveSpace exhaustive_space(const ElementwiseOp& op, Format f) {
  const bool narrow = info(f).storage_bits == 16;
  if (op.arity == 1) return narrow ? ExhaustiveSpace::all_16bit_inputs : ExhaustiveSpace::all_fp32_inputs;
  return narrow ? ExhaustiveSpace::all_pairs : ExhaustiveSpace::none;
}

std::string describe(ExhaustiveSpace space, Format f) {
  switch (space) {
    case ExhaustiveSpace::all_16bit_inputs: return fmt::format("every {} input (65536)", name(f));
    case ExhaustiveSpace::all_pairs: return fmt::format("every {} (gate, up) pair (2^32)", name(f));
    case ExhaustiveSpace::all_fp32_inputs: return "every fp32 input (2^32)";
    case ExhaustiveSpace::none: break;
  }
  return "no exhaustive space";
}

std::string Shard::label() const { return fmt::format("{}/{}", index + 1, count); }

ExhaustivePart run_exhaustive_part(const ElementwiseOp& op, const Kernel& kernel, Format f, const Params& params,
                                   const Shard& shard, const UnitProgress& progress, ExhaustiveTimes* times,
                                   std::int64_t rows_per_call, const PairTables* given_tables) {
  check_shard(shard);
  const ExhaustiveSpace space = exhaustive_space(op, f);
  if (space == ExhaustiveSpace::none)
    throw std::invalid_argument(fmt::format("{} on {} has no exhaustive sweep: a gated op on fp32 has 2^64 pairs; "
                                            "sample it with `report`",
                                            op.name, name(f)));
  const std::optional<Budget> budget = kernel.claim(op, f);
  if (!budget) throw std::invalid_argument(fmt::format("{} does not implement {} on {}", kernel.name(), op.name, name(f)));
  if (const std::string why = kernel.unsupported_params(op, f, params); !why.empty())
    throw std::invalid_argument(fmt::format("{}: {}", kernel.name(), why));
  ExhaustivePart part{std::string(op.name), std::string(kernel.name()), f, params, *budget, shard, 0, {}};
  ExhaustiveTimes local;
  ExhaustiveTimes& t = times ? *times : local;
  const auto t0 = std::chrono::steady_clock::now();
  if (space == ExhaustiveSpace::all_16bit_inputs) {
    part.figures = host_inputs(op, kernel, f, params, *budget, shard);
    t.device_s = elapsed_s(t0);
    if (progress) progress(shard.end_unit() - shard.first_unit(), shard.end_unit() - shard.first_unit());
    return part;
  }
  DeviceRun run = kernel.device_run(op, f, params);
  if (!run)
    throw std::invalid_argument(fmt::format("{} of {} runs on the GPU sweep, which takes kernels on device memory "
                                            "(the built-in cuda.* ones, plugin kernels of ULPCHECK_MEMORY_CUDA); {} is "
                                            "not one{}",
                                            describe(space, f), op.name, kernel.name(),
                                            cuda::device_available() ? "" : " (and this machine has no GPU: " +
                                                                                 cuda::device_description() + ")"));
  PairTables tables;
  if (space == ExhaustiveSpace::all_pairs && !given_tables) tables = pair_tables(op, f, params);
  t.tables_s = elapsed_s(t0);
  sweep::Plan plan{&op, f, params, *budget, std::string(kernel.name()), std::move(run), shard.first_unit(),
                   shard.end_unit() - shard.first_unit(), rows_per_call,
                   space != ExhaustiveSpace::all_pairs ? nullptr : given_tables ? given_tables : &tables};
  part.rows_per_call = std::min(rows_per_call, plan.rows);
  const auto t1 = std::chrono::steady_clock::now();
  std::vector<sweep::Escalated> escalated;
  {
    sweep::Sweep s(plan);
    part.figures = s.run(escalated, progress);
    t.pass = s.times();
  }
  t.device_s = elapsed_s(t1);
  const auto t2 = std::chrono::steady_clock::now();
  std::vector<std::int64_t> indices;
  std::vector<std::uint32_t> got;
  for (const sweep::Escalated& e : escalated) indices.push_back(e.index), got.push_back(e.got_bits);
  const std::vector<sweep::Outcome> outcomes = host_outcomes(op, f, params, *budget, space, indices, got);
  for (std::size_t i = 0; i < indices.size(); ++i) part.figures.add(indices[i], got[i], outcomes[i]);
  part.figures.escalated = static_cast<std::int64_t>(indices.size());
  t.settle_s = elapsed_s(t2);
  return part;
}

ExhaustivePart merge_parts(std::vector<ExhaustivePart> parts) {
  if (parts.empty()) throw std::invalid_argument("merge: no parts given");
  std::sort(parts.begin(), parts.end(), [](const auto& a, const auto& b) { return a.shard.index < b.shard.index; });
  const ExhaustivePart& first = parts.front();
  const std::string params = first.params.to_string();
  const std::string what =
      fmt::format("{} on {}{} by {}", first.op, name(first.format), params.empty() ? "" : " " + params, first.kernel);
  for (const ExhaustivePart& p : parts) {
    const auto differs = [&](const char* field, const std::string& a, const std::string& b) {
      if (a != b)
        throw std::invalid_argument(fmt::format("merge: shard {} has {} {}, shard {} has {}: parts of different runs",
                                                p.shard.label(), field, b, first.shard.label(), a));
    };
    differs("op", first.op, p.op);
    differs("kernel", first.kernel, p.kernel);
    differs("dtype", std::string(name(first.format)), std::string(name(p.format)));
    differs("parameters", first.params.to_string(), p.params.to_string());
    differs("budget", fmt::format("{}/{}", first.budget.max_ulp, first.budget.abs_floor),
            fmt::format("{}/{}", p.budget.max_ulp, p.budget.abs_floor));
    differs("shard count", std::to_string(first.shard.count), std::to_string(p.shard.count));
    differs("rows per call", std::to_string(first.rows_per_call), std::to_string(p.rows_per_call));
    if (p.shard.index < 0) throw std::invalid_argument(fmt::format("merge: {} is already merged", what));
  }
  const std::int64_t n = first.shard.count;
  std::vector<std::string> missing, twice;
  for (std::int64_t k = 0, i = 0; k < n; ++k) {
    std::int64_t seen = 0;
    while (i < static_cast<std::int64_t>(parts.size()) && parts[static_cast<std::size_t>(i)].shard.index == k) ++seen, ++i;
    if (seen == 0) missing.push_back(Shard{k, n}.label());
    if (seen > 1) twice.push_back(Shard{k, n}.label());
  }
  if (!twice.empty()) throw std::invalid_argument(fmt::format("merge: {}: shard {} given more than once", what, fmt::join(twice, ", ")));
  if (!missing.empty()) throw std::invalid_argument(fmt::format("merge: {}: shard {} missing", what, fmt::join(missing, ", ")));
  ExhaustivePart whole = parts.front();
  for (std::size_t i = 1; i < parts.size(); ++i) whole.figures.merge(parts[i].figures);
  whole.shard = {-1, n};
  return whole;
}

CaseResult exhaustive_case(const ExhaustivePart& whole) {
  const ElementwiseOp* op = find_op(whole.op);
  const Kernel* kernel = find_kernel(whole.kernel);
  if (!op) throw std::invalid_argument(fmt::format("unknown op {}", whole.op));
  if (!kernel) throw std::invalid_argument(fmt::format("unknown kernel {} (load its plugin?)", whole.kernel));
  if (whole.shard.count != 1 && whole.shard.index >= 0)
    throw std::invalid_argument(fmt::format("shard {} is part of a sweep: merge the parts first", whole.shard.label()));
  const ExhaustiveSpace space = exhaustive_space(*op, whole.format);
  const sweep::Figures& fig = whole.figures;
  Measurement m;
  m.op = op;
  m.kernel = kernel;
  m.format = whole.format;
  m.params = whole.params;
  m.budget = whole.budget;
  m.inputs = describe(space, whole.format);
  const bool gpu = space != ExhaustiveSpace::all_16bit_inputs;
  m.rows = gpu ? sweep::kRows : 1;
  m.d = sweep::kRowElements;
  if (gpu)
    for (std::int64_t r = 0; r < sweep::kRows; r += whole.rows_per_call)
      m.batches.push_back({std::min(whole.rows_per_call, sweep::kRows - r), sweep::kRowElements});
  else
    m.batches.push_back({1, sweep::kRowElements});
  // The GPU's numeric tiers (double-double or double with a proven bound) count as the
  // double tier; what they left, settled by the host oracle, as MPFR.
  m.oracle.special = fig.special_rules;
  m.oracle.double_tier = fig.totals.count - fig.special_rules - fig.escalated;
  m.oracle.mpfr_tier = fig.escalated;
  ErrorStats& s = m.stats;
  const sweep::Totals& t = fig.totals;
  s.count = t.count;
  s.numeric = t.numeric;
  s.correctly_rounded = t.correctly_rounded;
  s.off_by_one_ulp = t.off_by_one_ulp;
  s.in_floor_region = t.in_floor_region;
  s.above_floor = t.above_floor;
  s.correctly_rounded_above_floor = t.correctly_rounded_above_floor;
  s.budget_breaches = t.budget_breaches;
  s.semantic_differences = t.semantic_differences;
  s.semantic_violations = t.semantic_violations;
  s.max_ulp = t.max_ulp;
  s.max_ulp_above_floor = t.max_ulp_above_floor;
  // The listed elements, with the host oracle's full double-double values.
  std::vector<ElementReport>* lists[] = {&s.worst, &s.worst_in_floor, &s.breaches, &s.semantic, &s.semantic_failures};
  for (int k = 0; k < sweep::kListKinds; ++k) {
    const std::vector<sweep::Listed>& listed = fig.lists[static_cast<std::size_t>(k)];
    std::vector<std::int64_t> indices;
    std::vector<std::uint32_t> got;
    for (const sweep::Listed& l : listed) indices.push_back(l.index), got.push_back(l.got_bits);
    std::vector<Exact> exact;
    host_outcomes(*op, whole.format, whole.params, whole.budget, space, indices, got, nullptr, &exact,
                  OracleMethod::mpfr_only);
    for (std::size_t i = 0; i < listed.size(); ++i) {
      const Inputs in = inputs_of(space, indices[i]);
      const double x0 = decode(whole.format, in.x0), x1 = op->arity == 2 ? decode(whole.format, in.x1) : 1.0;
      ElementReport e;
      e.row = indices[i] / sweep::kRowElements;
      e.col = indices[i] % sweep::kRowElements;
      e.arity = op->arity;
      e.x0_bits = in.x0;
      e.x1_bits = in.x1;
      e.got_bits = got[i];
      e.exact = exact[i];
      e.check = check_element(whole.format, decode(whole.format, got[i]), exact[i],
                              std::isfinite(x0) && std::isfinite(x1),
                              ElementwiseOp::floor_scale(op->prepare(x0, x1, whole.params)), whole.budget);
      e.batch = gpu ? static_cast<std::size_t>(e.row / whole.rows_per_call) : 0;
      e.index = indices[i];
      lists[k]->push_back(e);
    }
  }
  return {std::move(m), case_figures(fig, whole.format)};
}

}  // namespace ulpcheck
