#include "ulpcheck/golden/combine/check.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "ulpcheck/golden/combine/regen.hpp"
#include "ulpcheck/properties/combine/compare.hpp"

namespace ulpcheck::golden {

CombineFileCheck check_combine_kernel(const CombineGoldenFile& file, const CombineKernel& kernel) {
  CombineFileCheck out;
  auto run = [&](const std::string& group, const CombineConfig& config, const CombineInputs& inputs,
                 const CombineAnswers& answers, std::optional<CombineKernelFigures> recorded) {
    const std::optional<CombineClaim> claim = kernel.claim(config, inputs.format);
    if (!claim) {
      out.skipped.push_back(
          fmt::format("{}: {} does not claim {} in {}", group, kernel.name(), config.label(), name(inputs.format)));
      return;
    }
    const CombineExact exact = combine_exact_of(config, inputs, answers);
    const std::vector<std::uint32_t> got = run_combine_kernel(kernel, config, inputs);
    CombineGroupCheck g{group, config, *claim, compare_combine(config, *claim, inputs, exact, got), std::move(recorded),
                        {}};
    if (!g.passes()) {
      const ElementReport& e = g.stats.first_failure();
      g.first_failure = explain_combine_element(config, *claim, inputs, exact, got, e.row, e.col);
    }
    out.groups.push_back(std::move(g));
  };
  for (const CombineGoldenCase& c : file.cases) {
    const auto k = std::find_if(c.kernels.begin(), c.kernels.end(),
                                [&](const CombineKernelFigures& r) { return r.kernel == kernel.name(); });
    run(fmt::format("/{}/{}", name(c.inputs.format), c.name), c.config, c.inputs, c.answers,
        k == c.kernels.end() ? std::nullopt : std::optional<CombineKernelFigures>(*k));
  }
  for (const CombineCorpus& c : file.corpora)
    for (const CombineCounterexample& e : c.entries)
      run(fmt::format("/{}/corpus/{}", name(c.format), e.name), e.config, e.inputs, e.answers, std::nullopt);
  return out;
}

}  // namespace ulpcheck::golden
