#include "ulpcheck/runs/routing/report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <tuple>
#include <utility>

#include "ulpcheck/properties/routing/bias_cast.hpp"
#include "ulpcheck/properties/routing/compare.hpp"
#include "ulpcheck/properties/routing/input_rounding.hpp"
#include "ulpcheck/properties/routing/margins.hpp"
#include "ulpcheck/properties/routing/measure.hpp"
#include "ulpcheck/runs/request_error.hpp"

namespace ulpcheck {

namespace {

using Clock = std::chrono::steady_clock;


constexpr const char* kConfigFlag = "--config deepseek_v3";

// --- parsing -------------------------------------------------------------------------------

/// A finite double from the whole of `text`, or nullopt.
std::optional<double> parse_number(const std::string& text) {
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || errno == ERANGE || !std::isfinite(v)) return std::nullopt;
  return v;
}

/// "normal:MEAN,SD" (SD > 0, and draws within ten SD of the mean finite in fp32: past
/// that, every draw is an infinity and nothing is measured) or "bits"; nullopt for
/// anything else.
std::optional<Distribution> parse_distribution(const std::string& text) {
  if (text == "bits") return Distribution::bits();
  if (!text.starts_with("normal:")) return std::nullopt;
  const std::string rest = text.substr(7);
  const auto comma = rest.find(',');
  if (comma == std::string::npos) return std::nullopt;
  const std::optional<double> mean = parse_number(rest.substr(0, comma)), sd = parse_number(rest.substr(comma + 1));
  if (!mean || !sd || !(*sd > 0.0) || !(std::fabs(*mean) + 10.0 * *sd <= 0x1.fffffep127)) return std::nullopt;
  return Distribution::normal(*mean, *sd);
}

RoutingBias resolve_bias(const std::string& text) {
  for (const NamedBias& b : kCheckpointBiases)
    if (text == b.name) return {std::string(b.name), b.distribution};
  if (const std::optional<Distribution> d = parse_distribution(text)) return {d->label(), *d};
  std::string names;
  for (const NamedBias& b : kCheckpointBiases)
    names += fmt::format("{}{} {}", names.empty() ? "" : ", ", b.name, b.distribution.label());
  throw RequestError(fmt::format("--bias {}: no such bias; expected a checkpoint's ({}), normal:MEAN,SD with SD > 0 "
                                 "and |MEAN| + 10 SD within fp32's range, or bits",
                               text, names));
}

/// The routed_scaling_factor a kernel receives: the fp32 value nearest to `text`.
double resolve_scale(const std::string& text) {
  const std::optional<double> v = parse_number(text);
  if (!v) throw RequestError(fmt::format("--scale {}: not a finite number (DeepSeek-V3's is 2.5)", text));
  const auto as_fp32 = static_cast<double>(static_cast<float>(*v));
  if (std::isinf(as_fp32))
    throw RequestError(fmt::format("--scale {}: beyond fp32's largest value 3.40282347e+38", text));
  return as_fp32;
}

/// The flags behind a problem RoutingConfig::validate() names, by the field it starts
/// with: "--topk 300", or "--n-group 8 (from --config deepseek_v3)" for a field not given.
std::string flags_for(const std::string& problem, const RoutingReportOptions& o, const RoutingConfig& c) {
  struct Field {
    const char* prefix;
    std::vector<std::string> flags;
  };
  const auto flag = [&](const char* name, const std::optional<int>& given, int value) {
    return given ? fmt::format("{} {}", name, *given) : fmt::format("{} {} (from {})", name, value, kConfigFlag);
  };
  const std::string experts = flag("--experts", o.experts, c.experts), n_group = flag("--n-group", o.n_group, c.n_group);
  const std::string scale =
      o.scale ? fmt::format("--scale {}", *o.scale) : fmt::format("--scale {} (from {})", c.routed_scaling_factor, kConfigFlag);
  const Field fields[] = {
      {"experts / n_group", {experts, n_group}},
      {"experts", {experts}},
      {"n_group is", {n_group}},
      {"n_group", {n_group, experts}},
      {"topk_group", {flag("--topk-group", o.topk_group, c.topk_group)}},
      {"topk", {flag("--topk", o.topk, c.topk)}},
      {"routed_scaling_factor", {scale}},
  };
  for (const Field& f : fields) {
    if (!problem.starts_with(f.prefix)) continue;
    // The flags given first: they are what the user can change.
    std::vector<std::string> flags = f.flags;
    std::stable_partition(flags.begin(), flags.end(),
                          [](const std::string& s) { return s.find("(from ") == std::string::npos; });
    std::string out;
    for (const std::string& s : flags) out += (out.empty() ? "" : ", ") + s;
    return out;
  }
  return "--config";
}

RoutingConfig resolve_config(const RoutingReportOptions& o) {
  RoutingConfig c = RoutingConfig::deepseek_v3();  // the only named configuration so far
  if (o.experts) c.experts = *o.experts;
  if (o.n_group) c.n_group = *o.n_group;
  if (o.topk_group) c.topk_group = *o.topk_group;
  if (o.topk) c.topk = *o.topk;
  if (o.scoring) c.scoring = *o.scoring == "softmax" ? Scoring::softmax : Scoring::sigmoid;
  if (o.no_renormalize) c.renormalize = false;
  if (o.scale) c.routed_scaling_factor = resolve_scale(*o.scale);
  if (const std::string problem = c.validate(); !problem.empty())
    throw RequestError(fmt::format("{}: {}", flags_for(problem, o, c), problem));
  return c;
}

// --- measuring -----------------------------------------------------------------------------

using FormatPair = std::pair<Format, Format>;

/// The (logits, bias) pairs of the kernel cases: the bias in fp32, as checkpoints store it,
/// and in the logits' format, as engines that cast it to the gate's dtype use it.
std::vector<FormatPair> case_pairs(Format logits) {
  if (logits == Format::fp32) return {{logits, logits}};
  return {{logits, Format::fp32}, {logits, logits}};
}

std::string pair_text(FormatPair p) { return fmt::format("{} logits, {} bias", name(p.first), name(p.second)); }

struct PendingBatch {
  std::size_t logits_index, bias_index, bias_order;
  RoutingBatchResult batch;
};

}  // namespace

std::vector<std::string> RoutingReportOptions::given() const {
  std::vector<std::string> out;
  if (config) out.push_back("--config " + *config);
  const auto add = [&](const char* flag, const std::optional<int>& v) {
    if (v) out.push_back(fmt::format("{} {}", flag, *v));
  };
  add("--experts", experts);
  add("--n-group", n_group);
  add("--topk-group", topk_group);
  add("--topk", topk);
  if (scoring) out.push_back("--scoring " + *scoring);
  if (no_renormalize) out.push_back("--no-renormalize");
  if (scale) out.push_back("--scale " + *scale);
  if (logits) out.push_back("--logits " + *logits);
  for (const std::string& b : biases) out.push_back("--bias " + b);
  if (no_precision_study) out.push_back("--no-precision-study");
  return out;
}

RoutingReportPlan plan_routing(const RoutingReportOptions& o, std::vector<Format> logits_formats,
                               std::vector<const RoutingKernel*> kernels, std::int64_t tokens,
                               std::uint64_t seed) {
  RoutingReportPlan p;
  p.config = resolve_config(o);
  if (o.logits) {
    const std::optional<Distribution> d = parse_distribution(*o.logits);
    if (!d) throw RequestError(fmt::format("--logits {}: expected normal:MEAN,SD with SD > 0 and |MEAN| + 10 SD within "
                                           "fp32's range (the default is normal:0,2) or bits",
                                         *o.logits));
    p.logits = *d;
  } else {
    p.logits = Distribution::normal(0.0, 2.0);
  }
  for (const std::string& b : o.biases) {
    RoutingBias r = resolve_bias(b);
    const bool seen = std::any_of(p.biases.begin(), p.biases.end(), [&](const RoutingBias& x) { return x.name == r.name; });
    if (!seen) p.biases.push_back(std::move(r));
  }
  if (p.biases.empty())
    for (const NamedBias& b : kCheckpointBiases) p.biases.push_back({std::string(b.name), b.distribution});
  if (tokens > kMaxRoutingTokens)
    throw RequestError(fmt::format("--samples {}: {} takes at most {} tokens per batch", tokens, kRoutingOpName,
                                 kMaxRoutingTokens));
  p.logits_formats = std::move(logits_formats);
  p.kernels = std::move(kernels);
  p.tokens = tokens;
  p.seed = seed;
  p.precision_study = !o.no_precision_study;
  return p;
}

RoutingReport run_family_report(const RoutingReportPlan& p, Observer& observer) {
  const RoutingConfig& c = p.config;
  // The study routes with the reference arithmetic on the host, where it always runs.
  const RoutingKernel& study_kernel = *find_routing_kernel("host.routing_fp32");
  RoutingReport run;
  std::vector<PendingBatch> batches;
  PrecisionStudy study{std::string(study_kernel.name()), kBiasCastCallTokens, {}};
  const RoutingOracleOptions oracle_options{};
  const auto start = Clock::now();

  for (std::size_t bi = 0; bi < p.biases.size(); ++bi) {
    const RoutingBias& bias = p.biases[bi];
    const std::string bias_text = bias.name == bias.distribution.label()
                                      ? bias.name
                                      : fmt::format("{} {}", bias.name, bias.distribution.label());
    auto step = Clock::now();
    const RoutingInputs fp32 =
        routing_batch(c, Format::fp32, Format::fp32, p.tokens, p.logits, bias.distribution, p.seed);
    RoutingOracleCounts truth_counts;
    const std::vector<TokenRouting> truth = route_exact(c, fp32, oracle_options, &truth_counts);
    observer.note(fmt::format("report {} [bias {}/{}] {}: oracle on {} fp32 tokens ({:.2f} s)", kRoutingOpName, bi + 1,
               p.biases.size(), bias_text, p.tokens, seconds_since(step)));

    // Every (logits, bias) pair this distribution needs: the study's grid, then the kernel
    // cases'; each is rounded from the fp32 batch and routed by the oracle once.
    std::vector<FormatPair> pairs;
    const auto add = [&](FormatPair f) {
      if (std::find(pairs.begin(), pairs.end(), f) == pairs.end()) pairs.push_back(f);
    };
    if (p.precision_study)
      for (const FormatPair& f : input_rounding_grid()) add(f);
    for (Format f : p.logits_formats)
      for (const FormatPair& pair : case_pairs(f)) add(pair);

    PrecisionStudyBias study_bias{bias.name, bias.distribution.label(), {}, {}, {}};
    std::map<FormatPair, RoutingOutputs> study_outputs;
    for (const FormatPair& pair : pairs) {
      step = Clock::now();
      const bool fp32_pair = pair == FormatPair{Format::fp32, Format::fp32};
      const RoutingInputs inputs = fp32_pair ? fp32 : rounded_to(fp32, pair.first, pair.second);
      RoutingOracleCounts counts = truth_counts;
      std::vector<TokenRouting> rounded_answers;
      if (!fp32_pair) {
        counts = {};
        rounded_answers = route_exact(c, inputs, oracle_options, &counts);
      }
      const std::vector<TokenRouting>& answers = fp32_pair ? truth : rounded_answers;
      const double oracle_seconds = fp32_pair ? 0.0 : seconds_since(step);

      const auto logits_at = std::find(p.logits_formats.begin(), p.logits_formats.end(), pair.first);
      const std::vector<FormatPair> cases = logits_at == p.logits_formats.end() ? std::vector<FormatPair>{}
                                                                                 : case_pairs(pair.first);
      const auto case_at = std::find(cases.begin(), cases.end(), pair);
      const bool study_pair = p.precision_study && std::find(input_rounding_grid().begin(), input_rounding_grid().end(),
                                                             pair) != input_rounding_grid().end();
      if (case_at != cases.end()) {
        observer.note(fmt::format("  {}: oracle {:.2f} s", pair_text(pair), oracle_seconds));
        std::vector<RoutingCaseResult> case_results;
        for (const RoutingKernel* k : p.kernels) {
          const auto kernel_start = Clock::now();
          SkippedCase skip{std::string(kRoutingOpName), fmt::format("{}+{}", name(pair.first), name(pair.second)),
                           fmt::format("{}; bias {}", c.label(), bias_text), std::string(k->name()), {}, false};
          const std::optional<RoutingClaim> claim = k->claim(c, pair.first, pair.second);
          if (!claim) {
            skip.reason = fmt::format("does not take {} with {}", c.label(), pair_text(pair));
            run.skipped.push_back(std::move(skip));
            continue;
          }
          RoutingOutputs outputs;
          try {
            outputs = run_routing_kernel(*k, c, inputs);
          } catch (const KernelError& e) {
            skip.reason = reason_not_run(e, p.named_kernels, k->name());
            observer.note(fmt::format("    {}: did not run: {}", k->name(), skip.reason));
            skip.did_not_run = true;
            run.skipped.push_back(std::move(skip));
            continue;
          }
          const RoutingStats stats = compare_routing(c, *claim, inputs, answers, outputs);
          case_results.push_back({k, *claim, stats, margins_within_band(c, *claim, inputs, answers)});
          observer.note(fmt::format("    {}: {}, {} routing errors, {} near-ties, max weight {:.4g} ULP ({:.2f} s)",
                     k->name(), stats.passes() ? "PASS" : "FAIL", stats.mismatches, stats.near_ties,
                     stats.max_weight_ulp, seconds_since(kernel_start)));
          if (k == &study_kernel && study_pair) study_outputs[pair] = std::move(outputs);
        }
        const RoutingBatchInfo info{pair.first, pair.second, bias.name, bias.distribution.label(), p.tokens};
        batches.push_back({static_cast<std::size_t>(logits_at - p.logits_formats.begin()), bi,
                           static_cast<std::size_t>(case_at - cases.begin()),
                           {info, counts, margin_histogram(answers), std::move(case_results)}});
      }
      if (study_pair) {
        if (!study_outputs.count(pair)) study_outputs[pair] = run_routing_kernel(study_kernel, c, inputs);
        study_bias.cells.push_back(input_rounding_cell(c, truth, pair.first, pair.second, answers, study_outputs[pair]));
        if (case_at == cases.end())
          observer.note(fmt::format("  study, {}: oracle {:.2f} s, expert sets differ from the fp32 truth on {} (oracle) and "
                             "{} ({}) tokens",
                     pair_text(pair), oracle_seconds, study_bias.cells.back().oracle.differ,
                     study_bias.cells.back().kernel.differ, study_kernel.name()));
      }
    }
    if (!p.precision_study) continue;

    // The cells in the grid's order, whatever order the pairs ran in.
    std::vector<InputRoundingCell> cells;
    for (const FormatPair& f : input_rounding_grid())
      for (const InputRoundingCell& cell : study_bias.cells)
        if (cell.logits == f.first && cell.bias == f.second) cells.push_back(cell);
    study_bias.cells = std::move(cells);
    // A call with the bias in fp32 against one with it in bf16: the kernel's outputs on the
    // grid's pairs, so no run is repeated.
    for (Format logits : {Format::fp32, Format::bf16})
      study_bias.flips.emplace_back(logits, expert_sets_differ(study_outputs.at({logits, Format::fp32}),
                                                               study_outputs.at({logits, Format::bf16}), c.topk));
    step = Clock::now();
    study_bias.bias_cast.push_back(compare_bias_cast(study_kernel, c, fp32, Format::bf16,
                                                     [](std::int64_t) { return Format::bf16; }, kBiasCastCallTokens));
    study_bias.bias_cast.push_back(compare_bias_cast(
        study_kernel, c, fp32, Format::bf16,
        [](std::int64_t call) { return call % 2 == 0 ? Format::fp32 : Format::bf16; }, kBiasCastCallTokens));
    const BiasCastComparison& alternating = study_bias.bias_cast.back();
    observer.note(fmt::format("  bias cast once and per call: {} with a steady target; alternating fp32/bf16, {} of {} "
                       "tokens change experts ({:.2f} s)",
               study_bias.bias_cast.front().bit_identical() ? "bit-identical" : "DIFFERENT",
               alternating.sets_differ(), alternating.tokens(), seconds_since(step)));
    study.biases.push_back(std::move(study_bias));
  }

  std::stable_sort(batches.begin(), batches.end(), [](const PendingBatch& a, const PendingBatch& b) {
    return std::tie(a.logits_index, a.bias_index, a.bias_order) < std::tie(b.logits_index, b.bias_index, b.bias_order);
  });
  std::int64_t cases = 0;
  for (PendingBatch& b : batches) {
    cases += static_cast<std::int64_t>(b.batch.cases.size());
    run.batches.push_back(std::move(b.batch));
  }
  run.config = c;
  run.logits = p.logits.label();
  run.tokens = p.tokens;
  run.seed = p.seed;
  if (p.precision_study) run.precision_study = std::move(study);
  observer.note(fmt::format("report {}: {} cases in {:.1f} s", kRoutingOpName, cases, seconds_since(start)));
  return run;
}

}  // namespace ulpcheck
