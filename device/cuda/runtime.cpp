#include "ulpcheck/device/cuda/runtime.hpp"

#include <cuda_runtime_api.h>
#include <fmt/format.h>

#include "ulpcheck/device/kernel.hpp"

namespace ulpcheck::cuda {

namespace {

void check(cudaError_t err, const char* what) {
  if (err != cudaSuccess) throw KernelError(fmt::format("CUDA: {} failed: {}", what, cudaGetErrorString(err)));
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

DeviceBuffer::DeviceBuffer(std::size_t bytes) : bytes_(bytes) {
  check(cudaMalloc(&ptr_, bytes), fmt::format("cudaMalloc of {} bytes", bytes).c_str());
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
  const cudaError_t err = cudaDeviceSynchronize();
  if (err != cudaSuccess) throw KernelError(fmt::format("{}: kernel failed: {}", what, cudaGetErrorString(err)));
}

void copy_any(void* dst, const void* src, std::size_t bytes, const char* what) {
  synchronize(what);
  const cudaError_t err = cudaMemcpy(dst, src, bytes, cudaMemcpyDefault);
  if (err != cudaSuccess) throw KernelError(fmt::format("{}: copy failed: {}", what, cudaGetErrorString(err)));
}

}  // namespace ulpcheck::cuda
