#include "device/abi/abi_support.hpp"

#include <cctype>
#include <cstring>

#include "ulpcheck/device/kernel.hpp"

namespace ulpcheck::abi {

std::uint32_t dtype_bit(Format f) {
  switch (f) {
    case Format::bf16: return ULPCHECK_DTYPE_BF16;
    case Format::fp16: return ULPCHECK_DTYPE_FP16;
    case Format::fp32: return ULPCHECK_DTYPE_FP32;
  }
  return 0;
}

std::optional<Format> format_of_bit(std::uint32_t bit) {
  for (Format f : all_formats())
    if (dtype_bit(f) == bit) return f;
  return std::nullopt;
}

std::string dtypes_help() {
  return "ULPCHECK_DTYPE_BF16 (1), ULPCHECK_DTYPE_FP16 (2) and ULPCHECK_DTYPE_FP32 (4)";
}

std::string check_dtypes(const char* field, std::uint32_t dtypes) {
  if (dtypes == 0) return fmt::format("{} is 0; declare a bitwise OR of {}", field, dtypes_help());
  if (dtypes & ~kKnownDtypes)
    return fmt::format("{} 0x{:x} has unknown bits 0x{:x}; the dtype bits are {}", field, dtypes,
                       dtypes & ~kKnownDtypes, dtypes_help());
  return {};
}

std::string check_memory(std::int32_t memory) {
  if (memory == ULPCHECK_MEMORY_HOST || memory == ULPCHECK_MEMORY_CUDA) return {};
  return fmt::format("unknown memory kind {}; expected ULPCHECK_MEMORY_HOST (0) or ULPCHECK_MEMORY_CUDA (1)", memory);
}

DLDataType dl_dtype(Format f) {
  DLDataType t{};
  t.code = static_cast<std::uint8_t>(f == Format::bf16 ? kDLBfloat : kDLFloat);
  t.bits = static_cast<std::uint8_t>(info(f).storage_bits);
  t.lanes = 1;
  return t;
}

DLDataType dl_int32() {
  DLDataType t{};
  t.code = kDLInt;
  t.bits = 32;
  t.lanes = 1;
  return t;
}

Tensor::Tensor(void* data, DLDataType dtype, std::vector<std::int64_t> dims, std::int32_t memory)
    : shape(std::move(dims)) {
  t.data = data;
  t.device = memory == ULPCHECK_MEMORY_CUDA ? DLDevice{kDLCUDA, 0} : DLDevice{kDLCPU, 0};
  t.ndim = static_cast<std::int32_t>(shape.size());
  t.dtype = dtype;
  t.shape = shape.data();
  t.strides = nullptr;
  t.byte_offset = 0;
}

Staging::Staging(std::int32_t memory, std::vector<unsigned char> bytes) : host_(std::move(bytes)) {
  if (host_.empty()) host_.resize(1);  // a buffer for an empty tensor still has an address
  if (memory == ULPCHECK_MEMORY_CUDA) {
    device_ = std::make_unique<cuda::DeviceBuffer>(host_.size());
    device_->upload(host_.data(), host_.size());
  }
}

Staging::Staging(std::int32_t memory, std::size_t size, const Isolation& isolation)
    : host_(std::max<std::size_t>(size, 1), 0xff) {
  if (memory == ULPCHECK_MEMORY_CUDA) {
    device_ = std::make_unique<cuda::DeviceBuffer>(host_.size());
    device_->poison();
  } else if (isolation.enabled) {
    shared_.emplace(host_.size());
    std::memset(shared_->data(), 0xff, host_.size());
  }
}

void* Staging::data() {
  if (device_) return device_->data();
  return shared_ ? shared_->data() : host_.data();
}

const std::vector<unsigned char>& Staging::fetch() {
  if (device_) device_->download(host_.data(), host_.size());
  if (shared_) std::memcpy(host_.data(), shared_->data(), host_.size());
  return host_;
}

RunOutcome call_run(const Isolation& isolation, const std::string& kernel, const std::string& call,
                    const std::function<int(char*, std::size_t)>& run) {
  return run_isolated<RunOutcome>(isolation, kernel, call, [&] {
    RunOutcome out;
    out.code = run(out.error, sizeof out.error);
    return out;
  });
}

void check_outcome(const std::string& kernel, RunOutcome& outcome) {
  if (outcome.code != 0) throw_run_failed(kernel, outcome.code, outcome.error, sizeof outcome.error);
}

void require_memory(const std::string& kernel, std::int32_t memory) {
  if (memory == ULPCHECK_MEMORY_CUDA && !cuda::device_available())
    throw KernelError(fmt::format("{}: {}", kernel, cuda::device_description()));
}

void finish(const std::string& kernel, std::int32_t memory) {
  if (memory == ULPCHECK_MEMORY_CUDA) cuda::synchronize(kernel.c_str());
}

void throw_run_failed(const std::string& kernel, int code, char* error, std::size_t size) {
  error[size - 1] = '\0';  // a kernel that filled the buffer without a NUL
  std::string message = error;
  while (!message.empty() && std::isspace(static_cast<unsigned char>(message.back()))) message.pop_back();
  throw KernelError(fmt::format("{}: run failed (code {}): {}", kernel, code,
                                message.empty() ? "(the kernel gave no message)" : message));
}

}  // namespace ulpcheck::abi
