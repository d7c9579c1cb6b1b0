// The op table: one row per op. Adding an op = its file under reference/ops/ + one row here
// + its declaration in ulpcheck/reference/registry.hpp.
#include "ulpcheck/reference/registry.hpp"

#include <array>

namespace ulpcheck {

namespace {
constexpr auto kOps = std::to_array<const ElementwiseOp*>({
    &kSiluOp,
    &kSiluAndMulOp,
    &kSiluAndMulClampOp,
    &kGeluOp,
    &kGeluAndMulOp,
    &kGeluTanhOp,
    &kGeluTanhAndMulOp,
});

/// Other names an op goes by, accepted wherever an op is named (find_op); the op keeps its
/// own name everywhere it is reported. Hugging Face transformers calls PyTorch's tanh GELU
/// (F.gelu(approximate='tanh')) "gelu_pytorch_tanh" in its activation table and model
/// configs; the gated form follows the same naming.
struct Alias {
  std::string_view name;
  const ElementwiseOp* op;
};
constexpr auto kAliases = std::to_array<Alias>({
    {"gelu_pytorch_tanh", &kGeluTanhOp},
    {"gelu_pytorch_tanh_and_mul", &kGeluTanhAndMulOp},
});
}  // namespace

std::span<const ElementwiseOp* const> all_ops() { return kOps; }

const ElementwiseOp* find_op(std::string_view name) {
  for (const ElementwiseOp* op : kOps)
    if (op->name == name) return op;
  for (const Alias& a : kAliases)
    if (a.name == name) return a.op;
  return nullptr;
}

std::string op_names() {
  std::string out;
  for (const ElementwiseOp* op : kOps) {
    if (!out.empty()) out += ", ";
    out += op->name;
  }
  for (const Alias& a : kAliases) {
    out += ", ";
    out += a.name;
    out += " (= ";
    out += a.op->name;
    out += ")";
  }
  return out;
}

}  // namespace ulpcheck
