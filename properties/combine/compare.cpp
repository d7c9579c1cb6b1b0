#include "ulpcheck/properties/combine/compare.hpp"

#include <fmt/format.h>

#include <cmath>

#include "ulpcheck/device/tensor.hpp"
#include "ulpcheck/properties/compare.hpp"
#include "ulpcheck/reference/element_check.hpp"

namespace ulpcheck {

std::vector<std::uint32_t> run_combine_kernel(const CombineKernel& kernel, const CombineConfig& config,
                                              const CombineInputs& inputs) {
  std::vector<std::uint32_t> out(static_cast<std::size_t>(inputs.tokens * config.hidden), poison_bits(inputs.format));
  kernel.run(config, inputs, out);
  return out;
}

ElementCheck check_combine_element(const CombineClaim& claim, Format f, const CombineExact& exact,
                                   const std::vector<std::uint32_t>& out, std::size_t e) {
  return check_element(f, decode(f, out[e]), exact.out[e], exact.finite_inputs[e] != 0, claim.floor(exact.scale[e]),
                       claim.budget());
}

ErrorStats compare_combine(const CombineConfig& config, const CombineClaim& claim, const CombineInputs& inputs,
                           const CombineExact& exact, const std::vector<std::uint32_t>& out) {
  ErrorStats stats;
  const std::int64_t H = config.hidden;
  for (std::int64_t t = 0; t < inputs.tokens; ++t)
    for (std::int64_t h = 0; h < H; ++h) {
      const auto e = static_cast<std::size_t>(t * H + h);
      ElementReport r;
      r.row = t;
      r.col = h;
      r.arity = 1;
      r.x0_bits = inputs.shared[e];
      r.got_bits = out[e];
      r.exact = exact.out[e];
      r.check = check_combine_element(claim, inputs.format, exact, out, e);
      r.index = static_cast<std::int64_t>(e);
      stats.add(r);
    }
  return stats;
}

std::string explain_combine_element(const CombineConfig& config, const CombineClaim& claim,
                                    const CombineInputs& inputs, const CombineExact& exact,
                                    const std::vector<std::uint32_t>& out, std::int64_t token, std::int64_t h) {
  const Format f = inputs.format;
  const std::int64_t H = config.hidden, K = config.topk;
  const auto e = static_cast<std::size_t>(token * H + h);
  const ElementCheck c = check_combine_element(claim, f, exact, out, e);
  std::string s = fmt::format("token {}, hidden {} ({} {}):\n", token, h, name(f), config.label());
  for (std::int64_t k = 0; k < K; ++k) {
    const std::uint32_t y = inputs.routed[static_cast<std::size_t>((token * K + k) * H + h)];
    s += fmt::format("  w[{}] = {:.9g}  y[{}] = {:.9g} (0x{:0{}x})\n", k, inputs.weights[static_cast<std::size_t>(token * K + k)],
                     k, decode(f, y), y, info(f).storage_bits / 4);
  }
  s += fmt::format("  shared = {:.9g} (0x{:0{}x})\n", decode(f, inputs.shared[e]), inputs.shared[e],
                   info(f).storage_bits / 4);
  s += fmt::format("  got {:.9g} (0x{:0{}x}), exact {:.17g} (+ {:.3g}), correctly rounded {:.9g}\n", decode(f, out[e]),
                   out[e], info(f).storage_bits / 4, exact.out[e].value.hi, exact.out[e].value.lo,
                   exact.out[e].rounded);
  if (c.semantics != Semantics::agree)
    s += fmt::format("  {}{}", describe(c.semantics), c.semantic_violation ? " (fails)" : "");
  else
    s += fmt::format("  {:.3g} ULP (claim {:.3g}), |error| {:.3g} against the floor {:.3g} = {:.3g} * s + {:.3g}, "
                     "s = rsf * sum|w y| + |shared| = {:.6g}{}",
                     c.ulp_error, claim.max_ulp, c.abs_error, claim.floor(exact.scale[e]), claim.relative, claim.absolute,
                     exact.scale[e], c.passes() ? "" : ": outside the claim");
  return s;
}

}  // namespace ulpcheck
