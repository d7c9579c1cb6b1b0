#include "ulpcheck/properties/routing/bias_cast.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "ulpcheck/properties/routing/inputs.hpp"
#include "ulpcheck/properties/routing/measure.hpp"

namespace ulpcheck {

namespace {

/// Tokens [first, first + n) of a batch.
RoutingInputs slice(const RoutingInputs& in, int experts, std::int64_t first, std::int64_t n) {
  RoutingInputs out{in.logits_format, in.bias_format, n, {}, in.bias};
  out.logits.assign(in.logits.begin() + first * experts, in.logits.begin() + (first + n) * experts);
  return out;
}

bool same_bits(float a, float b) { return std::memcmp(&a, &b, sizeof a) == 0; }

std::string explain(const RoutingConfig& c, std::int64_t call, Format target, std::int64_t token,
                    const RoutingOutputs& once, const RoutingOutputs& per_call, std::int64_t t) {
  std::string out = fmt::format("call {} (bias cast to {}), token {} of the batch:\n  cast once:    ", call,
                                name(target), token);
  for (int k = 0; k < c.topk; ++k) out += fmt::format(" {}:{:a}", once.ids[t * c.topk + k], once.weights[t * c.topk + k]);
  out += "\n  cast per call:";
  for (int k = 0; k < c.topk; ++k)
    out += fmt::format(" {}:{:a}", per_call.ids[t * c.topk + k], per_call.weights[t * c.topk + k]);
  return out + "\n";
}

}  // namespace

std::int64_t BiasCastComparison::identical_calls() const {
  return std::count_if(calls.begin(), calls.end(), [](const BiasCastCall& c) { return c.identical(); });
}

std::int64_t BiasCastComparison::tokens() const {
  std::int64_t n = 0;
  for (const BiasCastCall& c : calls) n += c.tokens;
  return n;
}

std::int64_t BiasCastComparison::tokens_differ() const {
  std::int64_t n = 0;
  for (const BiasCastCall& c : calls) n += c.tokens_differ;
  return n;
}

std::int64_t BiasCastComparison::sets_differ() const {
  std::int64_t n = 0;
  for (const BiasCastCall& c : calls) n += c.sets_differ;
  return n;
}

std::int64_t BiasCastComparison::calls_with_target(Format f) const {
  return std::count_if(calls.begin(), calls.end(), [f](const BiasCastCall& c) { return c.target == f; });
}

SetDifference BiasCastComparison::sets_differ_on(Format target) const {
  SetDifference d;
  for (const BiasCastCall& c : calls)
    if (c.target == target) d.tokens += c.tokens, d.differ += c.sets_differ;
  return d;
}

BiasCastComparison compare_bias_cast(const RoutingKernel& kernel, const RoutingConfig& c, const RoutingInputs& in,
                                     Format once, const std::function<Format(std::int64_t)>& target,
                                     std::int64_t call_tokens, const BiasRounding& rounding) {
  if (in.bias_format != Format::fp32)
    throw std::invalid_argument(fmt::format("compare_bias_cast: the bias must be in fp32 (as checkpoints store it), "
                                            "not {}",
                                            name(in.bias_format)));
  if (call_tokens < 1) throw std::invalid_argument(fmt::format("compare_bias_cast: call_tokens is {}", call_tokens));
  const RoutingInputs cast_once = with_bias_in(in, once);
  // A fresh wrapper: its calls count from 0, so the call index the rounding sees is the
  // call's place in this comparison.
  const BiasCastPerCall per_call(kernel, target, rounding);
  BiasCastComparison r;
  r.cast_once_to = once;
  for (std::int64_t first = 0, call = 0; first < in.tokens; first += call_tokens, ++call) {
    const std::int64_t n = std::min(call_tokens, in.tokens - first);
    const RoutingOutputs a = run_routing_kernel(kernel, c, slice(cast_once, c.experts, first, n));
    const RoutingOutputs b = run_routing_kernel(per_call, c, slice(in, c.experts, first, n));
    BiasCastCall k{target(call), n, 0, 0};
    for (std::int64_t t = 0; t < n; ++t) {
      bool differ = false;
      for (int j = 0; j < c.topk; ++j) {
        const std::size_t i = static_cast<std::size_t>(t * c.topk + j);
        differ = differ || a.ids[i] != b.ids[i] || !same_bits(a.weights[i], b.weights[i]);
      }
      if (!differ) continue;
      ++k.tokens_differ;
      if (r.first_difference.empty()) r.first_difference = explain(c, call, k.target, first + t, a, b, t);
    }
    k.sets_differ = expert_sets_differ(a, b, c.topk).differ;
    r.calls.push_back(k);
  }
  return r;
}

}  // namespace ulpcheck
