#include "ulpcheck/golden/elementwise/check.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "ulpcheck/golden/elementwise/corpus.hpp"
#include "ulpcheck/golden/elementwise/regen.hpp"
#include "ulpcheck/reference/registry.hpp"

namespace ulpcheck::golden {

FileCheck check_kernel(const GoldenFile& file, const Kernel& kernel) {
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
    out.groups.push_back({group, measure(op, kernel, f, params, as_input_set(op, f, data, input), answers_of(f, data)),
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

}  // namespace ulpcheck::golden
