#include "tests/device/cuda/sweep_oracle.cuh"

#include <cuda_runtime.h>

#include <stdexcept>

#include "ulpcheck/reference/tiers/tiers.hpp"

namespace ulpcheck::test {
namespace {

template <class Tier>
__global__ void pairs(Format f, const PreparedGate* gates, const double* ups, const std::uint32_t* g,
                      const std::uint32_t* u, Decided* out, std::int64_t n) {
  for (std::int64_t i = blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<std::int64_t>(gridDim.x) * blockDim.x)
    out[i] = pair_exact<Tier>(f, gates[g[i]], ups[u[i]]);
}

template <class Tier>
__global__ void unary(Format f, const double* x, Decided* out, std::int64_t n) {
  for (std::int64_t i = blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<std::int64_t>(gridDim.x) * blockDim.x)
    out[i] = unary_exact<Tier>(f, x[i]);
}

template <class T>
T* to_device(const std::vector<T>& v) {
  T* p = nullptr;
  if (cudaMalloc(&p, v.size() * sizeof(T)) != cudaSuccess) throw std::runtime_error("cudaMalloc failed");
  cudaMemcpy(p, v.data(), v.size() * sizeof(T), cudaMemcpyHostToDevice);
  return p;
}

std::vector<Decided> collect(Decided* d, std::size_t n) {
  if (cudaDeviceSynchronize() != cudaSuccess) throw std::runtime_error("the oracle kernel failed");
  std::vector<Decided> out(n);
  cudaMemcpy(out.data(), d, n * sizeof(Decided), cudaMemcpyDeviceToHost);
  cudaFree(d);
  return out;
}

}  // namespace

std::vector<Decided> pair_exact_on_gpu(ActivationKind kind, Format f, const std::vector<PreparedGate>& gates,
                                       const std::vector<double>& ups, const std::vector<std::uint32_t>& gate_bits,
                                       const std::vector<std::uint32_t>& up_bits) {
  PreparedGate* dg = to_device(gates);
  double* du = to_device(ups);
  std::uint32_t* g = to_device(gate_bits);
  std::uint32_t* u = to_device(up_bits);
  Decided* out = to_device(std::vector<Decided>(gate_bits.size()));
  with_tier(kind, [&](auto tier) {
    pairs<decltype(tier)><<<1024, 256>>>(f, dg, du, g, u, out, static_cast<std::int64_t>(gate_bits.size()));
    return 0;
  });
  std::vector<Decided> r = collect(out, gate_bits.size());
  for (void* p : {static_cast<void*>(dg), static_cast<void*>(du), static_cast<void*>(g), static_cast<void*>(u)}) cudaFree(p);
  return r;
}

std::vector<Decided> unary_exact_on_gpu(ActivationKind kind, Format f, const std::vector<double>& x) {
  double* dx = to_device(x);
  Decided* out = to_device(std::vector<Decided>(x.size()));
  with_tier(kind, [&](auto tier) {
    unary<decltype(tier)><<<1024, 256>>>(f, dx, out, static_cast<std::int64_t>(x.size()));
    return 0;
  });
  std::vector<Decided> r = collect(out, x.size());
  cudaFree(dx);
  return r;
}

}  // namespace ulpcheck::test
