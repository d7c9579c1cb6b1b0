// The generic kernel of include/ulpcheck/device/cuda/act_and_mul.cuh on the device itself:
// shapes past 2^31 elements (64-bit offsets, both the vector and the scalar path), and the
// device forms of the shared math against their host forms over all 2^32 floats.
#include <cuda_runtime.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <thread>
#include <vector>

#include "tests/device/cuda/gpu_test_support.hpp"
#include "tests/device/cuda/planted_kernels.cuh"
#include "ulpcheck/device/cuda/elementwise_kernel.hpp"
#include "ulpcheck/device/math/silu.cuh"
#include "ulpcheck/device/registry.hpp"
#include "ulpcheck/reference/registry.hpp"

namespace ulpcheck {
namespace {

#define CUDA_OK(expr) ASSERT_EQ((expr), cudaSuccess) << #expr << ": " << cudaGetErrorString(cudaGetLastError())

/// A bit pattern per element from its 64-bit index (splitmix64), so inputs need no host copy.
__device__ std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

__global__ void fill_bf16(std::uint16_t* p, std::int64_t n) {
  for (std::int64_t i = blockIdx.x * std::int64_t{blockDim.x} + threadIdx.x; i < n; i += std::int64_t{gridDim.x} * blockDim.x)
    p[i] = static_cast<std::uint16_t>(mix(static_cast<std::uint64_t>(i)));
}

/// Recomputes every output with the same per-element function and 64-bit offsets, and
/// counts elements whose bits differ (NaN payloads aside) or that still hold the poison.
__global__ void count_wrong(const __nv_bfloat16* in, const __nv_bfloat16* out, std::int64_t tokens, std::int64_t d,
                            unsigned long long* wrong) {
  const math::SiluAndMulSingleRounding<Format::bf16, math::PortableExp> fn{};
  const std::int64_t n = tokens * d;
  unsigned long long local = 0;
  for (std::int64_t i = blockIdx.x * std::int64_t{blockDim.x} + threadIdx.x; i < n; i += std::int64_t{gridDim.x} * blockDim.x) {
    const std::int64_t t = i / d, c = i % d;
    const float g = __bfloat162float(in[t * 2 * d + c]);
    const float u = __bfloat162float(in[t * 2 * d + d + c]);
    const float want = fn(g, u, HUGE_VALF);
    const float got = __bfloat162float(out[i]);
    // A NaN result must be the kernel's own NaN, not the untouched 0xffff poison.
    const bool poisoned = __bfloat16_as_ushort(out[i]) == 0xffff;
    const bool ok = !poisoned && ((want != want && got != got) || __float_as_uint(want) == __float_as_uint(got));
    local += !ok;
  }
  if (local) atomicAdd(wrong, local);
}

/// Runs `kernel` on a generated [tokens, 2d] bf16 input and returns how many outputs are wrong.
unsigned long long wrong_outputs_on_large_shape(const cuda::CudaElementwiseKernel* kernel, std::int64_t tokens,
                                                std::int64_t d) {
  const std::int64_t in_elems = tokens * 2 * d, out_elems = tokens * d;
  EXPECT_GT(in_elems, std::int64_t{1} << 31) << "shape too small to test 64-bit offsets";
  const cuda::LaunchFn launch = kernel->launcher(*find_op("silu_and_mul"), Format::bf16);
  void *in = nullptr, *out = nullptr;
  unsigned long long* wrong = nullptr;
  unsigned long long host_wrong = ~0ull;
  if (cudaMalloc(&in, in_elems * 2) != cudaSuccess || cudaMalloc(&out, out_elems * 2) != cudaSuccess ||
      cudaMalloc(&wrong, sizeof *wrong) != cudaSuccess) {
    ADD_FAILURE() << "cudaMalloc failed: " << cudaGetErrorString(cudaGetLastError());
  } else {
    fill_bf16<<<4096, 256>>>(static_cast<std::uint16_t*>(in), in_elems);
    cudaMemset(out, 0xff, out_elems * 2);
    cudaMemset(wrong, 0, sizeof *wrong);
    EXPECT_EQ(launch(cuda::ElementwiseLaunch{in, out, tokens, d, {HUGE_VALF}, nullptr}), 0);
    count_wrong<<<4096, 256>>>(static_cast<const __nv_bfloat16*>(in), static_cast<const __nv_bfloat16*>(out), tokens, d,
                               wrong);
    // A kernel that faults counts as all wrong (~0): nothing it wrote can be trusted.
    const cudaError_t err = cudaDeviceSynchronize();
    if (err == cudaSuccess) cudaMemcpy(&host_wrong, wrong, sizeof host_wrong, cudaMemcpyDeviceToHost);
    else std::printf("%s: the kernel failed: %s\n", std::string(kernel->name()).c_str(), cudaGetErrorString(err));
  }
  std::printf("%s tokens=%lld d=%lld: %lld input elements, %lld outputs checked, %llu wrong\n",
              std::string(kernel->name()).c_str(), static_cast<long long>(tokens), static_cast<long long>(d),
              static_cast<long long>(in_elems), static_cast<long long>(out_elems), host_wrong);
  cudaFree(in);
  cudaFree(out);
  cudaFree(wrong);
  return host_wrong;
}

const cuda::CudaElementwiseKernel* builtin_single_rounding() {
  return dynamic_cast<const cuda::CudaElementwiseKernel*>(find_kernel("cuda.single_rounding"));
}

TEST(CudaActAndMul_bf16, VectorPathPastTwoToThe31Elements) {
  ULPCHECK_REQUIRE_GPU();
  // 2 * 8192 * 131073 = 2^31 + 16384 input elements
  EXPECT_EQ(wrong_outputs_on_large_shape(builtin_single_rounding(), 131073, 8192), 0u);
}

TEST(CudaActAndMul_bf16, ScalarPathPastTwoToThe31Elements) {
  ULPCHECK_REQUIRE_GPU();
  // d odd: the scalar loop; 2 * 8191 * 131089 > 2^31
  EXPECT_EQ(wrong_outputs_on_large_shape(builtin_single_rounding(), 131089, 8191), 0u);
}

TEST(CudaActAndMulDeathTest, PlantedInt32RowOffsetsAreCaughtPastTwoToThe31Elements) {
  ULPCHECK_REQUIRE_GPU();
  // The same check on a kernel that computes row offsets in int: rows past 2^31 / 2d read
  // and write the wrong place, or fault. A fault poisons the CUDA context for the rest of
  // the process, so the check runs in a child process of its own (exit 0: caught).
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(std::_Exit(wrong_outputs_on_large_shape(&cuda::planted::int32_row_offsets(), 131073, 8192) > 0 ? 0 : 1),
              ::testing::ExitedWithCode(0), "");
}

// --- the shared math, device form against host form, all 2^32 floats

template <Format F>
__global__ void count_rounding_mismatches(std::uint64_t begin, std::uint64_t n, unsigned long long* wrong) {
  unsigned long long local = 0;
  for (std::uint64_t i = blockIdx.x * std::uint64_t{blockDim.x} + threadIdx.x; i < n; i += std::uint64_t{gridDim.x} * blockDim.x) {
    const float x = __uint_as_float(static_cast<unsigned>(begin + i));
    const float a = math::round_to_storage<F>(x);           // conversion instruction
    const float b = math::round_to_storage_portable<F>(x);  // float arithmetic
    local += !((a != a && b != b) || __float_as_uint(a) == __float_as_uint(b));
  }
  if (local) atomicAdd(wrong, local);
}

template <Format F>
void expect_conversion_matches_portable_rounding() {
  unsigned long long* wrong = nullptr;
  ASSERT_EQ(cudaMalloc(&wrong, sizeof *wrong), cudaSuccess);
  ASSERT_EQ(cudaMemset(wrong, 0, sizeof *wrong), cudaSuccess);
  count_rounding_mismatches<F><<<8192, 256>>>(0, std::uint64_t{1} << 32, wrong);
  unsigned long long n = 1;
  ASSERT_EQ(cudaMemcpy(&n, wrong, sizeof n, cudaMemcpyDeviceToHost), cudaSuccess);
  cudaFree(wrong);
  std::printf("%s: all 2^32 floats, %llu differ between the conversion instruction and the portable rounding\n",
              std::string(name(F)).c_str(), n);
  EXPECT_EQ(n, 0u);
}

TEST(CudaStorageExhaustive, Bf16ConversionInstructionEqualsPortableRounding) {
  ULPCHECK_REQUIRE_GPU();
  expect_conversion_matches_portable_rounding<Format::bf16>();
}

TEST(CudaStorageExhaustive, Fp16ConversionInstructionEqualsPortableRounding) {
  ULPCHECK_REQUIRE_GPU();
  expect_conversion_matches_portable_rounding<Format::fp16>();
}

__global__ void exp_on_device(std::uint64_t begin, std::uint64_t n, float* out) {
  for (std::uint64_t i = blockIdx.x * std::uint64_t{blockDim.x} + threadIdx.x; i < n; i += std::uint64_t{gridDim.x} * blockDim.x)
    out[i] = math::exp_fp32(__uint_as_float(static_cast<unsigned>(begin + i)));
}

TEST(CudaExpExhaustive, DeviceExpEqualsHostExpOnAllFloats) {
  ULPCHECK_REQUIRE_GPU();
  constexpr std::uint64_t kChunk = std::uint64_t{1} << 28;
  float* dev = nullptr;
  CUDA_OK(cudaMalloc(&dev, kChunk * sizeof(float)));
  std::vector<float> got(kChunk);
  std::uint64_t differ = 0;
  const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  for (std::uint64_t begin = 0; begin < (std::uint64_t{1} << 32); begin += kChunk) {
    exp_on_device<<<8192, 256>>>(begin, kChunk, dev);
    CUDA_OK(cudaMemcpy(got.data(), dev, kChunk * sizeof(float), cudaMemcpyDeviceToHost));
    std::vector<std::uint64_t> counts(threads);
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < threads; ++t)
      pool.emplace_back([&, t] {
        for (std::uint64_t i = t; i < kChunk; i += threads) {
          const std::uint32_t bits = static_cast<std::uint32_t>(begin + i);
          float x;
          std::memcpy(&x, &bits, 4);
          const float want = math::exp_fp32(x);
          counts[t] += !((want != want && got[i] != got[i]) || std::memcmp(&want, &got[i], 4) == 0);
        }
      });
    for (auto& th : pool) th.join();
    for (auto c : counts) differ += c;
  }
  cudaFree(dev);
  std::printf("exp_fp32: all 2^32 floats, %llu differ between device and host\n", static_cast<unsigned long long>(differ));
  EXPECT_EQ(differ, 0u);
}

}  // namespace
}  // namespace ulpcheck
