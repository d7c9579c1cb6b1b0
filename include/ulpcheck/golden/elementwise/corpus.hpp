// The corpus of a golden file: inputs that once broke a kernel (fuzz counterexamples), kept
// per dtype with their own parameters so that `golden check` runs them forever.
#pragma once

#include <cstddef>
#include <string>

#include "ulpcheck/device/tensor.hpp"
#include "ulpcheck/golden/elementwise/golden_file.hpp"

namespace ulpcheck::golden {

/// Fills the exact values of every corpus element from a fresh oracle run (one batch per
/// distinct parameter set).
void compute_corpus_exact(const ElementwiseOp& op, Corpus& corpus);

/// The corpus elements that share one parameter set, in corpus order.
struct CorpusPart {
  Params params;
  Elements data;
};
std::vector<CorpusPart> split_by_params(const Corpus& corpus);

/// Appends the elements of `rows` ([rows, arity * d] in format f) to /<dtype>/corpus of
/// op's golden file under `dir`, skipping elements whose (parameters, input bits) are
/// already there, and rewrites the file atomically. Creates the file, with no cases, when
/// it does not exist. Concurrent callers take turns by an flock on `dir` itself, which
/// leaves no lock file behind.
/// Returns how many elements were added. Throws GoldenError.
std::size_t add_to_corpus(const std::string& dir, const ElementwiseOp& op, Format f, const Params& params,
                          const BitTensor& rows);

}  // namespace ulpcheck::golden
