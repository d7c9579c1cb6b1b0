// Holding a kernel to its op's default budget (ElementwiseOp::default_budget, derived in
// reference/ops/silu.cpp and gelu.cpp) instead of its own claim, on the inputs `ulpcheck
// report` measures by default: what a plugin kernel that declares max_ulp < 0 meets. Shared
// by the host and CUDA tests of the single-rounding kernels.
#pragma once

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "ulpcheck/device/kernel.hpp"
#include "ulpcheck/properties/compare.hpp"
#include "ulpcheck/properties/inputs.hpp"
#include "ulpcheck/properties/measure.hpp"
#include "ulpcheck/reference/op.hpp"

namespace ulpcheck::testing {

/// `ulpcheck report`'s default inputs (cli/report.cpp: kDefaultSamples and --seed's
/// default): every value of a 16-bit format for a unary op, otherwise 10^6 random bit
/// patterns from seed 1.
inline constexpr std::int64_t kReportSamples = 1'000'000;
inline constexpr std::uint64_t kReportSeed = 1;

inline InputSet report_inputs(const ElementwiseOp& op, Format f) {
  return checks_every_input(op, f) ? all_values(f) : random_bits(f, op.arity, kReportSamples, kReportSeed);
}

/// Another kernel's arithmetic, claiming for every (op, dtype) it implements the op's
/// default budget, as the plugin loader does for a kernel that declares max_ulp < 0.
class HeldToDefault final : public Kernel {
 public:
  explicit HeldToDefault(const Kernel& inner) : inner_(inner), name_(fmt::format("{} (op default)", inner.name())) {}
  std::string_view name() const override { return name_; }
  std::string_view description() const override { return inner_.description(); }
  std::optional<Budget> claim(const ElementwiseOp& op, Format f) const override {
    return inner_.supports(op, f) ? std::optional<Budget>(op.default_budget_for(f)) : std::nullopt;
  }
  std::string unsupported_params(const ElementwiseOp& op, Format f, const Params& p) const override {
    return inner_.unsupported_params(op, f, p);
  }
  void run(const ElementwiseOp& op, const Params& params, const BitTensor& input, BitTensor& output) const override {
    inner_.run(op, params, input, output);
  }

 private:
  const Kernel& inner_;
  std::string name_;
};

/// The smallest max_ulp that, with `floor`, passes every element of `outputs`: the largest
/// ULP error among elements whose absolute error exceeds the floor. What a run of a kernel
/// needs, printed beside the budget it is held to.
inline double max_ulp_needed(const ElementwiseOp& op, Format f, const Params& p, const InputSet& in,
                             const OracleAnswers& answers, const BitTensor& outputs, double floor) {
  const BitTensor& x = in.tensor;
  const std::int64_t d = outputs.cols;
  double needed = 0.0;
  for (std::int64_t r = 0; r < x.rows; ++r)
    for (std::int64_t c = 0; c < d; ++c) {
      const double a = decode(f, x.at(r, c)), b = op.arity == 2 ? decode(f, x.at(r, d + c)) : 1.0;
      const double scale = ElementwiseOp::floor_scale(op.prepare(a, b, p));
      const ElementCheck e = check_element(f, decode(f, outputs.at(r, c)), answers.exact[r * d + c],
                                           std::isfinite(a) && std::isfinite(b), scale, {.max_ulp = 0.0, .abs_floor = floor});
      if (e.numeric && !e.within_budget) needed = std::max(needed, e.ulp_error);
    }
  return needed;
}

/// Every dtype and checked parameter set of `op` that `kernel` implements, on the report's
/// inputs: no breach of the op's default budget and no failing semantic difference. Prints
/// one line per case with the max_ulp the run needs against the default; a breach names
/// the first failing element.
inline void expect_default_budget_holds(const Kernel& kernel, const ElementwiseOp& op) {
  const HeldToDefault held(kernel);
  for (Format f : all_formats()) {
    if (!kernel.supports(op, f)) continue;
    const InputSet in = report_inputs(op, f);
    for (const Params& p : op.checked_params()) {
      if (!kernel.unsupported_params(op, f, p).empty()) continue;
      const OracleAnswers answers = evaluate_inputs(op, f, p, in);
      const BitTensor out = run_kernel(op, held, f, p, in);
      const Measurement m = measure_outputs(op, held, f, p, in, answers, out);
      const Budget b = op.default_budget_for(f);
      std::printf("%-22s %-18s %-5s %-10s needs %-8.4g ULP; default %g ULP, floor 2^%d: %s\n",
                  std::string(kernel.name()).c_str(), std::string(op.name).c_str(), std::string(name(f)).c_str(),
                  p.label().c_str(), max_ulp_needed(op, f, p, in, answers, out, b.abs_floor), b.max_ulp,
                  std::ilogb(b.abs_floor), m.stats.passes() ? "pass" : "FAIL");
      std::string first;
      if (!m.stats.breaches.empty()) {
        const ElementReport& e = m.stats.breaches.front();
        first = fmt::format("; first: x0 {:#x} x1 {:#x} got {:#x}, exact {:.9g}, {:.4g} ULP", e.x0_bits, e.x1_bits,
                            e.got_bits, e.exact.value.hi, e.check.ulp_error);
      }
      EXPECT_TRUE(m.stats.passes()) << fmt::format(
          "{} {} {} {} on {}: {} breaches of the default budget ({} ULP, floor {:g}), {} semantic violations{}",
          kernel.name(), op.name, name(f), p.label(), in.description, m.stats.budget_breaches, b.max_ulp, b.abs_floor,
          m.stats.semantic_violations, first);
    }
  }
}

}  // namespace ulpcheck::testing
