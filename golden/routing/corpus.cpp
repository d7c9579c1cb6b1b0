#include "ulpcheck/golden/routing/corpus.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "golden/file_lock.hpp"
#include "ulpcheck/golden/routing/regen.hpp"

namespace ulpcheck::golden {

namespace {

/// Identical for the oracle and any kernel: the configuration (the factor by its bits) and
/// every input bit.
bool same_case(const RoutingCase& a, const RoutingCase& b) {
  return a.config == b.config && a.inputs.tokens == b.inputs.tokens && a.inputs.logits == b.inputs.logits &&
         a.inputs.bias == b.inputs.bias;
}

}  // namespace

KeptCounterexample add_to_routing_corpus(const std::string& dir, const RoutingCase& routing,
                                         const std::string& found_by) {
  const std::string path = golden_path(dir, kRoutingOpName);
  DirectoryLock lock(dir);
  RoutingGoldenFile file;
  if (std::filesystem::exists(path)) file = read_routing_golden(path);
  const Format logits = routing.inputs.logits_format, bias = routing.inputs.bias_format;
  auto it = std::find_if(file.corpora.begin(), file.corpora.end(),
                         [&](const RoutingCorpus& c) { return c.logits == logits && c.bias == bias; });
  if (it == file.corpora.end()) {
    file.corpora.push_back({logits, bias, {}});
    it = file.corpora.end() - 1;
  }
  const std::string pair = format_pair(logits, bias);
  for (const RoutingCounterexample& e : it->entries)
    if (same_case(e.routing, routing)) return {fmt::format("/{}/corpus/{}", pair, e.name), false};
  RoutingCounterexample e;
  e.name = fmt::format("{:04}", it->entries.size());
  e.found_by = found_by;
  e.routing = routing;
  e.answers = compute_routing_answers(routing.config, routing.inputs);
  it->entries.push_back(std::move(e));
  write_routing_golden(path, file);
  return {fmt::format("/{}/corpus/{}", pair, it->entries.back().name), true};
}

}  // namespace ulpcheck::golden
