// A combine counterexample goes into the combine file's corpus whole: configuration and batch.
#include <fmt/format.h>

#include "cli/fuzz_corpus.hpp"
#include "ulpcheck/golden/combine/corpus.hpp"

namespace ulpcheck::cli {

std::string keep_in_corpus(const std::string& dir, const FuzzRunOf<CombineFamily>&, const FuzzResult& r) {
  const CombineCase& c = *minimal_as<CombineCase>(r);
  const golden::KeptCounterexample kept = golden::add_to_combine_corpus(dir, c.config, c.inputs, r.id);
  return fmt::format("{} {} ({})", golden::golden_path(dir, kCombineOpName), kept.group,
                     kept.added ? "+1 counterexample" : "+0 counterexamples, it was there");
}

}  // namespace ulpcheck::cli
