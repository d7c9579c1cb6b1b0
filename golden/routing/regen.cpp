#include "ulpcheck/golden/routing/regen.hpp"

#include <fmt/format.h>

#include <chrono>

#include "golden/kernel_claims.hpp"
#include "golden/root_attributes.hpp"
#include "ulpcheck/properties/routing/measure.hpp"

namespace ulpcheck::golden {

RoutingAnswers routing_answers(const std::vector<TokenRouting>& exact) {
  RoutingAnswers a;
  for (const TokenRouting& t : exact) {
    a.ids.insert(a.ids.end(), t.ids.begin(), t.ids.end());
    for (const DoubleDouble& w : t.weights) {
      a.weights_hi.push_back(w.hi);
      a.weights_lo.push_back(w.lo);
    }
    a.groups.insert(a.groups.end(), t.groups.begin(), t.groups.end());
    a.group_margin.push_back(t.group_margin);
    a.expert_margin.push_back(t.expert_margin);
  }
  return a;
}

std::vector<TokenRouting> token_routings(const RoutingConfig& c, const RoutingAnswers& a) {
  const std::size_t tokens = a.group_margin.size(), K = static_cast<std::size_t>(c.topk),
                    G = static_cast<std::size_t>(c.topk_group);
  std::vector<TokenRouting> out(tokens);
  for (std::size_t t = 0; t < tokens; ++t) {
    TokenRouting& r = out[t];
    r.ids.assign(a.ids.begin() + t * K, a.ids.begin() + (t + 1) * K);
    for (std::size_t k = t * K; k < (t + 1) * K; ++k) r.weights.push_back(DoubleDouble{a.weights_hi[k], a.weights_lo[k]});
    r.groups.assign(a.groups.begin() + t * G, a.groups.begin() + (t + 1) * G);
    r.group_margin = a.group_margin[t];
    r.expert_margin = a.expert_margin[t];
  }
  return out;
}

RoutingAnswers compute_routing_answers(const RoutingConfig& config, const RoutingInputs& inputs) {
  return routing_answers(route_exact(config, inputs));
}

RoutingKernelFigures routing_figures(std::string_view kernel, const RoutingClaim& claim, const RoutingStats& s) {
  RoutingKernelFigures k;
  k.kernel = std::string(kernel);
  k.claim = claim;
  k.matches = s.matches;
  k.near_ties = s.near_ties;
  k.mismatches = s.mismatches;
  k.invalid = s.invalid;
  k.weight_tokens_checked = s.weight_tokens_checked;
  k.weights_in_floor = s.weights_in_floor;
  k.weight_breaches = s.weight_breaches;
  k.bad_weights = s.bad_weights;
  k.max_weight_ulp = s.max_weight_ulp;
  k.p50_weight_ulp = s.weight_ulp_percentile(0.5);
  k.p99_weight_ulp = s.weight_ulp_percentile(0.99);
  k.max_weight_sum_error = s.max_weight_sum_error;
  k.near_tie_tokens = s.near_tie_tokens;
  return k;
}

RoutingStats measure_routing(const RoutingKernel& kernel, const RoutingClaim& claim, const RoutingConfig& config,
                             const RoutingInputs& inputs, const std::vector<TokenRouting>& exact) {
  return compare_routing(config, claim, inputs, exact, run_routing_kernel(kernel, config, inputs));
}

std::vector<std::pair<const RoutingKernel*, RoutingClaim>> routing_kernels_for(
    std::span<const RoutingKernel* const> kernels, const RoutingConfig& config, Format logits, Format bias) {
  return kernels_claiming(kernels, [&](const RoutingKernel& k) { return k.claim(config, logits, bias); });
}

RoutingGoldenFile build_routing_golden(const RoutingBuildOptions& o, std::vector<RoutingCorpus> corpora,
                                       const Log& log) {
  RoutingGoldenFile file;
  set_device_provenance(file, o);
  for (const RoutingCaseSpec& spec : routing_case_specs()) {
    const auto start = std::chrono::steady_clock::now();
    RoutingGoldenCase c;
    c.name = spec.name;
    c.config = spec.config;
    c.logits_distribution = spec.logits_distribution;
    c.bias_distribution = spec.bias_distribution;
    c.seed = o.seed;
    c.inputs = routing_case_inputs(spec, o.tokens, o.seed);
    const std::vector<TokenRouting> exact = route_exact(c.config, c.inputs);
    c.answers = routing_answers(exact);
    for (const auto& [kernel, claim] : routing_kernels_for(o.kernels, c.config, spec.logits, spec.bias))
      c.kernels.push_back(
          routing_figures(kernel->name(), claim, measure_routing(*kernel, claim, c.config, c.inputs, exact)));
    if (log)
      log(fmt::format("{} {}: {} tokens of {}, {} kernels ({:.2f} s)", kRoutingOpName, spec.group(), o.tokens,
                      c.config.label(), c.kernels.size(),
                      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()));
    file.cases.push_back(std::move(c));
  }
  for (RoutingCorpus& c : corpora) {
    for (RoutingCounterexample& e : c.entries) e.answers = compute_routing_answers(e.routing.config, e.routing.inputs);
    if (log)
      log(fmt::format("{} /{}/corpus: {} counterexamples carried over", kRoutingOpName, format_pair(c.logits, c.bias),
                      c.entries.size()));
  }
  file.corpora = std::move(corpora);
  return file;
}

}  // namespace ulpcheck::golden
