// The GEMM claim and the host GEMM (device/gemm_kernel.hpp).
#include "ulpcheck/device/gemm_kernel.hpp"

#include <fmt/format.h>

#include <cmath>

namespace ulpcheck {

GemmClaim fp32_accumulation_claim(std::int64_t depth, double unit) {
  // gamma(depth + 1): one rounding more than additions, which keeps the bound for kernels
  // that round each product before adding it (no fused multiply-add).
  const double nu = static_cast<double>(depth + 1) * unit;
  const double gamma_plus = nu / (1.0 - nu);
  return GemmClaim{
      .max_ulp = 1.0, .relative = 2.0 * gamma_plus, .absolute = 2.0 * static_cast<double>(depth + 1) * 0x1p-150};
}

void require_valid_gemm(std::string_view kernel, GemmShape s, const std::vector<std::uint32_t>& a,
                        const std::vector<std::uint32_t>& b, const std::vector<std::uint32_t>& c) {
  if (s.m < 0 || s.k < 0 || s.n < 0)
    throw KernelError(fmt::format("{}: shape m={} k={} n={} has a negative size", kernel, s.m, s.k, s.n));
  const auto check = [&](const char* what, const std::vector<std::uint32_t>& v, std::int64_t rows, std::int64_t cols) {
    if (v.size() != static_cast<std::size_t>(rows * cols))
      throw KernelError(
          fmt::format("{}: {} has {} elements; [{}, {}] is {}", kernel, what, v.size(), rows, cols, rows * cols));
  };
  check("a", a, s.m, s.k);
  check("b", b, s.k, s.n);
  check("c", c, s.m, s.n);
}

namespace {

class HostGemmKernel final : public GemmKernel {
 public:
  std::string_view name() const override { return "host.gemm_fp32_accumulate"; }
  std::string_view description() const override {
    return "fmaf into an fp32 accumulator over k in order, one rounding to storage";
  }
  GemmClaim claim(Format, std::int64_t depth) const override { return fp32_accumulation_claim(depth); }
  void run(Format f, GemmShape s, const std::vector<std::uint32_t>& a, const std::vector<std::uint32_t>& b,
           std::vector<std::uint32_t>& c) const override {
    require_valid_gemm(name(), s, a, b, c);
    std::vector<float> av(a.size()), bv(b.size());
    for (std::size_t i = 0; i < a.size(); ++i) av[i] = static_cast<float>(decode(f, a[i]));
    for (std::size_t i = 0; i < b.size(); ++i) bv[i] = static_cast<float>(decode(f, b[i]));
    std::vector<float> acc(static_cast<std::size_t>(s.n));
    for (std::int64_t r = 0; r < s.m; ++r) {
      std::fill(acc.begin(), acc.end(), 0.0f);
      for (std::int64_t i = 0; i < s.k; ++i) {
        const float x = av[static_cast<std::size_t>(r * s.k + i)];
        const float* row = bv.data() + i * s.n;
        for (std::int64_t j = 0; j < s.n; ++j)
          acc[static_cast<std::size_t>(j)] = std::fmaf(x, row[j], acc[static_cast<std::size_t>(j)]);
      }
      for (std::int64_t j = 0; j < s.n; ++j)
        c[static_cast<std::size_t>(r * s.n + j)] =
            encode(f, round_to(f, static_cast<double>(acc[static_cast<std::size_t>(j)])));
    }
  }
};

}  // namespace

const GemmKernel& host_gemm_kernel() {
  static const HostGemmKernel kernel;
  return kernel;
}

}  // namespace ulpcheck
