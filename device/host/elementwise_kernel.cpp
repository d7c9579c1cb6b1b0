#include "ulpcheck/device/host/elementwise_kernel.hpp"

#include <fmt/format.h>

#include <cmath>

namespace ulpcheck {

const HostOpImpl* HostElementwiseKernel::find(const ElementwiseOp& op) const {
  for (const HostOpImpl& impl : ops_)
    if (impl.op == &op) return &impl;
  return nullptr;
}

std::optional<Budget> HostElementwiseKernel::claim(const ElementwiseOp& op, Format f) const {
  const HostOpImpl* impl = find(op);
  if (!impl) return std::nullopt;
  return impl->claim[static_cast<int>(f)];
}

std::string HostElementwiseKernel::unsupported_params(const ElementwiseOp& op, Format f, const Params& params) const {
  const HostOpImpl* impl = find(op);
  return impl && impl->check_params ? impl->check_params(f, params) : std::string();
}

void HostElementwiseKernel::run(const ElementwiseOp& op, const Params& params,
                                const BitTensor& input, BitTensor& output) const {
  const HostOpImpl* impl = find(op);
  if (!impl) throw KernelError(fmt::format("{} does not implement {}", name_, op.name));
  const Format f = input.format;
  const std::int64_t d = output.cols;
  if (output.format != f || output.rows != input.rows || input.cols != op.arity * d)
    throw KernelError(fmt::format("{}: {} expects input [{}, {}] and output [{}, {}] of one format; got "
                                  "input [{}, {}] {} and output [{}, {}] {}",
                                  name_, op.name, output.rows, op.arity * d, output.rows, d,
                                  input.rows, input.cols, ulpcheck::name(input.format), output.rows,
                                  output.cols, ulpcheck::name(output.format)));
  const ElementFn fn = impl->fn[static_cast<int>(f)];
  const float limit = params.has("limit") ? static_cast<float>(params.get("limit")) : HUGE_VALF;
  for (std::int64_t r = 0; r < input.rows; ++r) {
    for (std::int64_t c = 0; c < d; ++c) {
      const auto x0 = static_cast<float>(decode(f, input.at(r, c)));
      const auto x1 = op.arity == 2 ? static_cast<float>(decode(f, input.at(r, d + c))) : 1.0f;
      output.at(r, c) = encode(f, fn(x0, x1, limit));
    }
  }
}

}  // namespace ulpcheck
