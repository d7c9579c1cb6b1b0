#include "ulpcheck/golden/routing/check.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "ulpcheck/golden/check_run.hpp"
#include "ulpcheck/golden/routing/regen.hpp"

namespace ulpcheck::golden {

RoutingFileCheck check_routing_kernel(const RoutingGoldenFile& file, const RoutingKernel& kernel) {
  RoutingFileCheck out;
  auto run = [&](const std::string& group, const RoutingConfig& config, const RoutingInputs& inputs,
                 const RoutingAnswers& answers, std::optional<RoutingKernelFigures> recorded) {
    const std::optional<RoutingClaim> claim = kernel.claim(config, inputs.logits_format, inputs.bias_format);
    if (!claim) {
      out.skipped.push_back(fmt::format("{}: {} does not take {} with logits {} and bias {}", group, kernel.name(),
                                        config.label(), name(inputs.logits_format), name(inputs.bias_format)));
      return;
    }
    out.groups.push_back({group, config, *claim,
                          measure_routing(kernel, *claim, config, inputs, token_routings(config, answers)),
                          std::move(recorded)});
  };
  for (const RoutingGoldenCase& c : file.cases) {
    const auto k = std::find_if(c.kernels.begin(), c.kernels.end(),
                                [&](const RoutingKernelFigures& r) { return r.kernel == kernel.name(); });
    run(fmt::format("/{}/{}", format_pair(c.inputs.logits_format, c.inputs.bias_format), c.name), c.config, c.inputs,
        c.answers, k == c.kernels.end() ? std::nullopt : std::optional<RoutingKernelFigures>(*k));
  }
  for (const RoutingCorpus& c : file.corpora)
    for (const RoutingCounterexample& e : c.entries)
      run(fmt::format("/{}/corpus/{}", format_pair(c.logits, c.bias), e.name), e.routing.config, e.routing.inputs,
          e.answers, std::nullopt);
  return out;
}

void check_file(const std::string& path, const FileOf<RoutingFamily>&, const KernelSelection& kernels,
                Observer& observer, std::vector<KernelCheck>& out) {
  if (kernels.routing.empty()) return;
  const RoutingGoldenFile file = read_routing_golden(path);
  for (const RoutingKernel* k : kernels.routing) {
    observer.note(fmt::format("golden check: {} on {}", k->name(), path));
    RoutingFileCheck c = check_routing_kernel(file, *k);
    if (!c.groups.empty() || !c.skipped.empty()) out.push_back({std::string(k->name()), path, std::move(c)});
  }
}

}  // namespace ulpcheck::golden
