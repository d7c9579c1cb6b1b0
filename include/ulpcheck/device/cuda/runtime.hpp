// What the CUDA runtime offers in this process: the GPU tests and the default-kernel choice
// ask here. Builds without CUDA answer "no device" with the reason.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

namespace ulpcheck::cuda {

/// True when this build has CUDA kernels and a device is usable.
bool device_available();

/// "NVIDIA H100 80GB HBM3 (sm_90, driver 13.0, runtime 13.0)" or why there is none:
/// "this build has no CUDA (ULPCHECK_CUDA=OFF)", "no CUDA device: <runtime's message>".
std::string device_description();

/// Where measured figures came from, for golden-file provenance. Without a device, each
/// field says why ("none (this build has no CUDA)", "none (no CUDA device: ...)").
struct Provenance {
  std::string device;          ///< "NVIDIA H100 80GB HBM3 (sm_90)"
  std::string cuda_runtime;    ///< "13.0"
  std::string driver;          ///< the CUDA version the driver supports, "13.0"
};
Provenance provenance();

/// While one lives, every CUDA error this thread meets names the kernel and its call:
/// "cuda.single_rounding: silu_and_mul [4, 16] bf16: cudaMalloc of 64 MiB failed: out of
/// memory (...)". An error that loses the CUDA context (an illegal address, say: every later
/// call of the process fails too) is a KernelCrash of cause device_lost.
class CallScope {
 public:
  CallScope(std::string kernel, std::string call);
  ~CallScope();
  CallScope(const CallScope&) = delete;
  CallScope& operator=(const CallScope&) = delete;

 private:
  std::string saved_;
};

/// Device memory that frees itself. Throws KernelError when CUDA is missing or fails.
class DeviceBuffer {
 public:
  explicit DeviceBuffer(std::size_t bytes);
  ~DeviceBuffer();
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;

  void* data() const { return ptr_; }
  std::size_t size() const { return bytes_; }
  void upload(const void* host, std::size_t bytes);
  void download(void* host, std::size_t bytes) const;
  /// Every byte 0xff: a NaN in bf16, fp16 and fp32, so an element a kernel never writes
  /// cannot pass for a result.
  void poison();

 private:
  void* ptr_ = nullptr;
  std::size_t bytes_ = 0;
};

/// Waits for the device and turns a pending error, or a launch of this thread's that failed,
/// into a KernelError naming `what` (or the CallScope's kernel and call).
void synchronize(const char* what);

/// Copies `bytes` between any two of host and device memory (unified addressing decides
/// which), after waiting for the device. Throws KernelError naming `what`.
void copy_any(void* dst, const void* src, std::size_t bytes, const char* what);

}  // namespace ulpcheck::cuda
