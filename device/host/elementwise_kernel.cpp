#include "ulpcheck/device/host/elementwise_kernel.hpp"

#include "ulpcheck/device/param_slots.hpp"

namespace ulpcheck {

void HostElementwiseKernel::run(const ElementwiseOp& op, const Params& params,
                                const BitTensor& input, BitTensor& output) const {
  const HostOpImpl& impl = row_for_run(op, input, output);
  const Format f = input.format;
  const std::int64_t d = output.cols;
  const ElementFn fn = impl.fn[static_cast<int>(f)];
  const ParamSlots p = param_slots(op, params);
  for (std::int64_t r = 0; r < input.rows; ++r) {
    for (std::int64_t c = 0; c < d; ++c) {
      const auto x0 = static_cast<float>(decode(f, input.at(r, c)));
      const auto x1 = op.arity == 2 ? static_cast<float>(decode(f, input.at(r, d + c))) : 1.0f;
      output.at(r, c) = encode(f, fn(x0, x1, p[0]));
    }
  }
}

}  // namespace ulpcheck
