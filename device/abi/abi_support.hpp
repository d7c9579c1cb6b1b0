// What the elementwise and routing adapters of kernel_abi.h share: dtype bits and DLPack
// dtypes of formats, tensors over host or device buffers, and the error a failed run gives.
// Internal to device/.
#pragma once

#include <dlpack/dlpack.h>
#include <fmt/format.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ulpcheck/device/cuda/runtime.hpp"
#include "ulpcheck/device/isolation.hpp"
#include "ulpcheck/kernel_abi.h"
#include "ulpcheck/reference/format.hpp"

namespace ulpcheck::abi {

inline constexpr std::uint32_t kKnownDtypes = ULPCHECK_DTYPE_BF16 | ULPCHECK_DTYPE_FP16 | ULPCHECK_DTYPE_FP32;

/// The ABI's dtype bit of a format; the ABI's per-dtype arrays use Format's order.
std::uint32_t dtype_bit(Format f);
/// The format of one dtype bit, or nullopt for anything else.
std::optional<Format> format_of_bit(std::uint32_t bit);
/// "ULPCHECK_DTYPE_BF16 (1), ULPCHECK_DTYPE_FP16 (2) and ULPCHECK_DTYPE_FP32 (4)"
std::string dtypes_help();
/// Empty when `dtypes` is a valid bitwise OR of dtype bits; otherwise what is wrong with
/// the field `field`.
std::string check_dtypes(const char* field, std::uint32_t dtypes);
/// Empty for ULPCHECK_MEMORY_HOST or ULPCHECK_MEMORY_CUDA; otherwise what is wrong.
std::string check_memory(std::int32_t memory);

DLDataType dl_dtype(Format f);
DLDataType dl_int32();

/// A contiguous row-major tensor over `data` of the given shape (kept in the tensor's own
/// storage: DLTensor points at it).
struct Tensor {
  std::vector<std::int64_t> shape;
  DLTensor t{};
  Tensor(void* data, DLDataType dtype, std::vector<std::int64_t> dims, std::int32_t memory);
  Tensor(const Tensor&) = delete;
  Tensor& operator=(const Tensor&) = delete;
};

/// Copies host bytes to where the kernel wants them and back: host memory as is, device
/// memory through CUDA. One per tensor a run hands over.
class Staging {
 public:
  /// `bytes` to hand over (an input), or `size` poisoned bytes (an output: 0xff each), in
  /// memory a child process writes back when the kernel runs isolated.
  Staging(std::int32_t memory, std::vector<unsigned char> bytes);
  Staging(std::int32_t memory, std::size_t size, const Isolation& isolation);
  void* data();
  /// The bytes as the kernel left them.
  const std::vector<unsigned char>& fetch();

 private:
  std::vector<unsigned char> host_;
  std::optional<SharedBytes> shared_;           ///< an isolated host kernel's output
  std::unique_ptr<cuda::DeviceBuffer> device_;  ///< for ULPCHECK_MEMORY_CUDA
};

/// What a run function returned: its code and the message it wrote.
struct RunOutcome {
  int code = 0;
  char error[1024] = {};
};

/// Calls a descriptor's run function (`run(error, error_size)` returns its code), in this
/// process or, with isolation on, in a child; `call` says which call for a crash's message.
RunOutcome call_run(const Isolation& isolation, const std::string& kernel, const std::string& call,
                    const std::function<int(char*, std::size_t)>& run);

/// Throws KernelError("<kernel>: no GPU ...") when a CUDA-memory kernel cannot run here.
void require_memory(const std::string& kernel, std::int32_t memory);
/// After a CUDA-memory kernel returned: waits for the device, naming the kernel on error.
void finish(const std::string& kernel, std::int32_t memory);
/// Throws the KernelError of a run that returned `code` != 0 with `error` (maybe not
/// NUL-terminated, maybe empty).
[[noreturn]] void throw_run_failed(const std::string& kernel, int code, char* error, std::size_t size);
/// Throws that KernelError when `outcome` is a failure.
void check_outcome(const std::string& kernel, RunOutcome& outcome);

}  // namespace ulpcheck::abi
