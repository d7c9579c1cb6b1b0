// Keeping a fuzz counterexample in a golden file's corpus, per family (cli/<family>/corpus.cpp):
// each adds its shrunk case where `golden check` runs it and says where it went.
#pragma once

#include <string>

#include "ulpcheck/runs/fuzz.hpp"

namespace ulpcheck::cli {

/// "golden/data/silu.h5 /bf16/corpus (+4 elements)": the file and place the case went to.
std::string keep_in_corpus(const std::string& dir, const FuzzRunOf<ElementwiseFamily>& run, const FuzzResult& r);
std::string keep_in_corpus(const std::string& dir, const FuzzRunOf<RoutingFamily>& run, const FuzzResult& r);
std::string keep_in_corpus(const std::string& dir, const FuzzRunOf<CombineFamily>& run, const FuzzResult& r);

}  // namespace ulpcheck::cli
