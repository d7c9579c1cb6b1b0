// `golden verify` of the MoE combine file: every case present with the configuration its
// name says, its inputs regenerated from its seed, the oracle's answers (cases and corpus)
// recomputed, and the figures of every recorded kernel that can run here re-measured; any
// difference is a problem naming the object and index. What nothing recomputes (provenance,
// labels, the corpus's membership) is held by each group's digest.
#pragma once

#include <span>
#include <string>

#include "ulpcheck/golden/combine/golden_file.hpp"
#include "ulpcheck/golden/elementwise/verify.hpp"

namespace ulpcheck::golden {

VerifyResult verify_combine_golden(const std::string& path, const CombineGoldenFile& file,
                                   std::span<const CombineKernel* const> runnable, const Log& log = {});

}  // namespace ulpcheck::golden
