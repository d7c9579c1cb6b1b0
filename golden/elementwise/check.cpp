#include "ulpcheck/golden/elementwise/check.hpp"

#include "ulpcheck/golden/check_run.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "ulpcheck/golden/elementwise/corpus.hpp"
#include "ulpcheck/golden/elementwise/regen.hpp"
#include "ulpcheck/reference/registry.hpp"

namespace ulpcheck::golden {

FileCheck check_kernel(const GoldenFile& file, const Kernel& kernel, Observer& observer) {
  const ElementwiseOp& op = *find_op(file.op);
  FileCheck out;
  auto run = [&](const std::string& group, Format f, const Params& params, const Elements& data,
                 const std::string& input, std::optional<KernelFigures> recorded) {
    if (!kernel.supports(op, f)) {
      out.skipped.push_back(fmt::format("{}: {} does not implement {} in {}", group, kernel.name(), op.name, name(f)));
      return;
    }
    if (const std::string why = kernel.unsupported_params(op, f, params); !why.empty()) {
      out.skipped.push_back(fmt::format("{}: {}", group, why));
      return;
    }
    out.groups.push_back({group,
                          measure(op, kernel, f, params, as_input_set(op, f, data, input), answers_of(f, data),
                                  progress_to(observer, std::string(kernel.name()) + " " + group)),
                          std::move(recorded)});
  };
  for (const GoldenCase& c : file.cases) {
    const auto k = std::find_if(c.kernels.begin(), c.kernels.end(),
                                [&](const KernelFigures& r) { return r.kernel == kernel.name(); });
    run(fmt::format("/{}/{}", name(c.format), c.name), c.format, c.params, c.data, c.input,
        k == c.kernels.end() ? std::nullopt : std::optional<KernelFigures>(*k));
  }
  for (const Corpus& c : file.corpora)
    for (const CorpusPart& part : split_by_params(c)) {
      const std::string label = part.params.label();
      run(fmt::format("/{}/corpus{}", name(c.format), label.empty() ? "" : " (" + label + ")"), c.format, part.params,
          part.data, fmt::format("{} fuzz counterexample elements", part.data.size()), std::nullopt);
    }
  return out;
}

void check_file(const std::string& path, const FileOf<ElementwiseFamily>& f, const KernelSelection& kernels,
                Observer& observer, std::vector<KernelCheck>& out) {
  const GoldenFile file = read_golden(path);
  for (const Kernel* k : kernels.elementwise) {
    if (!std::ranges::any_of(all_formats(), [&](Format format) { return k->supports(*f.op, format); })) continue;
    observer.note(fmt::format("golden check: {} on {}", k->name(), path));
    FileCheck c = check_kernel(file, *k, observer);
    if (!c.groups.empty()) out.push_back({std::string(k->name()), path, std::move(c)});
  }
}

}  // namespace ulpcheck::golden
