// The CUDA combine kernels, laid out as the engines' finalize kernels are: one block per
// token, its topk weights in registers of every thread, threads striding over the hidden
// dimension so that each of the k routed rows is read in coalesced sweeps. The arithmetic
// per element is device/math/combine.cuh, the host kernels' own lines.
#include <cuda_runtime.h>

#include "ulpcheck/device/cuda/combine_launch.hpp"
#include "ulpcheck/device/math/storage.cuh"

namespace ulpcheck::cuda {

namespace {

constexpr int kMaxTopk = 32;
constexpr int kThreads = 256;

__global__ void combine_tokens(CombineLaunch l) {
  const math::CombineShape& c = l.shape;
  const std::int64_t t = blockIdx.x;
  float w[kMaxTopk];
  for (int k = 0; k < c.topk; ++k) w[k] = l.weights[t * c.topk + k];
  for (int h = static_cast<int>(threadIdx.x); h < c.hidden; h += blockDim.x) {
    const std::int64_t row = t * c.topk;
    const auto y = [&](int k) { return math::load_format(l.routed, c.format, (row + k) * c.hidden + h); };
    const float shared = math::load_format(l.shared, c.format, t * c.hidden + h);
    l.out[t * c.hidden + h] = math::combine_element(c, y, w, shared);
  }
}

}  // namespace

int launch_combine(const CombineLaunch& l) {
  if (l.tokens == 0) return cudaSuccess;
  combine_tokens<<<static_cast<unsigned>(l.tokens), kThreads>>>(l);
  return cudaGetLastError();
}

}  // namespace ulpcheck::cuda
