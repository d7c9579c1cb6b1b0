#include "ulpcheck/device/table_kernel.hpp"

#include <fmt/format.h>

namespace ulpcheck {

void throw_not_implemented(std::string_view kernel, const ElementwiseOp& op) {
  throw KernelError(fmt::format("{} does not implement {}", kernel, op.name));
}

void throw_shape_mismatch(std::string_view kernel, const ElementwiseOp& op, const BitTensor& input,
                          const BitTensor& output) {
  throw KernelError(fmt::format("{}: {} expects input [{}, {}] and output [{}, {}] of one format; got input [{}, {}] "
                                "{} and output [{}, {}] {}",
                                kernel, op.name, output.rows, op.arity * output.cols, output.rows, output.cols,
                                input.rows, input.cols, name(input.format), output.rows, output.cols,
                                name(output.format)));
}

}  // namespace ulpcheck
