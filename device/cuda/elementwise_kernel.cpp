#include "ulpcheck/device/cuda/elementwise_kernel.hpp"

#include <cuda_runtime_api.h>
#include <fmt/format.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "ulpcheck/device/cuda/runtime.hpp"

namespace ulpcheck::cuda {

LaunchFn CudaElementwiseKernel::launcher(const ElementwiseOp& op, Format f) const {
  const CudaOpImpl* impl = find(op);
  return impl ? impl->launch[static_cast<int>(f)] : nullptr;
}

DeviceRun CudaElementwiseKernel::device_run(const ElementwiseOp& op, Format f, const Params& params) const {
  const LaunchFn launch = launcher(op, f);
  if (!launch) return {};
  return [launch, slots = param_slots(op, params), name = std::string(name_)](const DeviceCall& c) {
    const int err = launch(ElementwiseLaunch{c.input, c.output, c.rows, c.d, slots, nullptr});
    if (err != cudaSuccess)
      throw KernelError(fmt::format("launch of {} failed: {}", name, cudaGetErrorString(static_cast<cudaError_t>(err))));
  };
}

void CudaElementwiseKernel::run(const ElementwiseOp& op, const Params& params, const BitTensor& input,
                                BitTensor& output) const {
  const CudaOpImpl& impl = row_for_run(op, input, output);
  const Format f = input.format;
  const std::int64_t d = output.cols;
  if (!device_available()) throw KernelError(fmt::format("{}: {}", name_, device_description()));
  const CallScope scope(std::string(name_), fmt::format("{} [{}, {}] {}", op.name, input.rows, input.cols, ulpcheck::name(f)));

  const std::vector<unsigned char> host_in = to_storage_bytes(input);
  std::vector<unsigned char> host_out(output.bits.size() * element_bytes(f));
  DeviceBuffer in(std::max<std::size_t>(host_in.size(), 1)), out(std::max<std::size_t>(host_out.size(), 1));
  in.upload(host_in.data(), host_in.size());
  out.poison();
  const int err = impl.launch[static_cast<int>(f)](
      ElementwiseLaunch{in.data(), out.data(), input.rows, d, param_slots(op, params), nullptr});
  if (err != cudaSuccess)
    throw KernelError(fmt::format("{}: launch of {} [{}, {}] {} failed: {}", name_, op.name, input.rows, input.cols,
                                  ulpcheck::name(f), cudaGetErrorString(static_cast<cudaError_t>(err))));
  synchronize(name_.data());
  out.download(host_out.data(), host_out.size());
  from_storage_bytes(host_out, output);
  // The built-in kernels produce NaN only through arithmetic or the conversion
  // instructions, which give the canonical NaN (sign bit clear), never all ones: an
  // element still holding the poison was not written.
  const std::uint32_t poison = poison_bits(f);
  std::int64_t unwritten = 0, first = -1;
  for (std::size_t i = 0; i < output.bits.size(); ++i)
    if (output.bits[i] == poison && unwritten++ == 0) first = static_cast<std::int64_t>(i);
  if (unwritten)
    throw KernelError(fmt::format("{}: {} [{}, {}] {}: {} output elements were never written (first at row {}, "
                                  "column {})",
                                  name_, op.name, input.rows, input.cols, ulpcheck::name(f), unwritten, first / d,
                                  first % d));
}

}  // namespace ulpcheck::cuda
