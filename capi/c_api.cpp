// ulpcheck.h: the C functions, each a guard around the C++ library. No exception crosses
// the boundary: every one becomes a status and a message.
#include "ulpcheck/ulpcheck.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "capi/commands.hpp"
#include "ulpcheck/device/abi_kernels.hpp"
#include "ulpcheck/device/cuda/runtime.hpp"
#include "ulpcheck/device/plugin.hpp"
#include "ulpcheck/device/registry.hpp"
#include "ulpcheck/golden/elementwise/golden_file.hpp"
#include "ulpcheck/runs/request_error.hpp"
#include "ulpcheck/version.hpp"

struct ulpcheck_result {
  ulpcheck::capi::Outcome outcome;
};

namespace {

using namespace ulpcheck;

constexpr int kDone = 0, kKernelFailed = 1, kBadInput = 2;

void set_error(char* error, std::size_t size, const std::string& message) {
  if (!error || size == 0) return;
  const std::size_t n = std::min(message.size(), size - 1);
  std::memcpy(error, message.data(), n);
  error[n] = '\0';
}

/// One call at a time per process: the kernel tables and the oracle's caches are shared. A
/// kernel callback that calls back into the API would wait on itself; it gets an error.
std::mutex& api_mutex() {
  static auto* m = new std::mutex;
  return *m;
}
std::thread::id& api_owner() {
  static std::thread::id owner;
  return owner;
}

/// Runs `body`, turning what it throws into a status and a message: a kernel that could not
/// run is 1; what the caller gave (a request, a descriptor, a plugin, a golden file, a
/// tensor) is bad input, 2; anything else is ulpcheck's own failure, 1.
template <class Body>
int status_of(char* error, std::size_t size, Body&& body) {
  try {
    body();
    set_error(error, size, "");
    return kDone;
  } catch (const KernelError& e) {
    set_error(error, size, e.what());
    return kKernelFailed;
  } catch (const std::exception& e) {
    const bool bad_input = dynamic_cast<const RequestError*>(&e) || dynamic_cast<const DescriptorError*>(&e) ||
                           dynamic_cast<const PluginError*>(&e) || dynamic_cast<const golden::GoldenError*>(&e);
    set_error(error, size, bad_input ? std::string(e.what()) : fmt::format("ulpcheck: internal error: {}", e.what()));
    return bad_input ? kBadInput : kKernelFailed;
  }
}

/// status_of under the API lock.
template <class Body>
int guarded(char* error, std::size_t size, Body&& body) {
  if (api_owner() == std::this_thread::get_id()) {
    set_error(error, size, "ulpcheck: called from inside a kernel callback of a running ulpcheck call");
    return kBadInput;
  }
  std::lock_guard lock(api_mutex());
  api_owner() = std::this_thread::get_id();
  struct Release {
    ~Release() { api_owner() = std::thread::id(); }
  } release;
  return status_of(error, size, body);
}

/// Kernels registered through the API: each call's kernels live until its last name is
/// unregistered.
struct Registration {
  AbiKernels kernels;
  std::set<std::string> live;
};
std::map<std::string, std::shared_ptr<Registration>>& registered() {
  static auto* r = new std::map<std::string, std::shared_ptr<Registration>>;
  return *r;
}

std::string shape_text(const DLTensor& t) {
  std::string out = "[";
  for (int i = 0; i < t.ndim; ++i) out += fmt::format("{}{}", i ? ", " : "", t.shape[i]);
  return out + "]";
}

/// "float32", "bfloat16", "int32"; "code 5 bits 8" for a type code without a name here.
std::string dtype_text(const DLDataType& d) {
  switch (d.code) {
    case kDLFloat: return fmt::format("float{}", d.bits);
    case kDLBfloat: return fmt::format("bfloat{}", d.bits);
    case kDLInt: return fmt::format("int{}", d.bits);
    case kDLUInt: return fmt::format("uint{}", d.bits);
    default: return fmt::format("code {} bits {}", d.code, d.bits);
  }
}

/// Element offsets of a row-major walk over t, in elements (strides may be NULL).
void for_each_offset(const DLTensor& t, int dim, std::int64_t base, const std::function<void(std::int64_t)>& f) {
  if (dim == t.ndim) return f(base);
  std::int64_t stride = 1;
  if (t.strides) stride = t.strides[dim];
  else
    for (int i = dim + 1; i < t.ndim; ++i) stride *= t.shape[i];
  for (std::int64_t i = 0; i < t.shape[dim]; ++i) for_each_offset(t, dim + 1, base + i * stride, f);
}

bool contiguous(const DLTensor& t) {
  if (!t.strides) return true;
  std::int64_t expect = 1;
  for (int i = t.ndim - 1; i >= 0; --i) {
    if (t.shape[i] != 1 && t.strides[i] != expect) return false;
    expect *= t.shape[i];
  }
  return true;
}

void copy_tensor(const DLTensor& src, DLTensor& dst) {
  if (src.dtype.code != dst.dtype.code || src.dtype.bits != dst.dtype.bits || src.dtype.lanes != dst.dtype.lanes)
    throw RequestError(fmt::format("dtype {}, expected {}", dtype_text(src.dtype), dtype_text(dst.dtype)));
  if (src.ndim != dst.ndim || !std::equal(src.shape, src.shape + src.ndim, dst.shape))
    throw RequestError(fmt::format("shape {}, expected {}", shape_text(src), shape_text(dst)));
  const std::size_t width = (src.dtype.bits * src.dtype.lanes + 7) / 8;
  std::int64_t n = 1;
  for (int i = 0; i < src.ndim; ++i) n *= src.shape[i];
  const auto* from = static_cast<const unsigned char*>(src.data) + src.byte_offset;
  auto* to = static_cast<unsigned char*>(dst.data) + dst.byte_offset;
  const bool host = src.device.device_type == kDLCPU && dst.device.device_type == kDLCPU;
  if (!host) {
    for (const DLTensor* t : {&src, static_cast<const DLTensor*>(&dst)})
      if (t->device.device_type != kDLCPU && t->device.device_type != kDLCUDA)
        throw RequestError(fmt::format("device type {}: only CPU and CUDA memory are copied", static_cast<int>(t->device.device_type)));
    if (!contiguous(src) || !contiguous(dst))
      throw RequestError("a CUDA tensor with strides that are not row-major; make it contiguous first");
    cuda::copy_any(to, from, static_cast<std::size_t>(n) * width, "ulpcheck_copy_tensor");
    return;
  }
  if (contiguous(src) && contiguous(dst)) {
    std::memcpy(to, from, static_cast<std::size_t>(n) * width);
    return;
  }
  std::vector<std::int64_t> src_offsets;
  for_each_offset(src, 0, 0, [&](std::int64_t o) { src_offsets.push_back(o); });
  std::size_t i = 0;
  for_each_offset(dst, 0, 0, [&](std::int64_t o) {
    std::memcpy(to + o * static_cast<std::int64_t>(width), from + src_offsets[i++] * static_cast<std::int64_t>(width), width);
  });
}

}  // namespace

extern "C" {

int ulpcheck_api_version(void) { return ULPCHECK_API_VERSION; }
int ulpcheck_kernel_abi_version(void) { return ULPCHECK_KERNEL_ABI_VERSION; }
const char* ulpcheck_version(void) { return "ulpcheck " ULPCHECK_VERSION; }

int ulpcheck_register_kernels(const ulpcheck_elementwise_kernel* elementwise, uint32_t elementwise_count,
                              const ulpcheck_routing_kernel* routing, uint32_t routing_count, char* error,
                              size_t error_size) {
  return guarded(error, error_size, [&] {
    if (elementwise_count && !elementwise)
      throw RequestError(fmt::format("elementwise_count is {} but elementwise is NULL", elementwise_count));
    if (routing_count && !routing) throw RequestError(fmt::format("routing_count is {} but routing is NULL", routing_count));
    if (!elementwise_count && !routing_count) throw RequestError("no kernels given (both counts are 0)");
    auto r = std::make_shared<Registration>();
    r->kernels = make_abi_kernels({elementwise, elementwise_count}, {routing, routing_count});
    register_kernels(r->kernels);
    for (const std::string& name : r->kernels.names()) {
      r->live.insert(name);
      registered()[name] = r;
    }
  });
}

int ulpcheck_unregister_kernel(const char* name, char* error, size_t error_size) {
  return guarded(error, error_size, [&] {
    if (!name) throw RequestError("name is NULL");
    const auto it = registered().find(name);
    if (it == registered().end())
      throw RequestError(fmt::format("no kernel named '{}' was registered through ulpcheck_register_kernels", name));
    remove_kernel(name);
    it->second->live.erase(name);
    registered().erase(it);
  });
}

int ulpcheck_load_plugin(const char* path, char* error, size_t error_size) {
  return guarded(error, error_size, [&] { load_plugin(path ? path : ""); });
}

int ulpcheck_run(const char* request_json, ulpcheck_result** result, char* error, size_t error_size) {
  if (result) *result = nullptr;
  return guarded(error, error_size, [&] {
    if (!result) throw RequestError("result is NULL; pass the address of an ulpcheck_result*");
    if (!request_json) throw RequestError("request is NULL");
    auto out = std::make_unique<ulpcheck_result>();
    out->outcome = capi::run_request(capi::parse_request(request_json));
    *result = out.release();
  });
}

int ulpcheck_result_passed(const ulpcheck_result* result) { return result && result->outcome.passed ? 1 : 0; }
const char* ulpcheck_result_explanation(const ulpcheck_result* result) {
  return result ? result->outcome.explanation.c_str() : "";
}
const char* ulpcheck_result_json(const ulpcheck_result* result) { return result ? result->outcome.json.c_str() : ""; }
const char* ulpcheck_result_markdown(const ulpcheck_result* result) {
  return result ? result->outcome.markdown.c_str() : "";
}
void ulpcheck_result_free(ulpcheck_result* result) { delete result; }

int ulpcheck_copy_tensor(const DLTensor* src, DLTensor* dst, char* error, size_t error_size) {
  // Not under the API lock: kernel callbacks call it while ulpcheck_run holds it.
  return status_of(error, error_size, [&] {
    if (!src || !dst) throw RequestError("src or dst is NULL");
    copy_tensor(*src, *dst);
  });
}

}  // extern "C"
