// The op table: one row per op. Adding an op = its file under reference/ops/ + one row here.
#include "ulpcheck/reference/registry.hpp"

#include <array>

namespace ulpcheck {

extern const ElementwiseOp kSiluOp;
extern const ElementwiseOp kSiluAndMulOp;
extern const ElementwiseOp kSiluAndMulClampOp;

namespace {
const std::array<const ElementwiseOp*, 3> kOps{
    &kSiluOp,
    &kSiluAndMulOp,
    &kSiluAndMulClampOp,
};
}  // namespace

std::span<const ElementwiseOp* const> all_ops() { return kOps; }

const ElementwiseOp* find_op(std::string_view name) {
  for (const ElementwiseOp* op : kOps)
    if (op->name == name) return op;
  return nullptr;
}

std::string op_names() {
  std::string out;
  for (const ElementwiseOp* op : kOps) {
    if (!out.empty()) out += ", ";
    out += op->name;
  }
  return out;
}

}  // namespace ulpcheck
