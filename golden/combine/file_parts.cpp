// The combine family's parts that the golden commands hold in a PerFamily variant: its file
// among those a request selects (add_files, golden/files.hpp) and its part of run_check
// (golden/check_run.hpp).
#include <fmt/format.h>

#include <algorithm>

#include "ulpcheck/golden/check_run.hpp"
#include "ulpcheck/golden/combine/check.hpp"
#include "ulpcheck/golden/files.hpp"

namespace ulpcheck::golden {

void add_files(CombineFamily, const std::vector<std::string>& ops, std::vector<FileRef>& out) {
  if (ops.empty() || std::ranges::find(ops, kCombineOpName) != ops.end()) out.push_back(FileOf<CombineFamily>{});
}

void check_file(const std::string& path, const FileOf<CombineFamily>&, const KernelSelection& kernels,
                Observer& observer, std::vector<KernelCheck>& out) {
  if (kernels.combine.empty()) return;
  const CombineGoldenFile file = read_combine_golden(path);
  for (const CombineKernel* k : kernels.combine) {
    observer.note(fmt::format("golden check: {} on {}", k->name(), path));
    CombineFileCheck c = check_combine_kernel(file, *k);
    if (!c.groups.empty() || !c.skipped.empty()) out.push_back({std::string(k->name()), path, std::move(c)});
  }
}

}  // namespace ulpcheck::golden
