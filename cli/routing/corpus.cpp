// A routing counterexample goes into the routing file's corpus whole: configuration and batch.
#include <fmt/format.h>

#include "cli/fuzz_corpus.hpp"
#include "ulpcheck/golden/routing/corpus.hpp"

namespace ulpcheck::cli {

std::string keep_in_corpus(const std::string& dir, const FuzzRunOf<RoutingFamily>&, const FuzzResult& r) {
  const golden::KeptCounterexample kept = golden::add_to_routing_corpus(dir, *minimal_as<RoutingCase>(r), r.id);
  return fmt::format("{} {} ({})", golden::golden_path(dir, kRoutingOpName), kept.group,
                     kept.added ? "+1 counterexample" : "+0 counterexamples, it was there");
}

}  // namespace ulpcheck::cli
