#include "ulpcheck/device/cuda/runtime.hpp"

#include <cuda_runtime_api.h>
#include <fmt/format.h>

#include "ulpcheck/device/isolation.hpp"
#include "ulpcheck/device/kernel.hpp"

namespace ulpcheck::cuda {

namespace {

/// "kernel: call: " of the innermost CallScope of this thread, or "".
thread_local std::string scope_label;

/// The errors after which the context is unusable: every later call returns them again
/// (CUDA's programming guide, "sticky" errors), so nothing more can be measured here.
bool loses_context(cudaError_t err) {
  switch (err) {
    case cudaErrorIllegalAddress:
    case cudaErrorLaunchFailure:
    case cudaErrorHardwareStackError:
    case cudaErrorIllegalInstruction:
    case cudaErrorMisalignedAddress:
    case cudaErrorInvalidAddressSpace:
    case cudaErrorInvalidPc:
    case cudaErrorAssert:
    case cudaErrorLaunchTimeout:
    case cudaErrorECCUncorrectable:
    case cudaErrorContextIsDestroyed:
      return true;
    default:
      return false;
  }
}

/// Throws the error of `what`, named by the scope (or `fallback` outside one); KernelCrash
/// when the context is lost.
[[noreturn]] void fail(cudaError_t err, const std::string& what, const char* fallback) {
  const std::string who = !scope_label.empty() ? scope_label : fallback ? fmt::format("{}: ", fallback) : "CUDA: ";
  std::string message = fmt::format("{}{} failed: {}", who, what, cudaGetErrorString(err));
  if (err == cudaErrorMemoryAllocation) {
    std::size_t free = 0, total = 0;
    if (cudaMemGetInfo(&free, &total) == cudaSuccess)
      message += fmt::format(" ({:.1f} MiB of {:.1f} MiB free on the device)", free / 1048576.0, total / 1048576.0);
    cudaGetLastError();  // not sticky: the next call may succeed
  }
  if (loses_context(err))
    throw KernelCrash(message + "; the CUDA context is lost, so no later CUDA call of this process can succeed",
                      KernelCrash::Cause::device_lost);
  throw KernelError(message);
}

void check(cudaError_t err, const std::string& what) {
  if (err != cudaSuccess) fail(err, what, nullptr);
}

struct Probe {
  bool available = false;
  std::string description;
  Provenance provenance;
};

const Probe& probe() {
  static const Probe p = [] {
    Probe r;
    int count = 0;
    const cudaError_t err = cudaGetDeviceCount(&count);
    if (err != cudaSuccess || count == 0) {
      r.description = fmt::format("no CUDA device: {}", err != cudaSuccess ? cudaGetErrorString(err) : "none found");
      cudaGetLastError();  // clear the sticky state of a failed probe
      const std::string none = fmt::format("none ({})", r.description);
      r.provenance = {none, none, none};
      return r;
    }
    cudaDeviceProp prop{};
    int driver = 0, runtime = 0;
    cudaGetDeviceProperties(&prop, 0);
    cudaDriverGetVersion(&driver);
    cudaRuntimeGetVersion(&runtime);
    r.available = true;
    r.description = fmt::format("{} (sm_{}{}, {} SMs, driver CUDA {}.{}, runtime {}.{})", prop.name, prop.major,
                                prop.minor, prop.multiProcessorCount, driver / 1000, driver % 1000 / 10,
                                runtime / 1000, runtime % 1000 / 10);
    r.provenance = {fmt::format("{} (sm_{}{})", prop.name, prop.major, prop.minor),
                    fmt::format("{}.{}", runtime / 1000, runtime % 1000 / 10),
                    fmt::format("{}.{}", driver / 1000, driver % 1000 / 10)};
    return r;
  }();
  return p;
}

}  // namespace

bool device_available() { return probe().available; }
std::string device_description() { return probe().description; }
Provenance provenance() { return probe().provenance; }

CallScope::CallScope(std::string kernel, std::string call)
    : saved_(std::exchange(scope_label, fmt::format("{}: {}: ", kernel, call))) {}
CallScope::~CallScope() { scope_label = std::move(saved_); }

DeviceBuffer::DeviceBuffer(std::size_t bytes) : bytes_(bytes) {
  check(cudaMalloc(&ptr_, bytes), fmt::format("cudaMalloc of {} bytes", bytes));
}
DeviceBuffer::~DeviceBuffer() {
  if (ptr_) cudaFree(ptr_);
}
void DeviceBuffer::upload(const void* host, std::size_t bytes) {
  check(cudaMemcpy(ptr_, host, bytes, cudaMemcpyHostToDevice), "copy to device");
}
void DeviceBuffer::download(void* host, std::size_t bytes) const {
  check(cudaMemcpy(host, ptr_, bytes, cudaMemcpyDeviceToHost), "copy from device");
}
void DeviceBuffer::poison() { check(cudaMemset(ptr_, 0xff, bytes_), "poisoning the output"); }

void synchronize(const char* what) {
  if (const cudaError_t err = cudaDeviceSynchronize(); err != cudaSuccess) fail(err, "the kernel", what);
  // A launch that never started leaves no error for the device to return.
  if (const cudaError_t err = cudaGetLastError(); err != cudaSuccess) fail(err, "a launch", what);
}

void copy_any(void* dst, const void* src, std::size_t bytes, const char* what) {
  synchronize(what);
  if (const cudaError_t err = cudaMemcpy(dst, src, bytes, cudaMemcpyDefault); err != cudaSuccess)
    fail(err, "a copy", what);
}

}  // namespace ulpcheck::cuda
