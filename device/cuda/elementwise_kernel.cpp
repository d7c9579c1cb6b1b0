#include "ulpcheck/device/cuda/elementwise_kernel.hpp"

#include <cuda_runtime_api.h>
#include <fmt/format.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "ulpcheck/device/cuda/runtime.hpp"

namespace ulpcheck::cuda {

namespace {

std::size_t element_bytes(Format f) { return static_cast<std::size_t>(info(f).storage_bits / 8); }

/// BitTensor (one uint32 per element) to the packed device layout and back.
std::vector<unsigned char> pack(const BitTensor& t) {
  const std::size_t eb = element_bytes(t.format);
  std::vector<unsigned char> out(t.bits.size() * eb);
  for (std::size_t i = 0; i < t.bits.size(); ++i) {
    if (eb == 2) {
      const auto v = static_cast<std::uint16_t>(t.bits[i]);
      std::memcpy(&out[i * 2], &v, 2);
    } else {
      std::memcpy(&out[i * 4], &t.bits[i], 4);
    }
  }
  return out;
}

void unpack(const std::vector<unsigned char>& bytes, BitTensor& t) {
  const std::size_t eb = element_bytes(t.format);
  for (std::size_t i = 0; i < t.bits.size(); ++i) {
    if (eb == 2) {
      std::uint16_t v;
      std::memcpy(&v, &bytes[i * 2], 2);
      t.bits[i] = v;
    } else {
      std::memcpy(&t.bits[i], &bytes[i * 4], 4);
    }
  }
}

}  // namespace

const CudaOpImpl* CudaElementwiseKernel::find(const ElementwiseOp& op) const {
  for (const CudaOpImpl& impl : ops_)
    if (impl.op == &op) return &impl;
  return nullptr;
}

std::optional<Budget> CudaElementwiseKernel::claim(const ElementwiseOp& op, Format f) const {
  const CudaOpImpl* impl = find(op);
  if (!impl) return std::nullopt;
  return impl->claim[static_cast<int>(f)];
}

std::string CudaElementwiseKernel::unsupported_params(const ElementwiseOp& op, Format f, const Params& params) const {
  const CudaOpImpl* impl = find(op);
  return impl && impl->check_params ? impl->check_params(f, params) : std::string();
}

LaunchFn CudaElementwiseKernel::launcher(const ElementwiseOp& op, Format f) const {
  const CudaOpImpl* impl = find(op);
  return impl ? impl->launch[static_cast<int>(f)] : nullptr;
}

void CudaElementwiseKernel::run(const ElementwiseOp& op, const Params& params, const BitTensor& input,
                                BitTensor& output) const {
  const CudaOpImpl* impl = find(op);
  if (!impl) throw KernelError(fmt::format("{} does not implement {}", name_, op.name));
  const Format f = input.format;
  const std::int64_t d = output.cols;
  if (output.format != f || output.rows != input.rows || input.cols != op.arity * d)
    throw KernelError(fmt::format("{}: {} expects input [{}, {}] and output [{}, {}] of one format; got input [{}, {}] "
                                  "{} and output [{}, {}] {}",
                                  name_, op.name, output.rows, op.arity * d, output.rows, d, input.rows, input.cols,
                                  ulpcheck::name(input.format), output.rows, output.cols, ulpcheck::name(output.format)));
  if (!device_available()) throw KernelError(fmt::format("{}: {}", name_, device_description()));

  const std::vector<unsigned char> host_in = pack(input);
  std::vector<unsigned char> host_out(output.bits.size() * element_bytes(f));
  DeviceBuffer in(std::max<std::size_t>(host_in.size(), 1)), out(std::max<std::size_t>(host_out.size(), 1));
  in.upload(host_in.data(), host_in.size());
  out.poison();
  const float limit = params.has("limit") ? static_cast<float>(params.get("limit")) : HUGE_VALF;
  const int err = impl->launch[static_cast<int>(f)](ElementwiseLaunch{in.data(), out.data(), input.rows, d, limit, nullptr});
  if (err != cudaSuccess)
    throw KernelError(fmt::format("{}: launch of {} [{}, {}] {} failed: {}", name_, op.name, input.rows, input.cols,
                                  ulpcheck::name(f), cudaGetErrorString(static_cast<cudaError_t>(err))));
  synchronize(name_.data());
  out.download(host_out.data(), host_out.size());
  unpack(host_out, output);
  // The built-in kernels produce NaN only through arithmetic or the conversion
  // instructions, which give the canonical NaN (sign bit clear), never all ones: an
  // element still holding the poison was not written.
  const std::uint32_t poison = info(f).storage_bits == 16 ? 0xffffu : 0xffffffffu;
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
