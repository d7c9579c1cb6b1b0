// cuBLAS as a GEMM under test (device/cuda/cublas_gemm.cpp). The library is not linked: it
// is opened at run time (dlopen of libcublas.so.13, or the path in the environment variable
// ULPCHECK_CUBLAS), so the bundle for the GPU machine stays small and builds need no cuBLAS.
#pragma once

#include <string>

#include "ulpcheck/device/gemm_kernel.hpp"

namespace ulpcheck::cuda {

/// The cuBLAS GEMM kernel "cuda.gemm_cublas"; nullptr in a build without CUDA. Its run
/// throws KernelError when cuBLAS or a device is missing.
const GemmKernel* cublas_gemm_kernel();

/// Empty when cuBLAS was opened and its functions found; else why not ("cuBLAS not found:
/// <dlerror>", a missing symbol, or this build has no CUDA).
std::string cublas_unavailable();

/// The library opened and its version ("libcublas.so.13, cuBLAS 130100"), or why none was.
std::string cublas_description();

}  // namespace ulpcheck::cuda
