#include "ulpcheck/golden/combine/corpus.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <filesystem>

#include "golden/file_lock.hpp"
#include "ulpcheck/golden/combine/regen.hpp"

namespace ulpcheck::golden {

namespace {

/// Identical for the oracle and any kernel: the configuration (the factor by its bits) and
/// every input bit (weights by theirs, so -0 and NaN payloads count).
bool same_combine_case(const CombineCounterexample& e, const CombineConfig& config, const CombineInputs& in) {
  return e.config == config && e.inputs.tokens == in.tokens && e.inputs.routed == in.routed &&
         e.inputs.shared == in.shared &&
         std::ranges::equal(e.inputs.weights, in.weights, [](float a, float b) {
           return std::bit_cast<std::uint32_t>(a) == std::bit_cast<std::uint32_t>(b);
         });
}

}  // namespace

KeptCounterexample add_to_combine_corpus(const std::string& dir, const CombineConfig& config,
                                         const CombineInputs& inputs, const std::string& found_by) {
  const std::string path = golden_path(dir, kCombineOpName);
  if (const std::string why = config.validate(); !why.empty())
    throw GoldenError(fmt::format("{}: cannot keep a counterexample with an invalid configuration ({})", path, why));
  if (const std::string why = check_sizes(config, inputs); !why.empty())
    throw GoldenError(fmt::format("{}: cannot keep a counterexample whose inputs are sized wrong ({})", path, why));
  if (inputs.tokens < 1)
    throw GoldenError(fmt::format("{}: cannot keep a counterexample of no tokens (a file's batches hold at least one)",
                                  path));
  DirectoryLock lock(dir);
  CombineGoldenFile file;
  if (std::filesystem::exists(path)) file = read_combine_golden(path);
  auto it = std::find_if(file.corpora.begin(), file.corpora.end(),
                         [&](const CombineCorpus& c) { return c.format == inputs.format; });
  if (it == file.corpora.end()) {
    file.corpora.push_back({inputs.format, {}});
    it = file.corpora.end() - 1;
  }
  const std::string corpus = fmt::format("/{}/corpus", name(inputs.format));
  for (const CombineCounterexample& e : it->entries)
    if (same_combine_case(e, config, inputs)) return {fmt::format("{}/{}", corpus, e.name), false};
  CombineCounterexample e;
  e.name = fmt::format("{:04}", it->entries.size());
  e.found_by = found_by;
  e.config = config;
  e.config_label = config.label();
  e.inputs = inputs;
  e.answers = compute_combine_answers(config, inputs);
  it->entries.push_back(std::move(e));
  write_combine_golden(path, file);
  return {fmt::format("{}/{}", corpus, it->entries.back().name), true};
}

}  // namespace ulpcheck::golden
