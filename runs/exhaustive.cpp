#include "ulpcheck/runs/exhaustive.hpp"

#include <fmt/format.h>

#include <charconv>
#include <stdexcept>

#include "ulpcheck/device/cuda/runtime.hpp"
#include "ulpcheck/device/registry.hpp"
#include "ulpcheck/reference/registry.hpp"
#include "ulpcheck/runs/request_error.hpp"

namespace ulpcheck {

namespace {

constexpr int kPartSchema = 1;

}  // namespace

Shard parse_shard(const std::string& text) {
  const auto slash = text.find('/');
  long long k = 0, n = 0;
  const auto parse = [](std::string_view s, long long& v) {
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    return ec == std::errc() && end == s.data() + s.size() && !s.empty();
  };
  if (slash == std::string::npos || !parse(std::string_view(text).substr(0, slash), k) ||
      !parse(std::string_view(text).substr(slash + 1), n))
    throw RequestError(fmt::format("--shard {}: expected K/N, shard K of N (1 <= K <= N), e.g. 3/8", text));
  if (n < 1 || n > sweep::kRows || k < 1 || k > n)
    throw RequestError(fmt::format("--shard {}: needs 1 <= K <= N <= {}", text, sweep::kRows));
  return {k - 1, n};
}

ExhaustivePlan plan_exhaustive(const ExhaustiveRequest& r) {
  ExhaustivePlan plan;
  plan.op = &resolve_op(r.op);
  plan.format = resolve_format(r.dtype);
  const ExhaustiveSpace space = exhaustive_space(*plan.op, plan.format);
  if (space == ExhaustiveSpace::none)
    throw RequestError(fmt::format("--op {} --dtype {}: a gated op on fp32 has 2^64 (gate, up) pairs, too many to "
                                   "sweep; sweep it in bf16 or fp16, or sample it with `report`",
                                   r.op, r.dtype));
  for (const std::string& name : r.kernels.empty() ? std::vector<std::string>{""} : r.kernels) {
    const Kernel& kernel = resolve_kernel(name, *plan.op, plan.format);
    if (space != ExhaustiveSpace::all_16bit_inputs && !sweep::sweepable(kernel, *plan.op, plan.format)) {
      std::string cuda;
      for (const Kernel* k : all_kernels())
        if (sweep::sweepable(*k, *plan.op, plan.format)) cuda += (cuda.empty() ? "" : ", ") + std::string(k->name());
      throw RequestError(fmt::format("--kernel {}: {} of {} runs on the GPU, through a kernel on device memory ({}); {}",
                                     kernel.name(), describe(space, plan.format), plan.op->name,
                                     cuda.empty() ? "this build has none" : cuda,
                                     cuda::device_available() ? "name one with --kernel"
                                                              : "this machine has no GPU: " + cuda::device_description()));
    }
    for (const Kernel* k : plan.kernels)
      if (k == &kernel) throw RequestError(fmt::format("--kernel {}: given twice", kernel.name()));
    plan.kernels.push_back(&kernel);
  }
  if (r.params.empty())
    plan.params = plan.op->checked_params();
  else
    plan.params = {resolve_params(*plan.op, r.params)};
  for (const Params& p : plan.params)
    for (const Kernel* k : plan.kernels)
      if (const std::string why = k->unsupported_params(*plan.op, plan.format, p); !why.empty())
        throw RequestError(fmt::format("--kernel {}: {}", k->name(), why));
  if (!r.shard.empty()) {
    plan.shard = parse_shard(r.shard);
    if (plan.params.size() != 1)
      throw RequestError(fmt::format("--shard {}: a shard covers one parameter set, and {} has {} checked ones; "
                                     "name one with --{} ({})",
                                     r.shard, plan.op->name, plan.params.size(), plan.op->params.front().name,
                                     plan.op->params.front().examples));
    if (plan.kernels.size() != 1)
      throw RequestError(fmt::format("--shard {}: a shard covers one kernel, and {} are given", r.shard,
                                     plan.kernels.size()));
  }
  if (r.rows_per_call < 1 || r.rows_per_call > sweep::kRows)
    throw RequestError(fmt::format("--rows-per-call {}: needs 1 to {}", r.rows_per_call, sweep::kRows));
  plan.rows_per_call = r.rows_per_call;
  return plan;
}

std::vector<ExhaustivePart> run_exhaustive(const ExhaustivePlan& plan, Observer& observer) {
  std::vector<ExhaustivePart> parts;
  const ExhaustiveSpace space = exhaustive_space(*plan.op, plan.format);
  const std::size_t runs = plan.params.size() * plan.kernels.size();
  for (const Params& p : plan.params) {
    const auto tables_start = std::chrono::steady_clock::now();
    const PairTables tables = space == ExhaustiveSpace::all_pairs ? pair_tables(*plan.op, plan.format, p) : PairTables{};
    const double tables_s = seconds_since(tables_start);
    for (const Kernel* kernel : plan.kernels) {
      const std::string label =
          fmt::format("exhaustive [{}/{}] {} {}{} by {}, shard {}", parts.size() + 1, runs, plan.op->name,
                      name(plan.format), p.to_string().empty() ? "" : " " + p.to_string(), kernel->name(),
                      plan.shard.label());
      observer.note(fmt::format("{}: {}", label, describe(space, plan.format)));
      const auto start = std::chrono::steady_clock::now();
      ExhaustiveTimes t;
      parts.push_back(run_exhaustive_part(
          *plan.op, *kernel, plan.format, p, plan.shard,
          [&](std::int64_t done, std::int64_t total) { observer.progress(label, done, total); }, &t,
          plan.rows_per_call, space == ExhaustiveSpace::all_pairs ? &tables : nullptr));
      const sweep::Figures& f = parts.back().figures;
      observer.note(fmt::format("  {} elements in {:.2f} s (oracle tables {:.2f} s, device {:.3f} s: kernel {:.1f} ms, "
                                "check {:.1f} ms; {} settled by the host oracle in {:.2f} s); max {:.4g} ULP, {} breaches",
                                f.totals.count, seconds_since(start), tables_s, t.device_s, t.pass.kernel_ms,
                                t.pass.oracle_ms, f.escalated, t.settle_s, f.totals.max_ulp, f.totals.budget_breaches));
    }
  }
  return parts;
}

ReportResults exhaustive_results(const std::vector<ExhaustivePart>& wholes) {
  ElementwiseReport report;
  for (const ExhaustivePart& w : wholes) report.cases.push_back(exhaustive_case(w));
  ReportResults results;
  results.families.push_back(FamilyReport(std::in_place_type<ElementwiseReport>, std::move(report)));
  results.settings = {0, 0};
  return results;
}

namespace {

using nlohmann::json;

json bucket_list(const std::vector<sweep::BucketFigures>& buckets,
                 const std::vector<std::vector<std::pair<std::uint16_t, std::int64_t>>>& bins) {
  json out = json::array();
  for (std::size_t i = 0; i < buckets.size(); ++i) {
    const sweep::BucketFigures& b = buckets[i];
    if (b.count == 0) continue;
    json dist = json::array();
    for (const auto& [bin, n] : bins[i]) dist.push_back({bin, n});
    out.push_back({{"bucket", i}, {"count", b.count}, {"not_correctly_rounded", b.not_correctly_rounded},
                   {"in_floor", b.in_floor}, {"breaches", b.breaches}, {"max_ulp", b.max_ulp},
                   {"max_ulp_above_floor", b.max_ulp_above_floor}, {"bins", dist}});
  }
  return out;
}

/// Reads `doc[key]` as T, or throws naming where and what.
template <class T>
T field(const json& doc, const char* key, const std::string& where) {
  if (!doc.is_object() || !doc.contains(key)) throw RequestError(fmt::format("{}: missing \"{}\"", where, key));
  try {
    return doc.at(key).get<T>();
  } catch (const json::exception&) {
    throw RequestError(fmt::format("{}: \"{}\" has the wrong type ({})", where, key, doc.at(key).dump()));
  }
}

void read_buckets(const json& list, std::vector<sweep::BucketFigures>& buckets,
                  std::vector<std::vector<std::pair<std::uint16_t, std::int64_t>>>& bins, const std::string& where) {
  if (!list.is_array()) throw RequestError(fmt::format("{}: not an array", where));
  for (std::size_t i = 0; i < list.size(); ++i) {
    const json& b = list[i];
    const std::string at = fmt::format("{}[{}]", where, i);
    const auto k = field<std::size_t>(b, "bucket", at);
    if (k >= buckets.size()) throw RequestError(fmt::format("{}: bucket {} is past the last, {}", at, k, buckets.size() - 1));
    buckets[k] = {field<std::int64_t>(b, "count", at), field<std::int64_t>(b, "not_correctly_rounded", at),
                  field<std::int64_t>(b, "in_floor", at), field<std::int64_t>(b, "breaches", at),
                  field<double>(b, "max_ulp", at), field<double>(b, "max_ulp_above_floor", at)};
    bins[k] = field<std::vector<std::pair<std::uint16_t, std::int64_t>>>(b, "bins", at);
  }
}

}  // namespace

json part_document(const ExhaustivePart& p) {
  const sweep::Figures& f = p.figures;
  const sweep::Totals& t = f.totals;
  json params = json::object();
  if (const ElementwiseOp* op = find_op(p.op))
    for (const ParamSpec& s : op->params) params[std::string(s.name)] = p.params.get(s.name);
  json lists = json::array();
  for (const auto& list : f.lists) {
    json l = json::array();
    for (const sweep::Listed& e : list) l.push_back({e.index, e.got_bits, e.ulp});
    lists.push_back(l);
  }
  json special = json::array(), histogram = json::array();
  for (const sweep::SpecialCell& c : f.special) special.push_back({c.count, c.semantic_differences, c.breaches});
  for (const sweep::HistogramCell& c : f.histogram) histogram.push_back({c.count, c.in_floor});
  return {{"ulpcheck_exhaustive_part", kPartSchema},
          {"op", p.op},
          {"kernel", p.kernel},
          {"dtype", name(p.format)},
          {"params", params},
          {"budget", {{"max_ulp", p.budget.max_ulp}, {"abs_floor", p.budget.abs_floor}}},
          {"shard", {{"index", p.shard.index}, {"count", p.shard.count}}},
          {"rows_per_call", p.rows_per_call},
          {"totals",
           {t.count, t.numeric, t.correctly_rounded, t.off_by_one_ulp, t.in_floor_region, t.above_floor,
            t.correctly_rounded_above_floor, t.budget_breaches, t.semantic_differences, t.semantic_violations}},
          {"max_ulp", {t.max_ulp, t.max_ulp_above_floor}},
          {"special_rules", f.special_rules},
          {"escalated", f.escalated},
          {"input", bucket_list(f.input, f.input_prefix)},
          {"result", bucket_list(f.result, f.result_prefix)},
          {"special", special},
          {"histogram", histogram},
          {"lists", lists}};
}

ExhaustivePart part_from_document(const json& doc, const std::string& where) {
  if (!doc.is_object() || !doc.contains("ulpcheck_exhaustive_part"))
    throw RequestError(fmt::format("{}: not a part of an exhaustive run (`ulpcheck exhaustive --shard K/N` writes them)",
                                   where));
  if (const int v = field<int>(doc, "ulpcheck_exhaustive_part", where); v != kPartSchema)
    throw RequestError(fmt::format("{}: part schema {}, this ulpcheck reads {}", where, v, kPartSchema));
  ExhaustivePart p;
  p.op = field<std::string>(doc, "op", where);
  p.kernel = field<std::string>(doc, "kernel", where);
  const std::optional<Format> f = parse_format(field<std::string>(doc, "dtype", where));
  if (!f) throw RequestError(fmt::format("{}: \"dtype\" is not bf16, fp16 or fp32", where));
  p.format = *f;
  const json params = field<json>(doc, "params", where);
  if (!params.is_object()) throw RequestError(fmt::format("{}: \"params\" is not an object", where));
  for (const auto& [k, v] : params.items()) {
    if (!v.is_number()) throw RequestError(fmt::format("{}: params.{} is not a number", where, k));
    p.params.set(k, v.get<double>());
  }
  const json budget = field<json>(doc, "budget", where), shard = field<json>(doc, "shard", where);
  p.budget = {field<double>(budget, "max_ulp", where + ".budget"), field<double>(budget, "abs_floor", where + ".budget")};
  p.shard = {field<std::int64_t>(shard, "index", where + ".shard"), field<std::int64_t>(shard, "count", where + ".shard")};
  if (p.shard.count < 1 || p.shard.count > sweep::kRows || p.shard.index < -1 || p.shard.index >= p.shard.count)
    throw RequestError(fmt::format("{}: shard {} of {} is not a shard", where, p.shard.index, p.shard.count));
  p.rows_per_call = field<std::int64_t>(doc, "rows_per_call", where);
  sweep::Figures& fig = p.figures;
  const auto totals = field<std::vector<std::int64_t>>(doc, "totals", where);
  const auto maxima = field<std::vector<double>>(doc, "max_ulp", where);
  if (totals.size() != 10 || maxima.size() != 2)
    throw RequestError(fmt::format("{}: \"totals\" needs 10 counts and \"max_ulp\" 2 figures", where));
  sweep::Totals& t = fig.totals;
  std::int64_t* counters[] = {&t.count, &t.numeric, &t.correctly_rounded, &t.off_by_one_ulp, &t.in_floor_region,
                              &t.above_floor, &t.correctly_rounded_above_floor, &t.budget_breaches,
                              &t.semantic_differences, &t.semantic_violations};
  for (std::size_t i = 0; i < 10; ++i) *counters[i] = totals[i];
  t.max_ulp = maxima[0];
  t.max_ulp_above_floor = maxima[1];
  fig.special_rules = field<std::int64_t>(doc, "special_rules", where);
  fig.escalated = field<std::int64_t>(doc, "escalated", where);
  const json input = field<json>(doc, "input", where), result = field<json>(doc, "result", where);
  read_buckets(input, fig.input, fig.input_prefix, where + ".input");
  read_buckets(result, fig.result, fig.result_prefix, where + ".result");
  const auto special = field<std::vector<std::array<std::int64_t, 3>>>(doc, "special", where);
  const auto histogram = field<std::vector<std::array<std::int64_t, 2>>>(doc, "histogram", where);
  if (special.size() != fig.special.size() || histogram.size() != fig.histogram.size())
    throw RequestError(fmt::format("{}: \"special\" needs {} cells and \"histogram\" {} bins", where,
                                   fig.special.size(), fig.histogram.size()));
  for (std::size_t i = 0; i < special.size(); ++i) fig.special[i] = {special[i][0], special[i][1], special[i][2]};
  for (std::size_t i = 0; i < histogram.size(); ++i) fig.histogram[i] = {histogram[i][0], histogram[i][1]};
  const json lists = field<json>(doc, "lists", where);
  if (!lists.is_array() || lists.size() != sweep::kListKinds)
    throw RequestError(fmt::format("{}: \"lists\" needs {} lists", where, static_cast<int>(sweep::kListKinds)));
  for (std::size_t k = 0; k < lists.size(); ++k)
    for (const json& e : lists[k]) {
      if (!e.is_array() || e.size() != 3) throw RequestError(fmt::format("{}: lists[{}] holds a malformed entry", where, k));
      fig.lists[k].push_back({e[0].get<std::int64_t>(), e[1].get<std::uint32_t>(), e[2].get<double>()});
    }
  return p;
}

std::vector<ExhaustivePart> merge_part_groups(const std::vector<ExhaustivePart>& parts) {
  std::vector<std::vector<ExhaustivePart>> groups;
  std::vector<std::string> keys;
  for (const ExhaustivePart& p : parts) {
    const std::string key = fmt::format("{}|{}|{}|{}", p.op, name(p.format), p.params.to_string(), p.kernel);
    const auto at = std::find(keys.begin(), keys.end(), key);
    if (at == keys.end()) {
      keys.push_back(key);
      groups.push_back({p});
    } else {
      groups[static_cast<std::size_t>(at - keys.begin())].push_back(p);
    }
  }
  std::vector<ExhaustivePart> wholes;
  for (auto& g : groups) {
    try {
      wholes.push_back(merge_parts(std::move(g)));
    } catch (const std::invalid_argument& e) {
      throw RequestError(e.what());
    }
  }
  return wholes;
}

}  // namespace ulpcheck
