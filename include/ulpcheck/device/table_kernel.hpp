// The part every built-in kernel shares: a name, a description and a table with one row
// per op it implements (its claim per format, the parameters it takes, and whatever the
// backend runs). Host and CUDA kernels differ only in run(). A kernel's rows may come from
// several op families (each family file gives its rows per arithmetic variant), so one
// kernel, "single rounding" say, covers every family that has that variant.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <initializer_list>
#include <vector>

#include "ulpcheck/device/kernel.hpp"

namespace ulpcheck {

/// KernelError for a run that cannot start: the op is not in the table, or the tensors'
/// shapes and formats disagree with it (both named in the message).
[[noreturn]] void throw_not_implemented(std::string_view kernel, const ElementwiseOp& op);
[[noreturn]] void throw_shape_mismatch(std::string_view kernel, const ElementwiseOp& op, const BitTensor& input,
                                       const BitTensor& output);

/// Row needs members `op` (const ElementwiseOp*), `claim` (std::array<Budget, 3>) and
/// `check_params` (std::string (*)(Format, const Params&), nullptr for "all").
template <class Row>
class TableKernel : public Kernel {
 public:
  TableKernel(std::string_view name, std::string_view description, std::span<const Row> rows)
      : name_(name), description_(description), rows_(rows.begin(), rows.end()) {}
  /// The rows of several families, in order.
  TableKernel(std::string_view name, std::string_view description, std::initializer_list<std::span<const Row>> parts)
      : name_(name), description_(description) {
    for (std::span<const Row> part : parts) rows_.insert(rows_.end(), part.begin(), part.end());
  }

  std::string_view name() const override { return name_; }
  std::string_view description() const override { return description_; }

  std::optional<Budget> claim(const ElementwiseOp& op, Format f) const override {
    const Row* row = find(op);
    if (!row) return std::nullopt;
    return row->claim[static_cast<int>(f)];
  }

  std::string unsupported_params(const ElementwiseOp& op, Format f, const Params& params) const override {
    const Row* row = find(op);
    return row && row->check_params ? row->check_params(f, params) : std::string();
  }

 protected:
  const Row* find(const ElementwiseOp& op) const {
    for (const Row& row : rows_)
      if (row.op == &op) return &row;
    return nullptr;
  }

  /// The row for `op`, after checking that input [rows, arity * d] and output [rows, d]
  /// agree with it and with each other; throws KernelError naming what does not.
  const Row& row_for_run(const ElementwiseOp& op, const BitTensor& input, const BitTensor& output) const {
    const Row* row = find(op);
    if (!row) throw_not_implemented(name_, op);
    if (output.format != input.format || output.rows != input.rows || input.cols != op.arity * output.cols)
      throw_shape_mismatch(name_, op, input, output);
    return *row;
  }

  std::string_view name_;
  std::string_view description_;
  std::vector<Row> rows_;
};

}  // namespace ulpcheck
