// Combine kernels that must fail a report: a correct host kernel whose claim is made too tight
// (its arithmetic is right; what it declares is not), and one that cannot run. Shared by the
// report tests of runs/ and reports/.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ulpcheck/device/combine_kernel.hpp"

namespace ulpcheck::testing {

/// host.combine_fold_storage_sum's arithmetic (k products and k - 1 sums rounded to storage)
/// claiming 1 ULP and no floor: a correctly rounded claim it cannot keep.
class TightClaimCombineKernel final : public CombineKernel {
 public:
  std::string_view name() const override { return "planted.combine_tight_claim"; }
  std::string_view description() const override {
    return "host.combine_fold_storage_sum's arithmetic, claiming 1 ULP with no floor";
  }
  std::optional<CombineClaim> claim(const CombineConfig& c, Format f) const override {
    if (!base().claim(c, f)) return std::nullopt;
    return CombineClaim{.max_ulp = 1.0, .relative = 0.0, .absolute = 0.0};
  }
  void run(const CombineConfig& c, const CombineInputs& in, std::vector<std::uint32_t>& out) const override {
    base().run(c, in, out);
  }

 private:
  static const CombineKernel& base() { return *find_combine_kernel("host.combine_fold_storage_sum"); }
};

/// A kernel that claims every config and format and never runs (a CUDA kernel without a GPU,
/// a plugin's own error).
class UnrunnableCombineKernel final : public CombineKernel {
 public:
  std::string_view name() const override { return "planted.combine_unrunnable"; }
  std::string_view description() const override { return "throws KernelError on every run"; }
  std::optional<CombineClaim> claim(const CombineConfig&, Format) const override { return CombineClaim{}; }
  void run(const CombineConfig&, const CombineInputs&, std::vector<std::uint32_t>&) const override {
    throw KernelError("planted.combine_unrunnable: no device");
  }
};

}  // namespace ulpcheck::testing
