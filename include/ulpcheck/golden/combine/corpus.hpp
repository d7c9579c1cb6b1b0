// The combine file's corpus: fuzz counterexamples, each with its own configuration and
// batch, kept per storage format so that `golden check` runs them forever.
#pragma once

#include <string>

#include "ulpcheck/golden/combine/golden_file.hpp"
#include "ulpcheck/golden/routing/corpus.hpp"

namespace ulpcheck::golden {

/// Appends the batch with its oracle answers to /<dtype>/corpus of the combine file under
/// `dir`, unless an identical counterexample is there, and rewrites the file atomically.
/// Creates the file, with no cases, when it does not exist. Concurrent callers take turns
/// by an flock on `dir` itself, which leaves no lock file behind. `found_by` names the fuzz
/// run. Throws GoldenError, also for a config or inputs the oracle does not take.
KeptCounterexample add_to_combine_corpus(const std::string& dir, const CombineConfig& config,
                                         const CombineInputs& inputs, const std::string& found_by);

}  // namespace ulpcheck::golden
