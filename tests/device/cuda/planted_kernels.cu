#include "tests/device/cuda/planted_kernels.cuh"

#include "ulpcheck/device/cuda/act_and_mul.cuh"
#include "ulpcheck/device/math/silu.cuh"
#include "ulpcheck/device/silu_family_claims.hpp"
#include "ulpcheck/reference/registry.hpp"

namespace ulpcheck::cuda::planted {

namespace {

using Single = math::SiluAndMulSingleRounding<Format::bf16, math::PortableExp>;

/// Both bugs in one template: Tail drops the scalar remainder, Int32 indexes with int.
template <Format F, class Fn, bool Tail, bool Int32>
__global__ void buggy_kernel(typename DeviceStorage<F>::T* out, const typename DeviceStorage<F>::T* in, std::int64_t d64,
                             float limit) {
  using S = DeviceStorage<F>;
  using T = typename S::T;
  constexpr int kVec = 16 / sizeof(T);
  const Fn fn{};
  if constexpr (Int32) {
    const int d = static_cast<int>(d64);
    const int token = blockIdx.x;
    const T* x0 = in + token * 2 * d;  // overflows int past 2^31 elements
    T* y = out + token * d;
    for (int i = threadIdx.x; i < d; i += blockDim.x) y[i] = S::store(fn(S::load(x0[i]), S::load(x0[d + i]), limit));
  } else {
    const std::int64_t token = blockIdx.x;
    const T* x0 = in + token * 2 * d64;
    T* y = out + token * d64;
    for (std::int64_t v = threadIdx.x; v < d64 / kVec; v += blockDim.x)
      for (int j = 0; j < kVec; ++j) {
        const std::int64_t i = v * kVec + j;
        y[i] = S::store(fn(S::load(x0[i]), S::load(x0[d64 + i]), limit));
      }
    (void)Tail;
  }
}

template <Format F, class Fn, bool Tail, bool Int32>
int launch_buggy(const ElementwiseLaunch& l) {
  using T = typename DeviceStorage<F>::T;
  if (l.tokens == 0 || l.d == 0) return cudaSuccess;
  buggy_kernel<F, Fn, Tail, Int32><<<static_cast<unsigned>(l.tokens), 256, 0, static_cast<cudaStream_t>(l.stream)>>>(
      static_cast<T*>(l.output), static_cast<const T*>(l.input), l.d, l.params[0]);
  return cudaGetLastError();
}

template <bool Tail, bool Int32>
std::array<LaunchFn, 3> buggy_launches() {
  return {&launch_buggy<Format::bf16, math::SiluAndMulSingleRounding<Format::bf16, math::PortableExp>, Tail, Int32>,
          &launch_buggy<Format::fp16, math::SiluAndMulSingleRounding<Format::fp16, math::PortableExp>, Tail, Int32>,
          &launch_buggy<Format::fp32, math::SiluAndMulSingleRounding<Format::fp32, math::PortableExp>, Tail, Int32>};
}

std::array<LaunchFn, 3> fast_exp_launches() {
  return {&launch_act_and_mul<Format::bf16, math::SiluAndMulSingleRounding<Format::bf16, math::FastExp>, true>,
          &launch_act_and_mul<Format::fp16, math::SiluAndMulSingleRounding<Format::fp16, math::FastExp>, true>,
          &launch_act_and_mul<Format::fp32, math::SiluAndMulSingleRounding<Format::fp32, math::FastExp>, true>};
}

template <Format F>
int launch_too_wide(const ElementwiseLaunch& l) {
  using T = typename DeviceStorage<F>::T;
  buggy_kernel<F, math::SiluAndMulSingleRounding<F, math::PortableExp>, false, false>
      <<<static_cast<unsigned>(l.tokens), 2048, 0, static_cast<cudaStream_t>(l.stream)>>>(
          static_cast<T*>(l.output), static_cast<const T*>(l.input), l.d, l.params[0]);
  return cudaSuccess;  // the bug: the launch's own error is never asked for
}

}  // namespace

const CudaElementwiseKernel& unchecked_failed_launch() {
  static const CudaOpImpl ops[] = {
      {find_op("silu_and_mul"),
       {&launch_too_wide<Format::bf16>, &launch_too_wide<Format::fp16>, &launch_too_wide<Format::fp32>},
       silu_budgets::kSingle}};
  static const CudaElementwiseKernel k{"planted.cuda_unchecked_failed_launch", "planted", ops};
  return k;
}

const CudaElementwiseKernel& vector_tail_dropped() {
  static const CudaOpImpl ops[] = {{find_op("silu_and_mul"), buggy_launches<true, false>(), silu_budgets::kSingle}};
  static const CudaElementwiseKernel k{"planted.cuda_vector_tail_dropped", "planted", ops};
  return k;
}

const CudaElementwiseKernel& fast_exp_under_accurate_budget() {
  static const CudaOpImpl ops[] = {{find_op("silu_and_mul"), fast_exp_launches(), silu_budgets::kSingle},
                                   {find_op("silu"), launches<math::SiluUnary, math::FastExp, false>(), silu_budgets::kSingle}};
  static const CudaElementwiseKernel k{"planted.cuda_fast_exp_under_accurate_budget", "planted", ops};
  return k;
}

const CudaElementwiseKernel& int32_row_offsets() {
  static const CudaOpImpl ops[] = {{find_op("silu_and_mul"), buggy_launches<false, true>(), silu_budgets::kSingle}};
  static const CudaElementwiseKernel k{"planted.cuda_int32_row_offsets", "planted", ops};
  return k;
}

}  // namespace ulpcheck::cuda::planted
