#include "ulpcheck/runs/report.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "ulpcheck/device/cuda/runtime.hpp"
#include "ulpcheck/device/registry.hpp"
#include "ulpcheck/properties/inputs.hpp"
#include "ulpcheck/reference/registry.hpp"
#include "ulpcheck/reference/routing.hpp"
#include "ulpcheck/runs/request_error.hpp"
#include "ulpcheck/support/memory.hpp"

namespace ulpcheck {

namespace {

/// The kernels that run here on the default backend: the CUDA ones with a GPU, the host
/// ones without, and every plugin kernel.
std::vector<const Kernel*> default_backend_kernels() {
  const bool gpu = cuda::device_available();
  std::vector<const Kernel*> out;
  for (const Kernel* k : all_kernels()) {
    const bool is_cuda = k->name().starts_with("cuda."), is_host = k->name().starts_with("host.");
    if ((is_cuda && !gpu) || (is_host && gpu)) continue;
    out.push_back(k);
  }
  return out;
}

/// The routing kernels that run here on the default backend, like default_backend_kernels.
std::vector<const RoutingKernel*> default_backend_routing_kernels() {
  const bool gpu = cuda::device_available();
  std::vector<const RoutingKernel*> out;
  for (const RoutingKernel* k : all_routing_kernels())
    if (k->name().starts_with("cuda.") == gpu) out.push_back(k);
  return out;
}

/// The combine kernels that run here on the default backend, like default_backend_kernels.
std::vector<const CombineKernel*> default_backend_combine_kernels() {
  const bool gpu = cuda::device_available();
  std::vector<const CombineKernel*> out;
  for (const CombineKernel* k : all_combine_kernels())
    if (k->name().starts_with("cuda.") == gpu) out.push_back(k);
  return out;
}

/// The reference arithmetic on the default backend: cuda.routing_fp32 with a GPU.
const RoutingKernel* default_routing_kernel() {
  const RoutingKernel* cuda = cuda::device_available() ? find_routing_kernel("cuda.routing_fp32") : nullptr;
  return cuda ? cuda : find_routing_kernel("host.routing_fp32");
}

std::vector<Format> resolve_formats(const std::vector<std::string>& names) {
  std::vector<Format> out;
  auto add = [&](Format f) {
    if (std::find(out.begin(), out.end(), f) == out.end()) out.push_back(f);
  };
  for (const std::string& n : names) {
    if (n == "all") {
      for (Format f : all_formats()) add(f);
      continue;
    }
    const std::optional<Format> f = parse_format(n);
    if (!f) throw RequestError(fmt::format("--dtype {}: no such dtype; expected bf16, fp16, fp32 or all", n));
    add(*f);
  }
  if (out.empty()) out.push_back(Format::bf16);
  return out;
}

/// Host memory a sampled elementwise case takes per element (inputs, outputs, the oracle's
/// answers, the per-element figures): 82 bytes, measured as the growth of the maximum
/// resident size from 2 to 8 million samples of a gated op in fp32, the widest case.
constexpr std::uint64_t kBytesPerSample = 82;

/// A sample count the process's memory cannot hold is refused before anything is allocated.
void refuse_beyond_memory(const ReportRequest& o, std::int64_t samples) {
  const double need = static_cast<double>(samples) * kBytesPerSample, have = static_cast<double>(usable_memory_bytes());
  if (need <= have) return;
  const std::string asked = o.samples ? fmt::format("--samples {}", samples)
                                      : fmt::format("--tokens x --d ({} elements)", samples);
  throw RequestError(fmt::format("{}: a sampled case holds about {:.1f} GiB ({} bytes per element), more than the "
                                 "{:.1f} GiB this process may use (physical memory, ulimit -v and -d); give fewer",
                                 asked, need / (1 << 30), kBytesPerSample, have / (1 << 30)));
}

/// The one call --tokens and --d ask for, checked against the cases and --samples (and
/// p.samples set to its element count).
Batch plan_layout(const ReportRequest& o, ElementwiseReportPlan& p, bool elementwise_sampled, bool routing_measured) {
  const std::string given = o.tokens && o.d ? fmt::format("--tokens {} --d {}", *o.tokens, *o.d)
                            : o.tokens      ? fmt::format("--tokens {}", *o.tokens)
                                            : fmt::format("--d {}", *o.d);
  if (!elementwise_sampled) {
    if (p.groups.empty() && routing_measured)
      throw RequestError(fmt::format("{}: lays out the random inputs of elementwise ops, which this report does not "
                                   "cover; {} takes its tokens per batch from --samples",
                                   given, kRoutingOpName));
    throw RequestError(fmt::format("{}: every selected elementwise case is checked on all 65536 inputs of its dtype, in "
                                 "the default calls; drop {}",
                                 given, o.tokens && o.d ? "--tokens and --d" : o.tokens ? "--tokens" : "--d"));
  }
  if (o.tokens && o.d) {
    // Each is at most 2^32 (CLI::Range), so the quotient is exact and the product cannot
    // overflow once it passes.
    if (*o.tokens > kMaxSamples / *o.d)
      throw RequestError(
          fmt::format("{}: {} x {} elements is more than the 2^32 a report takes", given, *o.tokens, *o.d));
    const std::int64_t n = *o.tokens * *o.d;
    if (o.samples && *o.samples != n)
      throw RequestError(fmt::format("--samples {} conflicts with {} ({} x {} = {} elements); drop --samples, or give "
                                   "--samples {}",
                                   *o.samples, given, *o.tokens, *o.d, n, n));
    p.samples = n;
    return {*o.tokens, *o.d};
  }
  const std::int64_t given_value = o.tokens ? *o.tokens : *o.d;
  const std::string samples_text =
      o.samples ? fmt::format("--samples {}", p.samples) : fmt::format("--samples {} (the default)", p.samples);
  if (p.samples % given_value != 0)
    throw RequestError(fmt::format("{}: {} is not a multiple of {}; give {} too, or --samples a multiple of {}", given,
                                 samples_text, given_value, o.tokens ? "--d" : "--tokens", given_value));
  return o.tokens ? Batch{*o.tokens, p.samples / *o.tokens} : Batch{p.samples / *o.d, *o.d};
}

}  // namespace

ReportPlan plan_report(const ReportRequest& o) {
  std::vector<const ElementwiseOp*> ops;
  bool routing_named = false, combine_named = false, block_named = false;
  for (const std::string& n : o.ops) {
    if (n == kRoutingOpName) {
      routing_named = true;
      continue;
    }
    if (n == kCombineOpName || n == kMoeBlockOpName) {
      (n == kCombineOpName ? combine_named : block_named) = true;
      continue;
    }
    if (const ElementwiseOp* op = &resolve_op(n); std::find(ops.begin(), ops.end(), op) == ops.end()) ops.push_back(op);
  }
  const bool ops_named = !o.ops.empty();
  if (!ops_named) ops.assign(all_ops().begin(), all_ops().end());
  const bool routing = !ops_named || routing_named;
  const bool combine = !ops_named || combine_named || block_named;
  if (const std::vector<std::string> given = o.routing.given(); !routing && !given.empty()) {
    // --topk is the combine's too.
    const bool combine_takes = combine && given.front().starts_with("--topk");
    if (!combine_takes)
      throw RequestError(fmt::format("{}: only {} takes it, and this report does not cover that op; add --op {}",
                                     given.front(), kRoutingOpName, kRoutingOpName));
  }
  for (const std::string& given : o.combine.given()) {
    const bool shared = given.starts_with("--topk") ? routing : given.starts_with("--tokens");
    if (!combine && !shared)
      throw RequestError(fmt::format("{}: only {} takes it, and this report does not cover that op; add --op {}", given,
                                     kCombineOpName, kCombineOpName));
  }
  if (!o.params.empty() && ops.empty()) {
    const auto& [param, text] = *o.params.begin();
    throw RequestError(param_not_taken(kRoutingOpName, param, text));
  }
  const std::vector<Format> formats = resolve_formats(o.dtypes);

  // Named kernels (or "all"); empty means the default of each (op, dtype).
  std::vector<const Kernel*> named;
  std::vector<const RoutingKernel*> named_routing;
  std::vector<const CombineKernel*> named_combine;
  bool all_kernels_asked = !ops_named && o.kernels.empty();
  for (const std::string& n : o.kernels) {
    if (n == "all") {
      all_kernels_asked = true;
      continue;
    }
    if (const RoutingKernel* r = find_routing_kernel(n)) {
      if (!routing)
        throw RequestError(fmt::format("--kernel {} implements {} only, which this report does not cover; add --op {}", n,
                                     kRoutingOpName, kRoutingOpName));
      if (std::find(named_routing.begin(), named_routing.end(), r) == named_routing.end()) named_routing.push_back(r);
      continue;
    }
    if (const CombineKernel* c = find_combine_kernel(n)) {
      if (!combine)
        throw RequestError(fmt::format("--kernel {} implements {} only, which this report does not cover; add --op {}", n,
                                       kCombineOpName, kCombineOpName));
      if (std::find(named_combine.begin(), named_combine.end(), c) == named_combine.end()) named_combine.push_back(c);
      continue;
    }
    const Kernel* k = find_kernel(n);
    if (!k)
      throw RequestError(fmt::format("--kernel {}: no such kernel; expected one of {}, or all (see 'ulpcheck list')", n,
                                   kernel_names()));
    if (std::find(named.begin(), named.end(), k) == named.end()) named.push_back(k);
  }
  if (all_kernels_asked) {
    for (const Kernel* k : default_backend_kernels())
      if (std::find(named.begin(), named.end(), k) == named.end()) named.push_back(k);
    for (const RoutingKernel* k : default_backend_routing_kernels())
      if (std::find(named_routing.begin(), named_routing.end(), k) == named_routing.end()) named_routing.push_back(k);
    for (const CombineKernel* k : default_backend_combine_kernels())
      if (std::find(named_combine.begin(), named_combine.end(), k) == named_combine.end()) named_combine.push_back(k);
  }
  const bool kernels_named = !o.kernels.empty();

  // A named kernel must implement at least one selected (op, dtype).
  if (kernels_named)
    for (const Kernel* k : named) {
      bool any = false;
      for (const ElementwiseOp* op : ops)
        for (Format f : formats) any = any || k->supports(*op, f);
      if (any || all_kernels_asked) continue;
      if (ops.empty())
        throw RequestError(fmt::format("--kernel {} implements elementwise ops, not {}; 'ulpcheck list' shows the routing "
                                     "kernels",
                                     k->name(), kRoutingOpName));
      if (ops.size() == 1 && formats.size() == 1 && !routing)
        throw RequestError(fmt::format("--kernel {} does not implement {} in {}; 'ulpcheck list' shows what each kernel "
                                     "implements",
                                     k->name(), ops[0]->name, name(formats[0])));
      throw RequestError(fmt::format("--kernel {} implements none of the selected ops in the selected dtypes; 'ulpcheck "
                                   "list' shows what each kernel implements",
                                   k->name()));
    }

  ElementwiseReportPlan p;
  std::vector<SkippedCase> skipped;
  for (Format f : formats)
    for (const ElementwiseOp* op : ops) {
      std::vector<Params> param_sets;
      if (o.params.empty())
        param_sets = op->checked_params();
      else if (takes_params(*op, o.params) || ops_named)
        param_sets = {resolve_params(*op, o.params)};  // names the flag when the op does not take it
      else
        param_sets = {op->default_params()};
      for (const Params& params : param_sets) {
        ElementwiseGroup g{op, f, params, {}};
        std::vector<const Kernel*> kernels = named;
        // Routing kernels alone named: the elementwise ops have none.
        if (kernels.empty() && !kernels_named) kernels.push_back(&resolve_kernel("", *op, f));
        for (const Kernel* k : kernels) {
          SkippedCase skip{std::string(op->name), std::string(name(f)), params.label(), std::string(k->name()), {},
                           false};
          if (!k->supports(*op, f)) {
            // Only a kernel asked for by name is worth a line: "all" means "those that apply".
            if (kernels_named && std::find(o.kernels.begin(), o.kernels.end(), k->name()) != o.kernels.end()) {
              skip.reason = fmt::format("does not implement {} in {}", op->name, name(f));
              skipped.push_back(skip);
            }
            continue;
          }
          if (const std::string why = k->unsupported_params(*op, f, params); !why.empty()) {
            // One case asked for exactly (op, dtype, kernel and parameters named) cannot be run:
            // say so. In a report of many cases it is one line among them.
            if (!o.params.empty() && !all_kernels_asked && named.size() == 1 && ops_named && ops.size() == 1 &&
                formats.size() == 1 && !routing)
              throw RequestError(fmt::format("--kernel {}: {}", k->name(), why));
            skip.reason = why;
            skipped.push_back(skip);
            continue;
          }
          g.kernels.push_back(k);
        }
        p.cases += g.kernels.size();
        if (!g.kernels.empty()) p.groups.push_back(std::move(g));
      }
    }
  std::vector<const RoutingKernel*> routing_kernels = named_routing;
  if (routing && routing_kernels.empty() && !kernels_named) routing_kernels.push_back(default_routing_kernel());
  const bool routing_measured = routing && !routing_kernels.empty();
  // No combine kernel named: every one of the default backend (the placements are the point).
  std::vector<const CombineKernel*> combine_kernels = named_combine;
  if (combine && combine_kernels.empty() && !kernels_named) combine_kernels = default_backend_combine_kernels();
  const bool combine_measured = combine && !combine_kernels.empty();
  if (p.groups.empty() && !routing_measured && !combine_measured)
    throw RequestError("nothing to report: no selected kernel implements the selected ops and dtypes");

  const bool elementwise_sampled = std::any_of(p.groups.begin(), p.groups.end(),
                                               [](const ElementwiseGroup& g) { return !checks_every_input(*g.op, g.format); });
  if (o.samples && !elementwise_sampled && !routing_measured) {
    if (combine_measured && p.groups.empty())
      throw RequestError(fmt::format("--samples {}: {} takes its tokens per batch from --tokens; drop --samples",
                                     *o.samples, kCombineOpName));
    const ElementwiseGroup& g = p.groups.front();
    if (p.groups.size() == 1)
      throw RequestError(fmt::format("--samples {}: {} in {} is checked on all 65536 inputs; drop --samples", *o.samples,
                                   g.op->name, name(g.format)));
    throw RequestError(fmt::format("--samples {}: every selected case is checked on all 65536 inputs of its dtype; drop "
                                 "--samples",
                                 *o.samples));
  }
  p.samples = o.samples.value_or(kDefaultSamples);
  // --tokens alone, without sampled elementwise cases, is the combine's batch size.
  const bool tokens_for_combine = combine_measured && !elementwise_sampled && o.tokens && !o.d;
  if ((o.tokens || o.d) && !tokens_for_combine)
    p.layout = plan_layout(o, p, elementwise_sampled, routing_measured);
  else if (elementwise_sampled && p.samples > 1000 && p.samples % 1000 != 0)
    throw RequestError(fmt::format("--samples {}: above 1000, give a multiple of 1000 (rows of 1000 elements)", p.samples));
  if (elementwise_sampled) refuse_beyond_memory(o, p.samples);
  ReportPlan out;
  out.skipped = std::move(skipped);
  p.seed = o.seed;
  p.named_kernels = o.kernels;
  out.settings = {o.seed, p.samples};
  if (!p.groups.empty()) out.families.push_back(std::move(p));
  if (routing_measured) {
    RoutingReportPlan r =
        plan_routing(o.routing, formats, routing_kernels, o.samples.value_or(kDefaultRoutingTokens), o.seed);
    r.named_kernels = o.kernels;
    // A report of routing alone records its token count as the samples.
    if (out.families.empty()) out.settings.samples = r.tokens;
    out.families.push_back(std::move(r));
  }
  if (combine_measured) {
    CombineReportOptions combine_options = o.combine;
    if (!combine_options.tokens) combine_options.tokens = o.tokens;
    CombinePlan c = plan_combine(combine_options, formats, combine_kernels, o.seed);
    c.named_kernels = o.kernels;
    c.block = !ops_named || block_named;
    if (ops_named && !combine_named) c.configs.clear();
    if (out.families.empty()) out.settings.samples = c.tokens;
    out.families.push_back(std::move(c));
  }
  return out;
}

ReportResults run_report(const ReportPlan& plan, Observer& observer) {
  ReportResults results{{}, plan.skipped, plan.settings};
  for (const FamilyReportPlan& family : plan.families) {
    FamilyReport report = std::visit([&](const auto& p) -> FamilyReport { return run_family_report(p, observer); }, family);
    std::visit([&](const auto& r) { results.skipped.insert(results.skipped.end(), r.skipped.begin(), r.skipped.end()); },
               report);
    results.families.push_back(std::move(report));
  }
  return results;
}

}  // namespace ulpcheck
