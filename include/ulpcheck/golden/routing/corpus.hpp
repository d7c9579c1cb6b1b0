// The routing file's corpus: fuzz counterexamples, each with its own configuration and
// batch, kept per (logits, bias) format pair so that `golden check` runs them forever.
#pragma once

#include <string>

#include "ulpcheck/golden/routing/golden_file.hpp"

namespace ulpcheck::golden {

struct KeptCounterexample {
  std::string group;  ///< where it is kept, "/fp32+fp32/corpus/0003"
  bool added = false;  ///< false: an identical one (configuration and input bits) was there
};

/// Appends `routing` with its oracle answers to /<logits>+<bias>/corpus of the routing file
/// under `dir`, unless an identical counterexample is there, and rewrites the file
/// atomically. Creates the file, with no cases, when it does not exist. Concurrent callers
/// take turns by an flock on `dir` itself, which leaves no lock file behind. `found_by`
/// names the fuzz run. Throws GoldenError.
KeptCounterexample add_to_routing_corpus(const std::string& dir, const RoutingCase& routing,
                                         const std::string& found_by);

}  // namespace ulpcheck::golden
