// An elementwise counterexample goes into the corpus of its op's file, under its dtype.
#include <fmt/format.h>

#include "cli/fuzz_corpus.hpp"
#include "ulpcheck/golden/elementwise/corpus.hpp"

namespace ulpcheck::cli {

std::string keep_in_corpus(const std::string& dir, const FuzzRunOf<ElementwiseFamily>& run, const FuzzResult& r) {
  const ElementwiseOp& op = *run.target.op;
  const FuzzCase& c = *minimal_as<FuzzCase>(r);
  const std::size_t added = golden::add_to_corpus(dir, op, run.target.format, c.params(op), c.tensor());
  return fmt::format("{} /{}/corpus (+{} elements)", golden::golden_path(dir, op.name), name(run.target.format), added);
}

}  // namespace ulpcheck::cli
