// The routing properties: each is a sentence of the spec, checked on generated cases.
#include "ulpcheck/properties/routing/fuzz.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>
#include <cstring>

#include "properties/property_runner.hpp"
#include "ulpcheck/properties/routing/compare.hpp"
#include "ulpcheck/properties/routing/gen.hpp"
#include "ulpcheck/properties/routing/measure.hpp"

namespace ulpcheck {

namespace {

using detail::fail;

RoutingClaim claim_for(const RoutingFuzzTarget& t, const RoutingCase& c) {
  const std::optional<RoutingClaim> claim = t.kernel->claim(c.config, t.logits, t.bias);
  RC_PRE(claim.has_value());
  return *claim;
}

RoutingOutputs run(const RoutingKernel& k, const RoutingConfig& c, const RoutingInputs& in) {
  return run_routing_kernel(k, c, in);
}

/// The oracle's routing of every token of the case: of its distinct tokens, repeated.
std::vector<TokenRouting> exact_routing(const RoutingCase& rc) {
  if (!rc.distinct_tokens) return route_exact(rc.config, rc.inputs);
  RoutingInputs distinct = rc.inputs;
  distinct.tokens = rc.distinct_tokens;
  distinct.logits.resize(static_cast<std::size_t>(rc.distinct_tokens * rc.config.experts));
  const std::vector<TokenRouting> once = route_exact(rc.config, distinct);
  std::vector<TokenRouting> all;
  all.reserve(static_cast<std::size_t>(rc.inputs.tokens));
  for (std::int64_t t = 0; t < rc.inputs.tokens; ++t) all.push_back(once[static_cast<std::size_t>(t % rc.distinct_tokens)]);
  return all;
}

std::string ids_text(const RoutingOutputs& out, int topk, std::int64_t t) {
  std::string s;
  for (int k = 0; k < topk; ++k) s += fmt::format(" {}", out.ids[static_cast<std::size_t>(t * topk + k)]);
  return s;
}

std::set<int> id_set(const RoutingOutputs& out, int topk, std::int64_t t) {
  return {out.ids.begin() + t * topk, out.ids.begin() + (t + 1) * topk};
}

/// Whether a token's decision was a near-tie for this kernel's arithmetic (either the
/// oracle's group or expert margin inside the band): only then may two runs of a relation
/// pick different experts.
bool near_tie(const RoutingConfig& c, const RoutingClaim& claim, const RoutingInputs& in, const TokenRouting& x) {
  double b = 0.0;
  for (std::uint32_t v : in.bias) b = std::max(b, std::fabs(decode(in.bias_format, v)) + 1.0);
  return x.expert_margin <= expert_tie_band(c, claim, b) || x.group_margin <= group_tie_band(c, claim, 2 * b, b);
}

void ids_valid(const RoutingFuzzTarget& t, const RoutingCase& rc) {
  const RoutingConfig& c = rc.config;
  claim_for(t, rc);
  const RoutingOutputs out = run(*t.kernel, c, rc.inputs);
  const int per = c.experts_per_group();
  for (std::int64_t tok = 0; tok < rc.inputs.tokens; ++tok) {
    std::set<int> seen, groups;
    for (int k = 0; k < c.topk; ++k) {
      const int e = out.ids[static_cast<std::size_t>(tok * c.topk + k)];
      if (e < 0 || e >= c.experts || !seen.insert(e).second || (groups.insert(e / per), groups.size() > static_cast<std::size_t>(c.topk_group)))
        fail(fmt::format("token {} of {}: ids{} are not {} distinct experts in [0, {}) from at most {} groups",
                         tok, c.label(), ids_text(out, c.topk, tok), c.topk, c.experts, c.topk_group));
    }
  }
}

void matches_oracle(const RoutingFuzzTarget& t, const RoutingCase& rc) {
  const RoutingClaim claim = claim_for(t, rc);
  const RoutingOutputs out = run(*t.kernel, rc.config, rc.inputs);
  const RoutingStats s = compare_routing(rc.config, claim, rc.inputs, exact_routing(rc), out);
  if (s.mismatches || s.invalid || s.weight_breaches) fail(s.failures.front());
}

void weights_finite(const RoutingFuzzTarget& t, const RoutingCase& rc) {
  const RoutingConfig& c = rc.config;
  const RoutingClaim claim = claim_for(t, rc);
  const RoutingOutputs out = run(*t.kernel, c, rc.inputs);
  const std::vector<TokenRouting> exact = exact_routing(rc);
  for (std::int64_t tok = 0; tok < rc.inputs.tokens; ++tok) {
    const TokenCheck k = check_token(c, claim, rc.inputs, tok, exact[static_cast<std::size_t>(tok)],
                                     out.ids.data() + tok * c.topk, out.weights.data() + tok * c.topk);
    if (k.bad_weight)
      fail("a weight is NaN, infinite or negative (and the kernel does not declare NaN for vanishing scores)\n" +
           explain_token(c, claim, rc.inputs, tok, exact[static_cast<std::size_t>(tok)], out.ids.data() + tok * c.topk,
                         out.weights.data() + tok * c.topk, k));
    // Renormalised weights sum to the scaling factor, within the budget of topk weights.
    const double tolerance = c.topk * (claim.weights.max_ulp * 0x1p-23 + claim.weights.abs_floor);
    if (k.weights_checked && k.weight_sum_error > tolerance)
      fail(fmt::format("token {}: renormalised weights sum to {} x (1 + {:.3g}), not the scaling factor {} (tolerance "
                       "{:.3g})",
                       tok, c.routed_scaling_factor, k.weight_sum_error, c.routed_scaling_factor, tolerance));
  }
}

/// Runs `changed` and compares each token's ids with the original run: equal as sets
/// (mapped through `to_original`), unless the token is a near-tie for the kernel.
template <class Map>
void same_experts(const RoutingFuzzTarget& t, const RoutingCase& rc, const RoutingInputs& changed, Map to_original,
                  std::string_view relation) {
  const RoutingConfig& c = rc.config;
  const RoutingClaim claim = claim_for(t, rc);
  const RoutingOutputs a = run(*t.kernel, c, rc.inputs), b = run(*t.kernel, c, changed);
  const std::vector<TokenRouting> exact = exact_routing(rc);
  for (std::int64_t tok = 0; tok < rc.inputs.tokens; ++tok) {
    std::set<int> mapped;
    for (int e : id_set(b, c.topk, tok)) mapped.insert(to_original(e));
    if (mapped != id_set(a, c.topk, tok) && !near_tie(c, claim, rc.inputs, exact[static_cast<std::size_t>(tok)]))
      fail(fmt::format("token {} of {}: {} changed the experts, with no near-tie to explain it\n  before:{}\n  "
                       "after (mapped back):{}\n  oracle margins: group {:.3g}, expert {:.3g}",
                       tok, c.label(), relation, ids_text(a, c.topk, tok),
                       [&] {
                         std::string s;
                         for (int e : mapped) s += fmt::format(" {}", e);
                         return s;
                       }(),
                       exact[tok].group_margin, exact[tok].expert_margin));
  }
}

void bias_shift_invariant(const RoutingFuzzTarget& t, const RoutingCase& rc) {
  // The biases snapped to multiples of 1/8 in [-15, 15], which every format holds exactly
  // with 1 added (at most 8 significant bits), so the shift changes nothing but the shift.
  RoutingCase base = rc;
  RoutingInputs& in = base.inputs;
  RoutingInputs shifted = in;
  for (std::size_t e = 0; e < in.bias.size(); ++e) {
    double v = decode(in.bias_format, in.bias[e]);
    v = std::isfinite(v) ? std::clamp(std::round(v * 8.0) / 8.0, -15.0, 15.0) : 0.0;
    in.bias[e] = encode(in.bias_format, v);
    shifted.bias[e] = encode(in.bias_format, v + 1.0);
  }
  same_experts(t, base, shifted, [](int e) { return e; }, "adding 1 to every bias");
}

/// The inputs with expert e taking old expert old_of(e)'s logits and bias.
template <class Map>
RoutingInputs permuted(const RoutingInputs& in, int experts, Map old_of) {
  RoutingInputs p = in;
  for (int e = 0; e < experts; ++e) {
    p.bias[e] = in.bias[old_of(e)];
    for (std::int64_t tok = 0; tok < p.tokens; ++tok) p.logits[tok * experts + e] = in.logits[tok * experts + old_of(e)];
  }
  return p;
}

void group_permutation_equivariant(const RoutingFuzzTarget& t, const RoutingCase& rc) {
  const RoutingConfig& c = rc.config;
  RC_PRE(c.n_group > 1);
  const int per = c.experts_per_group(), E = c.experts;
  // Groups rotated by one: new group g holds old group (g + 1) % n.
  const auto old_of = [&](int e) { return ((e / per + 1) % c.n_group) * per + e % per; };
  same_experts(t, rc, permuted(rc.inputs, E, old_of), old_of, "rotating the groups");
}

void expert_permutation_equivariant(const RoutingFuzzTarget& t, const RoutingCase& rc) {
  const RoutingConfig& c = rc.config;
  const int per = c.experts_per_group(), E = c.experts;
  // Experts reversed within each group.
  const auto old_of = [&](int e) { return (e / per) * per + (per - 1 - e % per); };
  same_experts(t, rc, permuted(rc.inputs, E, old_of), old_of, "reversing the experts within each group");
}

void raising_a_picked_logit_keeps_it_picked(const RoutingFuzzTarget& t, const RoutingCase& sampled) {
  // Under sigmoid scoring only: a softmax raises one expert's score by lowering all the
  // others', which can drop its group below another (its partner in the top two loses).
  RoutingCase rc = sampled;
  rc.config.scoring = Scoring::sigmoid;
  const RoutingConfig& c = rc.config;
  claim_for(t, rc);
  const RoutingOutputs a = run(*t.kernel, c, rc.inputs);
  RoutingInputs raised = rc.inputs;
  const std::uint32_t top = encode(raised.logits_format, round_to(raised.logits_format, 1e4));
  std::vector<int> picked(static_cast<std::size_t>(raised.tokens));
  for (std::int64_t tok = 0; tok < raised.tokens; ++tok) {
    // The last pick, the one most easily displaced.
    picked[tok] = a.ids[static_cast<std::size_t>(tok * c.topk + c.topk - 1)];
    RC_PRE(picked[tok] >= 0 && picked[tok] < c.experts);
    raised.logits[tok * c.experts + picked[tok]] = top;
  }
  const RoutingOutputs b = run(*t.kernel, c, raised);
  for (std::int64_t tok = 0; tok < raised.tokens; ++tok)
    if (!id_set(b, c.topk, tok).count(picked[tok]))
      fail(fmt::format("token {} of {}: expert {} was picked; with its logit raised to 1e4 it is not\n  before:{}\n  "
                       "after:{}",
                       tok, c.label(), picked[tok], ids_text(a, c.topk, tok), ids_text(b, c.topk, tok)));
}

/// Logits a batch of the tokens_are_independent property may have: every dispatch size up
/// to 4096 tokens for E <= 16, up to 256 tokens for DeepSeek-V3's 256 experts.
constexpr std::int64_t kMaxBatchLogits = std::int64_t{1} << 16;

void tokens_are_independent(const RoutingFuzzTarget& t, const RoutingCase& rc) {
  const RoutingConfig& c = rc.config;
  claim_for(t, rc);
  const RoutingOutputs all = run(*t.kernel, c, rc.inputs);
  const std::int64_t tokens = rc.inputs.tokens;
  const auto differs = [&](const RoutingOutputs& a, std::int64_t ta, std::int64_t tb) {
    for (int k = 0; k < c.topk; ++k) {
      const std::size_t i = static_cast<std::size_t>(ta * c.topk + k), j = static_cast<std::size_t>(tb * c.topk + k);
      if (a.ids[i] != all.ids[j] || std::memcmp(&a.weights[i], &all.weights[j], 4) != 0) return true;
    }
    return false;
  };
  // Tokens routed alone (up to 8, first and last included: a launch each) give their bits
  // in the batch.
  for (const std::int64_t tok : rows_run_alone(tokens)) {
    RoutingInputs one = rc.inputs;
    one.tokens = 1;
    one.logits.assign(rc.inputs.logits.begin() + tok * c.experts, rc.inputs.logits.begin() + (tok + 1) * c.experts);
    const RoutingOutputs alone = run(*t.kernel, c, one);
    if (differs(alone, 0, tok))
      fail(fmt::format("token {} of {} routed alone differs from the same token in the batch of {}\n  in batch:{}\n  "
                       "alone:{}",
                       tok, c.label(), tokens, ids_text(all, c.topk, tok), ids_text(alone, c.topk, 0)));
  }
  // The batch's tokens repeated to every batch size routing kernels dispatch on give the
  // same bits again.
  for (std::int64_t size : dispatch_batch_sizes()) {
    if (size == tokens || size * c.experts > kMaxBatchLogits) continue;
    const RoutingOutputs batch = run(*t.kernel, c, repeated_tokens(rc.inputs, c.experts, size));
    for (std::int64_t tok = 0; tok < size; ++tok)
      if (differs(batch, tok, tok % tokens))
        fail(fmt::format("token {} of {} routed in a batch of {} (as its token {}) differs from the batch of {}\n  "
                         "batch of {}:{}\n  batch of {}:{}",
                         tok % tokens, c.label(), size, tok, tokens, tokens, ids_text(all, c.topk, tok % tokens), size,
                         ids_text(batch, c.topk, tok)));
  }
}

void reruns_are_identical(const RoutingFuzzTarget& t, const RoutingCase& rc) {
  claim_for(t, rc);
  const RoutingOutputs a = run(*t.kernel, rc.config, rc.inputs), b = run(*t.kernel, rc.config, rc.inputs);
  if (a.ids != b.ids || std::memcmp(a.weights.data(), b.weights.data(), a.weights.size() * 4) != 0)
    fail(fmt::format("two runs of {} on the same inputs differ", rc.config.label()));
}

const RoutingFuzzProperty kProperties[] = {
    {"ids_valid", "ids are distinct, in range and from at most topk_group groups, whatever the logits", &ids_valid},
    {"matches_oracle", "the experts are the oracle's (a difference only at a near-tie) and each weight is within budget",
     &matches_oracle},
    {"weights_finite", "weights are finite and >= 0, and renormalised ones sum to the scaling factor", &weights_finite},
    {"bias_shift_invariant", "adding a constant to every bias changes no expert", &bias_shift_invariant},
    {"group_permutation_equivariant", "permuting the groups permutes the experts picked",
     &group_permutation_equivariant},
    {"expert_permutation_equivariant", "permuting the experts within a group permutes the experts picked",
     &expert_permutation_equivariant},
    {"raising_a_picked_logit_keeps_it_picked", "raising a picked expert's logit keeps it picked (sigmoid scoring)",
     &raising_a_picked_logit_keeps_it_picked},
    {"tokens_are_independent",
     "a token's routing does not depend on the other tokens of the batch, nor on its size (a token alone and "
     "inside batches of 1 to 4096 tokens)",
     &tokens_are_independent},
    {"reruns_are_identical", "two runs give identical bits", &reruns_are_identical},
};

}  // namespace

std::span<const RoutingFuzzProperty> all_routing_fuzz_properties() { return kProperties; }

std::string fuzz_label(const RoutingFuzzTarget& t, const RoutingFuzzProperty& p) {
  return fmt::format("{} {} {}+{} {}", t.kernel->name(), kRoutingOpName, name(t.logits), name(t.bias), p.name);
}

std::string routing_fuzz_id(const RoutingFuzzTarget& t, const RoutingFuzzProperty& p) {
  return fmt::format("{}/biased_grouped_topk/{}+{}/{}", t.kernel->name(), name(t.logits), name(t.bias), p.name);
}

FuzzResult run_routing_fuzz_property(const RoutingFuzzTarget& target, const RoutingFuzzProperty& property,
                                     const FuzzSettings& settings, const std::optional<std::string>& replay) {
  const RoutingFuzzTarget t = target;
  const auto check = property.check;
  std::optional<RoutingCase> shrunk;
  FuzzResult result = detail::run_property<RoutingCase>(routing_fuzz_id(target, property), property.sentence, settings,
                                                        replay, gen_routing_case(t.logits, t.bias),
                                                        [t, check](const RoutingCase& c) { check(t, c); }, &shrunk);
  result.minimal = std::move(shrunk);
  return result;
}

}  // namespace ulpcheck
