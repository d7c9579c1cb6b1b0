// A CUDA plugin whose one kernel writes through a null device pointer: the illegal address
// loses the process's CUDA context, which tests/device/cuda/faults_test.cpp checks ulpcheck
// reports with the kernel and its call named, exit 2, the results so far kept and no file
// half-written.
#include <cuda_runtime.h>

#include "ulpcheck/kernel_abi.h"

namespace {

__global__ void write_through_null(float* out) { out[threadIdx.x] = 1.0f; }

int illegal_address(const char*, const ulpcheck_param*, uint32_t, const DLTensor*, DLTensor*, void* stream, void*,
                    char*, size_t) {
  write_through_null<<<1, 32, 0, static_cast<cudaStream_t>(stream)>>>(nullptr);
  return 0;  // the fault comes later, when ulpcheck waits for the device
}

const ulpcheck_elementwise_kernel kKernels[] = {
    {"faulty_gpu.illegal_address", "writes through a null device pointer", "silu_and_mul", ULPCHECK_DTYPE_FP32,
     ULPCHECK_MEMORY_CUDA, {-1, -1, -1}, {0, 0, 0}, 0, nullptr, illegal_address, nullptr},
};

const ulpcheck_plugin_v2 kPlugin = {ULPCHECK_KERNEL_ABI_VERSION, 1, kKernels, 0, nullptr};

}  // namespace

ULPCHECK_PLUGIN_EXPORT const ulpcheck_plugin_v2* ulpcheck_plugin_entry(void) { return &kPlugin; }
