// The combine family's fuzz runs: every combine property that applies, on every combine
// kernel, in every selected storage dtype the kernel claims. (owns_op and op_names_of for the
// family are the report's, runs/combine/report.cpp.)
#include "ulpcheck/runs/fuzz.hpp"

#include <algorithm>

#include "ulpcheck/device/combine_kernel.hpp"
#include "ulpcheck/reference/combine.hpp"

namespace ulpcheck {

std::string op_name(const FuzzRunOf<CombineFamily>&) { return std::string(kCombineOpName); }

void add_fuzz_runs(CombineFamily, const FuzzSelection& s, std::vector<FuzzRun>& out) {
  const bool named = s.ops.empty() || std::ranges::find(s.ops, kCombineOpName) != s.ops.end();
  if (!named) return;
  for (const CombineKernel* k : s.kernels.combine)
    for (Format f : s.formats)
      for (const CombineFuzzProperty& p : all_combine_fuzz_properties())
        if (p.applies({k, f})) out.push_back(FuzzRunOf<CombineFamily>{{k, f}, &p});
}

void add_property_names(CombineFamily, std::vector<std::string_view>& out) {
  for (const CombineFuzzProperty& p : all_combine_fuzz_properties()) out.push_back(p.name);
}

std::optional<FuzzRun> find_fuzz_run(CombineFamily, const std::string& id) {
  for (const CombineKernel* k : all_combine_kernels())
    for (Format f : all_formats())
      for (const CombineFuzzProperty& p : all_combine_fuzz_properties())
        if (combine_fuzz_id({k, f}, p) == id) return FuzzRunOf<CombineFamily>{{k, f}, &p};
  return std::nullopt;
}

}  // namespace ulpcheck
