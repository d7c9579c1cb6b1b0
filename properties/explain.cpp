#include "ulpcheck/properties/explain.hpp"

#include <fmt/format.h>

#include <cmath>

namespace ulpcheck {

namespace {
std::string value(Format f, std::uint32_t bits) {
  return fmt::format("0x{:0{}x} ({:.9g})", bits, info(f).storage_bits / 4, decode(f, bits));
}
}  // namespace

std::string explain(const Measurement& m, const ElementReport& e) {
  const Format f = m.format;
  // With several calls, the one that computed the element: a layout bug shows in its shape.
  const std::string call =
      m.batches.size() == 1
          ? fmt::format("input {}", input_shapes(m.batches, m.op->arity))
          : fmt::format("input {} (call {} of {}: {})", input_shapes({m.batches.at(e.batch)}, m.op->arity),
                        e.batch + 1, m.batches.size(), input_shapes(m.batches, m.op->arity));
  std::string out = fmt::format("{} on {} in {}{}{}, {}, element [{}, {}]\n", m.op->name, m.kernel->name(), name(f),
                                m.params.values().empty() ? "" : ", ", m.params.to_string(), call, e.row, e.col);
  out += fmt::format("  {:<9} {}\n", m.op->arity == 2 ? "gate:" : "input:", value(f, e.x0_bits));
  if (m.op->arity == 2) out += fmt::format("  {:<9} {}\n", "up:", value(f, e.x1_bits));
  out += fmt::format("  {:<9} {}\n", "got:", value(f, e.got_bits));
  out += fmt::format("  {:<9} {:.17g} = {:a} + {:a}\n", "exact:", e.exact.value.hi, e.exact.value.hi, e.exact.value.lo);
  out += fmt::format("  {:<9} {}\n", "rounded:", value(f, encode(f, e.exact.rounded)));
  if (e.check.semantics != Semantics::agree) {
    out += fmt::format("  verdict:  {}\n", describe(e.check.semantics));
  } else {
    const double scale = e.check.floor_scale;
    out += fmt::format("  error:    {:.6g} ULP, |got - exact| = {:.6g}\n", e.check.ulp_error, e.check.abs_error);
    out += fmt::format("  budget:   {} ULP or |error| <= {:.6g} (abs floor {:a} x {:.6g})\n", m.budget.max_ulp,
                       m.budget.abs_floor * scale, m.budget.abs_floor, scale);
  }
  return out;
}

}  // namespace ulpcheck
