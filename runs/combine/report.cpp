#include "ulpcheck/runs/combine/report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdlib>

#include "ulpcheck/device/cuda/runtime.hpp"
#include "ulpcheck/properties/combine/compare.hpp"
#include "ulpcheck/properties/combine/gen.hpp"
#include "ulpcheck/runs/request_error.hpp"
#include "ulpcheck/runs/resolve.hpp"

namespace ulpcheck {

namespace {

using Clock = std::chrono::steady_clock;

/// DeepSeek-V3's placement, the config the flags override.
CombineConfig deepseek_v3_combine() { return CombineConfig{.topk = 8, .hidden = 256, .routed_scaling_factor = 2.5}; }

/// The factor a kernel receives: the fp32 value nearest to `text`.
double resolve_combine_factor(const std::string& text) {
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || errno == ERANGE || !std::isfinite(v))
    throw RequestError(
        fmt::format("--routed-scaling-factor {}: not a finite number (DeepSeek-V3's is 2.5, V2's 16)", text));
  const auto as_fp32 = static_cast<double>(static_cast<float>(v));
  if (std::isinf(as_fp32))
    throw RequestError(fmt::format("--routed-scaling-factor {}: beyond fp32's largest value 3.40282347e+38", text));
  return as_fp32;
}

/// The flag behind a problem CombineConfig::validate() names, by the field it starts with;
/// a field not given is named with the value it took from the default config.
std::string combine_flag_for(const std::string& problem, const CombineReportOptions& o, const CombineConfig& c) {
  const auto flag = [](const char* name, const auto& given, const auto& value) {
    return given ? fmt::format("{} {}", name, *given) : fmt::format("{} {} (the default)", name, value);
  };
  if (problem.starts_with("topk")) return flag("--topk", o.topk, c.topk);
  if (problem.starts_with("hidden")) return flag("--hidden", o.hidden, c.hidden);
  return flag("--routed-scaling-factor", o.routed_scaling_factor, c.routed_scaling_factor);
}

/// The MoE block in format f on the default backend: the CUDA pipeline with a GPU (or why it
/// cannot run there), the host one without.
MoeBlockReport run_moe_block(Format f, std::uint64_t seed, Observer& observer) {
  MoeBlockConfig config;
  config.format = f;
  config.seed = seed;
  const bool gpu = cuda::device_available();
  MoePipelineChoice choice = gpu ? cuda_moe_pipeline() : MoePipelineChoice{host_moe_pipeline(), {}};
  if (!choice.pipeline) {
    observer.note(fmt::format("report {} {}: not measured on the GPU: {}", kMoeBlockOpName, name(f), choice.unavailable));
    return unmeasured_moe_block(config, "cuda", choice.unavailable);
  }
  auto step = Clock::now();
  const MoeBlockInputs inputs = generate_moe_block_inputs(config);
  const MoeBlockExact chain = moe_block_exact(config, inputs);
  const MoeStageExact stages = moe_stage_exact(config, inputs, chain);
  observer.note(fmt::format("report {} {}: exact chains of {} ({:.1f} s)", kMoeBlockOpName, name(f), config.label(),
                            seconds_since(step)));
  step = Clock::now();
  MoeBlockReport r = attribute_moe_block(config, inputs, chain, stages, *choice.pipeline);
  observer.note(fmt::format("    {} pipeline: {} ({:.1f} s)", choice.pipeline->name,
                            r.own_within_claims() ? "every stage within its claim" : "a stage outside its claim",
                            seconds_since(step)));
  return r;
}

}  // namespace

bool owns_op(CombineFamily, std::string_view op) { return op == kCombineOpName || op == kMoeBlockOpName; }

std::vector<std::string> op_names_of(CombineFamily) {
  return {std::string(kCombineOpName), std::string(kMoeBlockOpName)};
}

std::vector<CombineConfig> default_combine_configs() {
  return {deepseek_v3_combine(), CombineConfig{.topk = 6, .hidden = 256, .routed_scaling_factor = 16.0},
          CombineConfig{.topk = 2, .hidden = 256, .routed_scaling_factor = 1.0}};
}

std::vector<std::string> CombineReportOptions::given() const {
  std::vector<std::string> out;
  if (topk) out.push_back(fmt::format("--topk {}", *topk));
  if (hidden) out.push_back(fmt::format("--hidden {}", *hidden));
  if (tokens) out.push_back(fmt::format("--tokens {}", *tokens));
  if (routed_scaling_factor) out.push_back("--routed-scaling-factor " + *routed_scaling_factor);
  return out;
}

CombinePlan plan_combine(const CombineReportOptions& o, std::vector<Format> formats,
                         std::vector<const CombineKernel*> kernels, std::uint64_t seed) {
  CombinePlan p;
  if (o.topk || o.hidden || o.routed_scaling_factor) {
    CombineConfig c = deepseek_v3_combine();
    if (o.topk) c.topk = *o.topk;
    if (o.hidden) c.hidden = *o.hidden;
    if (o.routed_scaling_factor) c.routed_scaling_factor = resolve_combine_factor(*o.routed_scaling_factor);
    if (const std::string problem = c.validate(); !problem.empty())
      throw RequestError(fmt::format("{}: {}", combine_flag_for(problem, o, c), problem));
    p.configs.push_back(c);
  } else {
    p.configs = default_combine_configs();
  }
  p.tokens = o.tokens.value_or(kDefaultCombineTokens);
  if (p.tokens < 1 || p.tokens > kMaxCombineTokens)
    throw RequestError(fmt::format("--tokens {}: {} takes 1 to {} tokens per batch", p.tokens, kCombineOpName,
                                   kMaxCombineTokens));
  for (const CombineConfig& c : p.configs)
    if (const std::int64_t values = p.tokens * c.topk * c.hidden; values > kMaxCombineRoutedValues)
      throw RequestError(fmt::format("--tokens {}: {} tokens x topk {} x hidden {} is {} routed outputs, more than the "
                                     "{} a batch holds; give fewer --tokens",
                                     p.tokens, p.tokens, c.topk, c.hidden, values, kMaxCombineRoutedValues));
  p.formats = std::move(formats);
  p.kernels = std::move(kernels);
  p.seed = seed;
  return p;
}

CombineReport run_family_report(const CombinePlan& p, Observer& observer) {
  CombineReport run;
  run.tokens = p.tokens;
  run.seed = p.seed;
  run.inputs = std::string(kCombineInputsText);
  const auto start = Clock::now();
  std::size_t cases = 0, batch_number = 0;
  const std::size_t batches = p.formats.size() * p.configs.size();
  for (Format f : p.formats)
    for (const CombineConfig& c : p.configs) {
      ++batch_number;
      auto step = Clock::now();
      const CombineInputs inputs = combine_inputs(c, f, p.tokens, p.seed);
      const CombineExact exact = combine_exact(c, inputs);
      observer.note(fmt::format("report {} [{}/{}] {} {}: exact sums of {} elements ({:.2f} s)", kCombineOpName,
                                batch_number, batches, name(f), c.label(), p.tokens * c.hidden, seconds_since(step)));
      CombineBatchResult batch{c, f, p.tokens, {}};
      for (const CombineKernel* k : p.kernels) {
        step = Clock::now();
        SkippedCase skip{std::string(kCombineOpName), std::string(name(f)), c.label(), std::string(k->name()), {}, false};
        const std::optional<CombineClaim> claim = k->claim(c, f);
        if (!claim) {
          skip.reason = fmt::format("does not take {} {}", name(f), c.label());
          run.skipped.push_back(std::move(skip));
          continue;
        }
        std::vector<std::uint32_t> out;
        try {
          out = run_combine_kernel(*k, c, inputs);
        } catch (const KernelError& e) {
          skip.reason = reason_not_run(e, p.named_kernels, k->name());
          observer.note(fmt::format("    {}: did not run: {}", k->name(), skip.reason));
          skip.did_not_run = true;
          run.skipped.push_back(std::move(skip));
          continue;
        }
        CombineCaseResult r{k, *claim, compare_combine(c, *claim, inputs, exact, out), {}};
        if (!r.stats.passes()) {
          const ElementReport& first = r.stats.first_failure();
          r.failure = explain_combine_element(c, *claim, inputs, exact, out, first.row, first.col);
        }
        observer.note(fmt::format("    {}: {}, max {:.4g} ULP ({:.4g} outside the floor), {} breaches ({:.2f} s)",
                                  k->name(), r.stats.passes() ? "PASS" : "FAIL", r.stats.max_ulp,
                                  r.stats.max_ulp_above_floor, r.stats.budget_breaches + r.stats.semantic_violations,
                                  seconds_since(step)));
        batch.cases.push_back(std::move(r));
        ++cases;
      }
      run.batches.push_back(std::move(batch));
    }
  if (!p.configs.empty())
    observer.note(fmt::format("report {}: {} cases in {:.1f} s", kCombineOpName, cases, seconds_since(start)));
  if (p.block)
    for (Format f : p.formats) run.blocks.push_back(run_moe_block(f, p.seed, observer));
  return run;
}

}  // namespace ulpcheck
