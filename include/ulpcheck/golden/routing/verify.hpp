// `golden verify` of the routing file: every case present with the configuration and
// distributions its name says, its inputs regenerated from its seed, the oracle's answers
// (cases and corpus) recomputed, and the figures of every recorded kernel that can run here
// re-measured; any difference is a problem naming the object and index.
#pragma once

#include <span>
#include <string>

#include "ulpcheck/golden/routing/golden_file.hpp"
#include "ulpcheck/golden/elementwise/verify.hpp"

namespace ulpcheck::golden {

VerifyResult verify_routing_golden(const std::string& path, const RoutingGoldenFile& file,
                                   std::span<const RoutingKernel* const> runnable, const Log& log = {});

}  // namespace ulpcheck::golden
