// A kernel under another name and budget that runs another kernel's arithmetic: two
// versions of "one" kernel for the diff tests (single rounding, then double rounding, under
// the budget of the first), and a kernel whose name and description need escaping.
#pragma once

#include <optional>
#include <string>
#include <utility>

#include "ulpcheck/device/kernel.hpp"

namespace ulpcheck::testing {

class RelabeledKernel final : public Kernel {
 public:
  RelabeledKernel(std::string name, std::string description, const Kernel& inner, Budget budget)
      : name_(std::move(name)), description_(std::move(description)), inner_(inner), budget_(budget) {}
  std::string_view name() const override { return name_; }
  std::string_view description() const override { return description_; }
  std::optional<Budget> claim(const ElementwiseOp& op, Format f) const override {
    return inner_.supports(op, f) ? std::optional<Budget>(budget_) : std::nullopt;
  }
  std::string unsupported_params(const ElementwiseOp& op, Format f, const Params& p) const override {
    return inner_.unsupported_params(op, f, p);
  }
  void run(const ElementwiseOp& op, const Params& params, const BitTensor& input, BitTensor& output) const override {
    inner_.run(op, params, input, output);
  }

 private:
  std::string name_, description_;
  const Kernel& inner_;
  Budget budget_;
};

}  // namespace ulpcheck::testing
