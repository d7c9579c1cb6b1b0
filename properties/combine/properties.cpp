// The combine properties: each a sentence of the spec, checked on generated cases.
//
// NaN and inf inputs. within_budget applies ElementCheck's rules: a NaN the oracle has must
// be kept; any other disagreement on NaN or inf fails only where every input of the element
// was finite. placements_agree compares only elements whose inputs are all finite (where
// NaN and inf are the oracle's business, two placements may legitimately differ, say NaN
// against inf, and within_budget judges each). permutation_invariant compares every element:
// the order of the terms changes neither whether the sum is NaN nor the sign of an infinite
// one, so there the outputs must be of one kind, and numbers within the bound. An infinite
// output where the exact value is finite counts as 2^(emax+1), as ElementCheck counts an
// overflow. no_fp16_overflow runs on finite inputs only.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "properties/property_runner.hpp"
#include "ulpcheck/properties/combine/compare.hpp"
#include "ulpcheck/properties/combine/fuzz.hpp"
#include "ulpcheck/reference/ulp.hpp"

namespace ulpcheck {

namespace {

using detail::fail;

CombineClaim combine_claim_for(const CombineFuzzTarget& t, const CombineCase& c) {
  const std::optional<CombineClaim> claim = t.kernel->claim(c.config, c.inputs.format);
  RC_PRE(claim.has_value());
  return *claim;
}

/// The oracle on one thread: a case is small, and the runs of a campaign are the parallel
/// work.
CombineExact combine_exact_of(const CombineCase& c) { return combine_exact(c.config, c.inputs, 1); }

std::string combine_bits_text(Format f, std::uint32_t b) {
  return fmt::format("{:.9g} (0x{:0{}x})", decode(f, b), b, info(f).storage_bits / 4);
}

/// An output as a number to measure: an infinity stands for 2^(emax+1), the value IEEE
/// rounding gives up at (as ElementCheck counts an overflow).
double combine_measured(Format f, double got) {
  return std::isinf(got) ? std::copysign(2 * std::ldexp(1.0, format_shape(f).emax), got) : got;
}

/// max(max_ulp * ulp(r), floor(s)): how far from r an output the claim holds may be.
double combine_bound(const CombineClaim& claim, Format f, const CombineExact& exact, std::size_t e) {
  return std::max(claim.max_ulp * ulp_of(f, exact.out[e].value), claim.floor(exact.scale[e]));
}

void combine_within_budget(const CombineFuzzTarget& t, const CombineCase& c) {
  const CombineClaim claim = combine_claim_for(t, c);
  const CombineExact exact = combine_exact_of(c);
  const std::vector<std::uint32_t> out = run_combine_kernel(*t.kernel, c.config, c.inputs);
  const ErrorStats s = compare_combine(c.config, claim, c.inputs, exact, out);
  if (s.passes()) return;
  const ElementReport& r = s.first_failure();
  fail(fmt::format("{}: {} of {} elements outside the claim; the first:\n{}", t.kernel->name(),
                   s.budget_breaches + s.semantic_violations, s.count,
                   explain_combine_element(c.config, claim, c.inputs, exact, out, r.row, r.col)));
}

/// The kernels a kernel's output is held against: the others of its backend (the part of
/// the name before the '.') that claim the case. A kernel whose backend has no other (a
/// plugin's) is held against the host kernels, which run everywhere.
std::vector<std::pair<const CombineKernel*, CombineClaim>> combine_peers(const CombineKernel& k, const CombineCase& c) {
  const auto backend = [](std::string_view name) { return name.substr(0, name.find('.')); };
  const auto all = all_combine_kernels();
  const bool alone = std::none_of(all.begin(), all.end(), [&](const CombineKernel* o) {
    return o != &k && o->name() != k.name() && backend(o->name()) == backend(k.name());
  });
  const std::string_view wanted = alone ? std::string_view("host") : backend(k.name());
  std::vector<std::pair<const CombineKernel*, CombineClaim>> peers;
  for (const CombineKernel* o : all) {
    if (o == &k || o->name() == k.name() || backend(o->name()) != wanted) continue;
    if (const std::optional<CombineClaim> claim = o->claim(c.config, c.inputs.format)) peers.emplace_back(o, *claim);
  }
  return peers;
}

void combine_placements_agree(const CombineFuzzTarget& t, const CombineCase& c) {
  const CombineClaim claim = combine_claim_for(t, c);
  const auto peers = combine_peers(*t.kernel, c);
  if (peers.empty()) return;
  const Format f = c.inputs.format;
  const CombineExact exact = combine_exact_of(c);
  const std::vector<std::uint32_t> out = run_combine_kernel(*t.kernel, c.config, c.inputs);
  for (const auto& [peer, peer_claim] : peers) {
    const std::vector<std::uint32_t> other = run_combine_kernel(*peer, c.config, c.inputs);
    for (std::size_t e = 0; e < out.size(); ++e) {
      if (!exact.finite_inputs[e]) continue;
      const double a = decode(f, out[e]), b = decode(f, other[e]);
      const double bound_a = combine_bound(claim, f, exact, e), bound_b = combine_bound(peer_claim, f, exact, e);
      const double apart = std::fabs(combine_measured(f, a) - combine_measured(f, b));
      // NaN from finite inputs is never within anything (apart is NaN, the comparison false).
      if (apart <= bound_a + bound_b) continue;
      const std::int64_t token = static_cast<std::int64_t>(e) / c.config.hidden,
                         h = static_cast<std::int64_t>(e) % c.config.hidden;
      fail(fmt::format(
          "{} and {} are {:.3g} apart, more than their claims allow together ({:.3g} + {:.3g}: "
          "max(max_ulp * ulp(r), floor(s)) each); {} gives {}\n{}",
          t.kernel->name(), peer->name(), apart, bound_a, bound_b, peer->name(), combine_bits_text(f, other[e]),
          explain_combine_element(c.config, claim, c.inputs, exact, out, token, h)));
    }
  }
}

/// The inputs with the routed outputs and their weights in another order: slot k takes old
/// slot old_of(k), for every token and hidden element.
template <class Map>
CombineInputs combine_permuted(const CombineInputs& in, const CombineConfig& c, Map old_of) {
  CombineInputs p = in;
  const std::int64_t K = c.topk, H = c.hidden;
  for (std::int64_t t = 0; t < in.tokens; ++t)
    for (std::int64_t k = 0; k < K; ++k) {
      const std::int64_t from = old_of(k);
      p.weights[static_cast<std::size_t>(t * K + k)] = in.weights[static_cast<std::size_t>(t * K + from)];
      std::copy_n(in.routed.begin() + (t * K + from) * H, H, p.routed.begin() + (t * K + k) * H);
    }
  return p;
}

/// Whether two outputs of one kernel for the same element are of one kind (both NaN, or
/// neither) and, where the element's inputs are finite, within `bound` of each other.
bool combine_same_within(Format f, double a, double b, bool finite_inputs, double bound) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  if (!finite_inputs) return a == b || !(std::isinf(a) || std::isinf(b));
  return std::fabs(combine_measured(f, a) - combine_measured(f, b)) <= bound;
}

void combine_permutation_invariant(const CombineFuzzTarget& t, const CombineCase& c) {
  const CombineClaim claim = combine_claim_for(t, c);
  const int K = c.config.topk;
  if (K < 2) return;  // one term: nothing to permute
  const Format f = c.inputs.format;
  const CombineExact exact = combine_exact_of(c);
  const std::vector<std::uint32_t> out = run_combine_kernel(*t.kernel, c.config, c.inputs);
  const struct {
    std::string_view name;
    CombineInputs inputs;
  } orders[] = {
      {"reversing the k routed outputs and their weights",
       combine_permuted(c.inputs, c.config, [K](std::int64_t k) { return K - 1 - k; })},
      {"rotating the k routed outputs and their weights by one",
       combine_permuted(c.inputs, c.config, [K](std::int64_t k) { return (k + 1) % K; })},
  };
  for (const auto& order : orders) {
    const std::vector<std::uint32_t> other = run_combine_kernel(*t.kernel, c.config, order.inputs);
    for (std::size_t e = 0; e < out.size(); ++e) {
      const double a = decode(f, out[e]), b = decode(f, other[e]);
      const bool finite = exact.finite_inputs[e] != 0;
      // Two sums of the same terms in two orders: each is within floor(s) / 2 of r before
      // its last rounding, which adds at most half an ulp of the output.
      const double larger = std::max(std::fabs(combine_measured(f, a)), std::fabs(combine_measured(f, b)));
      const double bound = finite ? 2 * claim.floor(exact.scale[e]) + ulp_of(f, DoubleDouble::of(larger)) : 0.0;
      if (combine_same_within(f, a, b, finite, bound)) continue;
      const std::int64_t token = static_cast<std::int64_t>(e) / c.config.hidden,
                         h = static_cast<std::int64_t>(e) % c.config.hidden;
      fail(fmt::format("{}: {} changed the output from {} to {}, more than 2 * floor(s) + 1 ulp = {:.3g}\n{}",
                       t.kernel->name(), order.name, combine_bits_text(f, out[e]), combine_bits_text(f, other[e]),
                       bound, explain_combine_element(c.config, claim, c.inputs, exact, out, token, h)));
    }
  }
}

void combine_no_fp16_overflow(const CombineFuzzTarget& t, const CombineCase& c) {
  RC_PRE(c.inputs.format == Format::fp16);
  const CombineClaim claim = combine_claim_for(t, c);
  const CombineExact exact = combine_exact_of(c);
  const std::vector<std::uint32_t> out = run_combine_kernel(*t.kernel, c.config, c.inputs);
  const double top_binade = std::ldexp(1.0, format_shape(Format::fp16).emax);
  for (std::size_t e = 0; e < out.size(); ++e) {
    const DoubleDouble& r = exact.out[e].value;
    if (!std::isinf(decode(Format::fp16, out[e])) || !r.is_finite() || std::fabs(r.hi) >= top_binade) continue;
    const std::int64_t token = static_cast<std::int64_t>(e) / c.config.hidden,
                       h = static_cast<std::int64_t>(e) % c.config.hidden;
    fail(
        fmt::format("{}: the output overflows fp16 where the exact value {:.9g} is below 2^15 (an intermediate "
                    "rounded to fp16 before the shared output joined)\n{}",
                    t.kernel->name(), r.hi, explain_combine_element(c.config, claim, c.inputs, exact, out, token, h)));
  }
}

bool combine_target_taken(const CombineFuzzTarget& t) { return combine_kernel_takes_format(*t.kernel, t.format); }
bool combine_fp16_target(const CombineFuzzTarget& t) { return t.format == Format::fp16 && combine_target_taken(t); }
rc::Gen<CombineCase> combine_near_overflow_cases(Format) { return gen_fp16_near_overflow_case(); }

const CombineFuzzProperty kCombineProperties[] = {
    {"within_budget",
     "every output is within the kernel's claim, max(max_ulp * ulp(r), relative * s + absolute) of the exact sum "
     "r, and NaN or infinite as the oracle says (ElementCheck's rules)",
     &combine_target_taken, &gen_combine_case, &combine_within_budget},
    {"placements_agree",
     "where the inputs are finite, the output and that of every other kernel of the backend that claims the case "
     "are within the sum of their two claims (max(max_ulp * ulp(r), floor(s)) each)",
     &combine_target_taken, &gen_combine_case, &combine_placements_agree},
    {"permutation_invariant",
     "permuting the k routed outputs together with their weights changes no output by more than 2 * floor(s) plus "
     "one ulp of the larger output, nor whether it is NaN or infinite",
     &combine_target_taken, &gen_combine_case, &combine_permutation_invariant},
    {"no_fp16_overflow",
     "in fp16, no output is infinite where the exact value is finite and below 2^15, even where rsf * (routed sum) "
     "overflows fp16 and the shared output brings the result back",
     &combine_fp16_target, &combine_near_overflow_cases, &combine_no_fp16_overflow},
};

}  // namespace

std::span<const CombineFuzzProperty> all_combine_fuzz_properties() { return kCombineProperties; }

bool combine_kernel_takes_format(const CombineKernel& k, Format f) {
  const CombineConfig configs[] = {CombineConfig{}, CombineConfig{.topk = 1, .hidden = 1, .routed_scaling_factor = 1.0},
                                   CombineConfig{.topk = 32, .hidden = 97, .routed_scaling_factor = 16.0}};
  return std::any_of(std::begin(configs), std::end(configs),
                     [&](const CombineConfig& c) { return k.claim(c, f).has_value(); });
}

}  // namespace ulpcheck
