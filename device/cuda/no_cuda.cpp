// A build without CUDA (ULPCHECK_CUDA=OFF): no CUDA kernels, and every question about a
// device gets the reason.
#include "ulpcheck/device/cuda/combine_kernel.hpp"
#include "ulpcheck/device/cuda/cublas_gemm.hpp"
#include "ulpcheck/device/cuda/elementwise_kernel.hpp"
#include "ulpcheck/device/cuda/routing_kernel.hpp"
#include "ulpcheck/device/cuda/runtime.hpp"
#include "ulpcheck/device/sweep/sweep.hpp"

namespace ulpcheck::cuda {

/// Why there is no device, for every answer below.
constexpr const char* kNoCuda = "this build has no CUDA (configured with ULPCHECK_CUDA=OFF or without nvcc)";

bool device_available() { return false; }
std::string device_description() { return kNoCuda; }
Provenance provenance() {
  const std::string none = std::string("none (") + kNoCuda + ")";
  return {none, none, none};
}
std::span<const Kernel* const> builtin_kernels() { return {}; }
std::span<const RoutingKernel* const> builtin_routing_kernels() { return {}; }
std::span<const CombineKernel* const> builtin_combine_kernels() { return {}; }
const GemmKernel* cublas_gemm_kernel() { return nullptr; }
std::string cublas_unavailable() { return kNoCuda; }
std::string cublas_description() { return kNoCuda; }

CallScope::CallScope(std::string, std::string) {}
CallScope::~CallScope() = default;
DeviceBuffer::DeviceBuffer(std::size_t) { throw KernelError(kNoCuda); }
DeviceBuffer::~DeviceBuffer() = default;
void DeviceBuffer::upload(const void*, std::size_t) { throw KernelError(kNoCuda); }
void DeviceBuffer::download(void*, std::size_t) const { throw KernelError(kNoCuda); }
void DeviceBuffer::poison() { throw KernelError(kNoCuda); }
void synchronize(const char*) { throw KernelError(kNoCuda); }
void copy_any(void*, const void*, std::size_t, const char*) { throw KernelError(kNoCuda); }

}  // namespace ulpcheck::cuda

namespace ulpcheck::sweep {

struct Sweep::Device {};
Sweep::Sweep(Plan) { throw KernelError(cuda::kNoCuda); }
Sweep::~Sweep() = default;
Figures Sweep::run(std::vector<Escalated>&, const RowProgress&) { throw KernelError(cuda::kNoCuda); }
const PassTimes& Sweep::times() const { throw KernelError(cuda::kNoCuda); }

}  // namespace ulpcheck::sweep
