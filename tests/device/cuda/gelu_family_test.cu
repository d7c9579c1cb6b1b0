#include <cuda_runtime.h>

#include <cmath>
#include <cstring>
#include <cstdint>

#include "tests/device/cuda/gelu_family_test.cuh"
#include "ulpcheck/device/math/gelu.cuh"

namespace ulpcheck {

namespace {

struct Worst {
  unsigned long long relative_bits;  // a non-negative double's bits order like the double
  unsigned long long ulp_bits;
  unsigned int x_bits;
};

__device__ double ulp_of_fp32(double r) {
  int e;
  frexp(fabs(r), &e);  // |r| = m 2^e, 1/2 <= m < 1
  return ldexp(1.0, max(e - 1, -126) - 23);
}

__global__ void tanh_approx_errors(std::uint64_t start, Worst* worst) {
  const std::uint64_t i = start + blockIdx.x * static_cast<std::uint64_t>(blockDim.x) + threadIdx.x;
  const auto bits = static_cast<unsigned int>(i);
  const float x = __uint_as_float(bits);
  if (!isfinite(x) || x == 0.0f) return;
  const double exact = tanh(static_cast<double>(x));
  const double err = fabs(static_cast<double>(math::tanh_approx(x)) - exact);
  const double rel = err / fabs(exact);
  const double ulp = err / ulp_of_fp32(exact);
  const auto rb = static_cast<unsigned long long>(__double_as_longlong(rel));
  if (atomicMax(&worst->relative_bits, rb) < rb) worst->x_bits = bits;  // racy x, exact max: good enough
  atomicMax(&worst->ulp_bits, static_cast<unsigned long long>(__double_as_longlong(ulp)));
}

}  // namespace

TanhApproxError tanh_approx_error_over_all_floats() {
  Worst* d = nullptr;
  cudaMalloc(&d, sizeof(Worst));
  cudaMemset(d, 0, sizeof(Worst));
  constexpr std::uint64_t kChunk = 1ull << 30;
  for (std::uint64_t start = 0; start < (1ull << 32); start += kChunk)
    tanh_approx_errors<<<static_cast<unsigned>(kChunk / 256), 256>>>(start, d);
  Worst h{};
  cudaMemcpy(&h, d, sizeof(Worst), cudaMemcpyDeviceToHost);
  cudaFree(d);
  TanhApproxError r;
  double rel, ulp;
  std::memcpy(&rel, &h.relative_bits, 8);
  std::memcpy(&ulp, &h.ulp_bits, 8);
  float x;
  std::memcpy(&x, &h.x_bits, 4);
  r.max_relative = rel;
  r.max_ulp = ulp;
  r.worst_x = x;
  return r;
}

}  // namespace ulpcheck
