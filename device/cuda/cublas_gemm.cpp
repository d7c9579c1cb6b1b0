// cuBLAS's GEMM as a kernel under test (include/ulpcheck/device/cuda/cublas_gemm.hpp):
// cublasGemmEx with inputs and output in the storage format and CUBLAS_COMPUTE_32F, the
// call engines make for a bf16/fp16 expert layer. Only cuBLAS's types come from its header;
// its functions are found with dlsym in the library opened at run time.
#include "ulpcheck/device/cuda/cublas_gemm.hpp"

#include <cublas_api.h>
#include <dlfcn.h>
#include <fmt/format.h>
#include <glob.h>

#include <algorithm>
#include <cstdlib>
#include <mutex>

#include "ulpcheck/device/cuda/runtime.hpp"
#include "ulpcheck/device/tensor.hpp"

namespace ulpcheck::cuda {

namespace {

using CreateFn = cublasStatus_t (*)(cublasHandle_t*);
using GetVersionFn = cublasStatus_t (*)(cublasHandle_t, int*);
using StatusStringFn = const char* (*)(cublasStatus_t);
using GemmExFn = cublasStatus_t (*)(cublasHandle_t, cublasOperation_t, cublasOperation_t, int, int, int, const void*,
                                    const void*, cudaDataType, int, const void*, cudaDataType, int, const void*, void*,
                                    cudaDataType, int, cublasComputeType_t, cublasGemmAlgo_t);

/// The library and the few functions used, opened once per process. Never closed: the
/// handle made from it lives as long as the process.
struct CublasLibrary {
  std::string path;
  std::string unavailable;
  CreateFn create = nullptr;
  GetVersionFn get_version = nullptr;
  StatusStringFn status_string = nullptr;
  GemmExFn gemm_ex = nullptr;
};

/// Where libcublas.so.13 is looked for when the loader's own search (LD_LIBRARY_PATH, the
/// cache) does not find it: the toolkit, and the nvidia-cublas wheel that Python images
/// carry (CUDA 13's wheels put it in nvidia/cu13/lib, earlier ones in nvidia/cublas/lib).
constexpr const char* kCublasPlaces[] = {
    "/usr/local/cuda/lib64/libcublas.so.13",
    "/usr/local/cuda-13*/lib64/libcublas.so.13",
    "/usr/local/lib/python3*/*-packages/nvidia/cu13/lib/libcublas.so.13",
    "/usr/local/lib/python3*/*-packages/nvidia/cublas/lib/libcublas.so.13",
    "/usr/lib/python3*/*-packages/nvidia/cu13/lib/libcublas.so.13",
    "/usr/lib/python3*/*-packages/nvidia/cublas/lib/libcublas.so.13",
    "/opt/conda/lib/python3*/site-packages/nvidia/cu13/lib/libcublas.so.13",
};

/// dlopen of `path`, or of the first match of kCublasPlaces when `path` is the soname and
/// the loader cannot find it; sets lib.path to what was opened.
void* open_cublas_file(CublasLibrary& lib, bool overridden, std::string& why) {
  if (void* h = dlopen(lib.path.c_str(), RTLD_NOW | RTLD_LOCAL)) return h;
  const char* error = dlerror();
  why = error ? error : lib.path;
  if (overridden) return nullptr;
  for (const char* pattern : kCublasPlaces) {
    glob_t found{};
    if (glob(pattern, 0, nullptr, &found) == 0)
      for (std::size_t i = 0; i < found.gl_pathc; ++i)
        if (void* h = dlopen(found.gl_pathv[i], RTLD_NOW | RTLD_LOCAL)) {
          lib.path = found.gl_pathv[i];
          globfree(&found);
          return h;
        }
    globfree(&found);
  }
  why += "; not in /usr/local/cuda/lib64 nor in an nvidia-cublas Python wheel either";
  return nullptr;
}

CublasLibrary open_cublas() {
  CublasLibrary lib;
  const char* override_path = std::getenv("ULPCHECK_CUBLAS");
  const bool overridden = override_path && *override_path;
  lib.path = overridden ? override_path : "libcublas.so.13";
  std::string why;
  void* handle = open_cublas_file(lib, overridden, why);
  if (!handle) {
    lib.unavailable = fmt::format("cuBLAS not found: {} (set ULPCHECK_CUBLAS to the path of libcublas.so.13)", why);
    return lib;
  }
  const auto find = [&](const char* symbol) {
    void* p = dlsym(handle, symbol);
    if (!p && lib.unavailable.empty())
      lib.unavailable = fmt::format("cuBLAS not usable: {} has no symbol {}", lib.path, symbol);
    return p;
  };
  lib.create = reinterpret_cast<CreateFn>(find("cublasCreate_v2"));
  lib.get_version = reinterpret_cast<GetVersionFn>(find("cublasGetVersion_v2"));
  lib.status_string = reinterpret_cast<StatusStringFn>(find("cublasGetStatusString"));
  lib.gemm_ex = reinterpret_cast<GemmExFn>(find("cublasGemmEx"));
  return lib;
}

const CublasLibrary& cublas_library() {
  static const CublasLibrary lib = open_cublas();
  return lib;
}

/// One handle per process, made on first use (it needs a device). Not destroyed: at exit
/// the statically linked runtime may already be gone.
cublasHandle_t cublas_handle(const char* what) {
  static std::once_flag once;
  static cublasHandle_t handle = nullptr;
  static cublasStatus_t status = CUBLAS_STATUS_SUCCESS;
  const CublasLibrary& lib = cublas_library();
  if (!lib.unavailable.empty()) throw KernelError(fmt::format("{}: {}", what, lib.unavailable));
  std::call_once(once, [&] { status = lib.create(&handle); });
  if (status != CUBLAS_STATUS_SUCCESS)
    throw KernelError(fmt::format("{}: cublasCreate failed: {}", what, lib.status_string(status)));
  return handle;
}

cudaDataType cublas_type(Format f) {
  switch (f) {
    case Format::bf16: return CUDA_R_16BF;
    case Format::fp16: return CUDA_R_16F;
    case Format::fp32: break;
  }
  return CUDA_R_32F;
}

class CublasGemmKernel final : public GemmKernel {
 public:
  std::string_view name() const override { return "cuda.gemm_cublas"; }
  std::string_view description() const override {
    return "cublasGemmEx, inputs and output in storage, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT, default math mode";
  }
  /// Tensor-core accumulation is not documented to round to nearest; the claim allows each
  /// fp32 addition an error of a whole unit (2^-23) rather than half of one.
  GemmClaim claim(Format, std::int64_t depth) const override { return fp32_accumulation_claim(depth, 0x1p-23); }

  void run(Format f, GemmShape s, const std::vector<std::uint32_t>& a, const std::vector<std::uint32_t>& b,
           std::vector<std::uint32_t>& c) const override {
    require_valid_gemm(name(), s, a, b, c);
    if (s.m == 0 || s.n == 0) return;
    if (!device_available()) throw KernelError(fmt::format("{}: {}", name(), device_description()));
    const CublasLibrary& lib = cublas_library();
    cublasHandle_t handle = cublas_handle("cuda.gemm_cublas");
    const std::vector<unsigned char> ab = to_storage_bytes(BitTensor{f, s.m, s.k, a});
    const std::vector<unsigned char> bb = to_storage_bytes(BitTensor{f, s.k, s.n, b});
    BitTensor out{f, s.m, s.n, c};
    DeviceBuffer da(ab.size()), db(bb.size()), dc(std::max<std::size_t>(c.size() * element_bytes(f), 1));
    da.upload(ab.data(), ab.size());
    db.upload(bb.data(), bb.size());
    dc.poison();
    // Row-major C = A B is column-major C^T = B^T A^T: B as the first operand (n x k,
    // leading dimension n), A as the second (k x m, leading dimension k).
    const float alpha = 1.0f, beta = 0.0f;
    const cudaDataType t = cublas_type(f);
    const cublasStatus_t status = lib.gemm_ex(
        handle, CUBLAS_OP_N, CUBLAS_OP_N, static_cast<int>(s.n), static_cast<int>(s.m), static_cast<int>(s.k), &alpha,
        db.data(), t, static_cast<int>(s.n), da.data(), t, static_cast<int>(s.k), &beta, dc.data(), t,
        static_cast<int>(s.n), CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT);
    if (status != CUBLAS_STATUS_SUCCESS)
      throw KernelError(fmt::format("cuda.gemm_cublas: cublasGemmEx m={} k={} n={} {} failed: {}", s.m, s.k, s.n,
                                    name_of(f), lib.status_string(status)));
    synchronize("cuda.gemm_cublas");
    std::vector<unsigned char> bytes(c.size() * element_bytes(f));
    dc.download(bytes.data(), bytes.size());
    from_storage_bytes(bytes, out);
    c = std::move(out.bits);
  }

 private:
  static std::string_view name_of(Format f) { return ulpcheck::name(f); }
};

}  // namespace

const GemmKernel* cublas_gemm_kernel() {
  static const CublasGemmKernel kernel;
  return &kernel;
}

std::string cublas_unavailable() { return cublas_library().unavailable; }

std::string cublas_description() {
  const CublasLibrary& lib = cublas_library();
  if (!lib.unavailable.empty()) return lib.unavailable;
  if (!device_available()) return fmt::format("{} (opened; no device to start it on)", lib.path);
  int version = 0;
  try {
    if (lib.get_version(cublas_handle("cuBLAS version"), &version) != CUBLAS_STATUS_SUCCESS) version = 0;
  } catch (const KernelError& e) {
    return fmt::format("{} ({})", lib.path, e.what());
  }
  return fmt::format("{}, cuBLAS {}", lib.path, version);
}

}  // namespace ulpcheck::cuda
