// The host routing kernels: the per-token math of device/math/routing.cuh over every token.
#include <fmt/format.h>

#include <array>
#include <string>
#include <vector>

#include "ulpcheck/device/host/routing_kernel.hpp"
#include "ulpcheck/device/routing_variants.hpp"
#include "ulpcheck/device/tensor.hpp"

namespace ulpcheck::host {

namespace {

using routing_variants::Variant;

template <class Sigmoid, bool Epsilon>
void route_all(const math::RoutingShape& c, const RoutingInputs& in, RoutingOutputs& out) {
  const int E = c.experts;
  std::vector<float> logits(static_cast<std::size_t>(E)), bias(static_cast<std::size_t>(E)), s(logits.size()),
      b(logits.size()), group_score(static_cast<std::size_t>(c.n_group));
  // bool arrays the math can write through a pointer (std::vector<bool> has none).
  std::unique_ptr<bool[]> kept(new bool[static_cast<std::size_t>(c.n_group)]), taken(new bool[logits.size()]);
  for (int e = 0; e < E; ++e) bias[static_cast<std::size_t>(e)] = static_cast<float>(decode(in.bias_format, in.bias[static_cast<std::size_t>(e)]));
  for (std::int64_t t = 0; t < in.tokens; ++t) {
    for (int e = 0; e < E; ++e)
      logits[static_cast<std::size_t>(e)] =
          static_cast<float>(decode(in.logits_format, in.logits[static_cast<std::size_t>(t * E + e)]));
    math::route_token<Sigmoid, Epsilon>(c, logits.data(), bias.data(), s.data(), b.data(), group_score.data(),
                                        kept.get(), taken.get(), out.ids.data() + t * c.topk,
                                        out.weights.data() + t * c.topk);
  }
}

class HostRoutingKernel final : public RoutingKernel {
 public:
  explicit HostRoutingKernel(const Variant& v) : variant_(v), name_(fmt::format("host.routing_{}", v.suffix)) {}
  std::string_view name() const override { return name_; }
  std::string_view description() const override { return variant_.description; }
  std::optional<RoutingClaim> claim(const RoutingConfig& c, Format logits, Format bias) const override {
    return routing_variants::claim(variant_, c, logits, bias);
  }
  void run(const RoutingConfig& c, const RoutingInputs& in, RoutingOutputs& out) const override {
    require_valid_run(name_, c, in, out);
    const math::RoutingShape shape = routing_variants::shape(variant_, c, in.logits_format);
    const bool tanh = variant_.sigmoid == routing_variants::Sigmoid::tanh;
    if (tanh && variant_.epsilon) route_all<math::SigmoidTanh, true>(shape, in, out);
    else if (tanh) route_all<math::SigmoidTanh, false>(shape, in, out);
    else if (variant_.epsilon) route_all<math::SigmoidExp, true>(shape, in, out);
    else route_all<math::SigmoidExp, false>(shape, in, out);
  }

 private:
  const Variant& variant_;
  std::string name_;
};

}  // namespace

std::span<const RoutingKernel* const> builtin_routing_kernels() {
  static const HostRoutingKernel fp32(routing_variants::kFp32), input(routing_variants::kInputDtype),
      tanh(routing_variants::kTanhSigmoid), no_eps(routing_variants::kNoEpsilon);
  static const auto all = std::to_array<const RoutingKernel*>({&fp32, &input, &tanh, &no_eps});
  return all;
}

}  // namespace ulpcheck::host
