// The elementwise family's fuzz runs: every property that applies to a (kernel, op, dtype).
#include "ulpcheck/device/registry.hpp"
#include "ulpcheck/reference/registry.hpp"
#include "ulpcheck/runs/fuzz.hpp"

namespace ulpcheck {

bool owns_op(ElementwiseFamily, std::string_view op) { return find_op(op) != nullptr; }

std::vector<std::string> op_names_of(ElementwiseFamily) {
  std::vector<std::string> out;
  for (const ElementwiseOp* op : all_ops()) out.emplace_back(op->name);
  return out;
}

std::string op_name(const FuzzRunOf<ElementwiseFamily>& run) { return std::string(run.target.op->name); }

void add_fuzz_runs(ElementwiseFamily, const FuzzSelection& s, std::vector<FuzzRun>& out) {
  std::vector<const ElementwiseOp*> ops;
  for (const std::string& n : s.ops)
    if (const ElementwiseOp* op = find_op(n)) ops.push_back(op);
  if (s.ops.empty()) ops.assign(all_ops().begin(), all_ops().end());
  for (const Kernel* k : s.kernels.elementwise)
    for (const ElementwiseOp* op : ops)
      for (Format f : s.formats)
        if (k->supports(*op, f))
          for (const FuzzProperty& p : all_fuzz_properties())
            if (p.applies({k, op, f})) out.push_back(FuzzRunOf<ElementwiseFamily>{{k, op, f}, &p});
}

void add_property_names(ElementwiseFamily, std::vector<std::string_view>& out) {
  for (const FuzzProperty& p : all_fuzz_properties()) out.push_back(p.name);
}

std::optional<FuzzRun> find_fuzz_run(ElementwiseFamily, const std::string& id) {
  for (const Kernel* k : all_kernels())
    for (const ElementwiseOp* op : all_ops())
      for (Format f : all_formats())
        for (const FuzzProperty& p : all_fuzz_properties())
          if (fuzz_id({k, op, f}, p) == id) return FuzzRunOf<ElementwiseFamily>{{k, op, f}, &p};
  return std::nullopt;
}

}  // namespace ulpcheck
