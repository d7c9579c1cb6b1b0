// `golden verify`: recompute everything a golden file records that can be recomputed here
// and compare it bit for bit, so that a corrupted, edited or stale file never passes.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "ulpcheck/device/kernel.hpp"
#include "ulpcheck/golden/elementwise/golden_file.hpp"
#include "ulpcheck/golden/elementwise/regen.hpp"

namespace ulpcheck::golden {

struct VerifyResult {
  /// What does not match, one message each, naming the file, the object, recorded vs
  /// recomputed and the next step. Empty: the file is what regen would write.
  std::vector<std::string> problems;
  /// What could not be recomputed here (figures of a kernel that cannot run here).
  std::vector<std::string> notes;
};

/// Checks, for a file read by read_golden: every case of the op is present with the
/// parameters its name says and nothing else; each case's inputs equal those its seed and
/// sample count generate; the exact values and correctly rounded outputs (cases and
/// corpus) equal a fresh oracle run; and the recorded figures of every kernel in
/// `runnable` equal a fresh measurement.
VerifyResult verify_golden(const std::string& path, const GoldenFile& file, std::span<const Kernel* const> runnable,
                           const Log& log = {});

}  // namespace ulpcheck::golden
