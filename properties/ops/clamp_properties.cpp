// The fuzz properties of silu_and_mul_clamp's own semantics: its limit at the two values
// that mean something of their own, inf (no clamp) and 0 (everything clamped to 0), whatever
// limit the generated case holds.
#include <fmt/format.h>
#include <rapidcheck.h>

#include <algorithm>
#include <cmath>

#include "properties/fuzz_checks.hpp"
#include "properties/property_runner.hpp"
#include "ulpcheck/reference/registry.hpp"

namespace ulpcheck {

namespace {

using namespace detail;  // the shared checks of fuzz_checks.hpp

bool takes_limit(const ElementwiseOp& op) {
  return std::ranges::any_of(op.params, [](const ParamSpec& s) { return s.name == "limit"; });
}

/// The case with its limit replaced by L: the limit these properties run the kernel with,
/// which a failure states.
FuzzCase with_limit(FuzzCase c, float L) {
  for (std::size_t i = 0; i < c.param_specs.size(); ++i)
    if (c.param_specs[i].name == "limit") c.param_values[i] = L;
  return c;
}

bool has_unclamped_form(const FuzzTarget& t) {
  const ElementwiseOp* plain = t.op->unclamped_op.empty() ? nullptr : find_op(t.op->unclamped_op);
  return plain && t.kernel->supports(*plain, t.format);
}

bool gated_with_limit(const FuzzTarget& t) { return t.op->arity == 2 && takes_limit(*t.op); }

void inf_limit_equals_unclamped(const FuzzTarget& t, const FuzzCase& generated) {
  const ElementwiseOp* plain = find_op(t.op->unclamped_op);  // has_unclamped_form checked it
  const FuzzCase c = with_limit(generated, HUGE_VALF);
  const BitTensor in = c.tensor();
  require_supported(t, c.params(*t.op));
  const BitTensor clamped = run(*t.kernel, *t.op, c.params(*t.op), in);
  const BitTensor unclamped = run(*t.kernel, *plain, plain->default_params(), in);
  const std::int64_t i = first_difference(clamped, unclamped);
  if (i >= 0)
    fail(fmt::format("limit = inf differs from {}: {}\n  limit inf: {}\n  {}: {}", plain->name, where(t, c, i),
                     bits_text(t.format, clamped.bits[i]), plain->name, bits_text(t.format, unclamped.bits[i])));
}

void zero_limit_gives_zeros(const FuzzTarget& t, const FuzzCase& generated) {
  const FuzzCase c = with_limit(generated, 0.0f);
  const BitTensor in = c.tensor();
  const BitTensor out = run(*t.kernel, *t.op, c.params(*t.op), in);
  const std::int64_t d = c.shape.d;
  for (std::int64_t r = 0; r < c.shape.tokens; ++r)
    for (std::int64_t col = 0; col < d; ++col) {
      const double g = decode(t.format, in.at(r, col)), u = decode(t.format, in.at(r, d + col));
      const double y = decode(t.format, out.at(r, col));
      if (std::isfinite(g) && std::isfinite(u) && y != 0.0)
        fail(fmt::format("limit = 0 with finite inputs must give 0: {}\n  gate: {}\n  up:   {}\n  got:  {}",
                         where(t, c, r * d + col), bits_text(t.format, in.at(r, col)),
                         bits_text(t.format, in.at(r, d + col)), bits_text(t.format, out.at(r, col))));
    }
}

const FuzzProperty kClampProperties[] = {
    {"inf_limit_equals_unclamped", "limit = inf equals the unclamped op bit for bit", &has_unclamped_form,
     &inf_limit_equals_unclamped},
    {"zero_limit_gives_zeros", "limit = 0 gives zeros for finite inputs", &gated_with_limit, &zero_limit_gives_zeros},
};

}  // namespace

std::span<const FuzzProperty> clamp_fuzz_properties() { return kClampProperties; }

}  // namespace ulpcheck
