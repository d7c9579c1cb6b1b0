#include "ulpcheck/properties/gen/values.hpp"

#include <algorithm>
#include <cmath>

namespace ulpcheck {

namespace {
std::uint32_t mask_of(Format f) { return info(f).storage_bits == 32 ? 0xffffffffu : 0xffffu; }
}  // namespace

rc::Gen<std::uint32_t> gen_bits(Format f) {
  const std::uint32_t mask = mask_of(f);
  return [mask](const rc::Random& random, int) {
    const auto v = static_cast<std::uint32_t>(rc::Random(random).next()) & mask;
    return rc::shrinkable::shrinkRecur(v, [](std::uint32_t x) { return rc::shrink::towards<std::uint32_t>(x, 0); });
  };
}

std::vector<std::uint32_t> special_values(Format f, const ElementwiseOp& op, const Params& params) {
  const FormatInfo& fi = info(f);
  const std::uint32_t sign = 1u << (fi.storage_bits - 1);
  const std::uint32_t exp_mask = ((1u << (fi.storage_bits - fi.precision)) - 1) << (fi.precision - 1);
  const std::uint32_t quiet = 1u << (fi.precision - 2);
  std::vector<std::uint32_t> v{
      0,                          // +0
      exp_mask,                   // +inf
      exp_mask | quiet,           // canonical quiet NaN
      exp_mask | 1,               // signalling NaN
      exp_mask | quiet | 1,       // quiet NaN with a payload
      1,                          // smallest subnormal
  };
  v.push_back((1u << (fi.precision - 1)) - 1);   // largest subnormal
  v.push_back(1u << (fi.precision - 1));         // smallest normal
  v.push_back(exp_mask - 1);                     // largest finite
  // 1e30 and max/2 make huge products; 7 and 10 are common clamp limits.
  for (double x : {1.0, 2.0, 0.5, 1e-3, 1e30, std::ldexp(1.0, fi.emax - 1), 7.0, 10.0})
    v.push_back(encode(f, round_to(f, x)));
  for (double x : op.activation->hard_inputs) v.push_back(encode(f, round_to(f, x)));
  // A threshold the inputs cross (ParamSpec::inputs_cross), as the format holds it, with the
  // values next to it in magnitude; the signs follow below.
  for (const ParamSpec& spec : op.params) {
    if (!spec.inputs_cross || !params.has(spec.name)) continue;
    const double value = std::fabs(params.get(spec.name));
    if (!std::isfinite(value)) continue;
    const std::uint32_t at = encode(f, round_to(f, value));
    v.push_back(at);
    if (at > 0) v.push_back(at - 1);             // the value below it
    if (at + 1 < exp_mask) v.push_back(at + 1);  // and above it
  }
  // Every value also with its sign flipped.
  const std::size_t n = v.size();
  for (std::size_t i = 0; i < n; ++i) v.push_back(v[i] ^ sign);
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

rc::Gen<std::uint32_t> gen_input_value(Format f, const ElementwiseOp& op, const Params& params) {
  return rc::gen::weightedOneOf<std::uint32_t>(
      {{3, gen_bits(f)}, {2, rc::gen::elementOf(special_values(f, op, params))}});
}

}  // namespace ulpcheck
