// Exhaustive sweeps in a golden file (golden/SCHEMA.md, "Exhaustive sweeps"): the figures of
// each (op, dtype, parameters, kernel) swept over its whole input space, and its worst
// inputs, not the 2^32 outputs. `ulpcheck exhaustive --golden FILE` records them; a later
// sweep of the same kernel `--against FILE` must give the same figures: the outputs of a
// deterministic kernel are, so any difference is a change of the kernel (or of the oracle).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ulpcheck/golden/elementwise/golden_file.hpp"
#include "ulpcheck/properties/exhaustive.hpp"

namespace ulpcheck::golden {

/// The file's name in a golden directory.
inline constexpr const char* kExhaustiveFile = "exhaustive.h5";

/// One sweep, group /<op>/<dtype>/<case>/<kernel>.
struct ExhaustiveRecord {
  std::string op;
  Format format = Format::bf16;
  std::string case_name;  ///< "all", or the parameters' label ("limit=7")
  Params params;
  std::string kernel;
  std::string space;  ///< "every bf16 (gate, up) pair (2^32)"
  std::int64_t elements = 0;
  double budget_max_ulp = 0, budget_abs_floor = 0;
  double max_ulp = 0, max_ulp_above_floor = 0;
  double p50 = 0, p99 = 0, p999 = 0;
  double frac_correctly_rounded = 0;
  std::int64_t budget_breaches = 0, semantic_differences = 0, semantic_violations = 0;
  std::int64_t escalated = 0;  ///< elements the GPU oracle left to MPFR
  /// The largest errors outside the floor region: element index, the kernel's output bits
  /// and its ULP error.
  std::vector<std::int64_t> worst_index;
  std::vector<std::uint32_t> worst_got_bits;
  std::vector<double> worst_ulp;
  std::vector<std::int64_t> ulp_histogram;  ///< counts by properties' log-scale ULP bins

  /// "silu_and_mul_clamp bf16 limit=7 cuda.single_rounding"
  std::string label() const;
};

struct ExhaustiveFile {
  int schema_version = kSchemaVersion;
  std::string tool = kTool;
  std::string oracle_method = "GPU: certified double / double-double oracle, undecided elements by MPFR; "
                              "16-bit unary: the host oracle";
  std::string device, cuda_version, driver_version;  ///< where the sweeps ran
  std::vector<ExhaustiveRecord> records;
};

/// The record of a whole space (a run over all of it, or merged shards).
ExhaustiveRecord record_of(const ExhaustivePart& whole);

/// Writes atomically (a temporary beside `path`, renamed over it). Throws GoldenError.
void write_exhaustive(const std::string& path, const ExhaustiveFile& file,
                      const std::function<void()>& before_rename = {});
/// Reads and validates the whole file. Throws GoldenError naming the object.
ExhaustiveFile read_exhaustive(const std::string& path);

/// Adds `records` to the file at `path` (created if missing), each replacing the record of
/// the same op, dtype, case and kernel, under the golden directory's lock; the file's
/// provenance becomes this machine's.
void record_exhaustive(const std::string& path, const std::vector<ExhaustiveRecord>& records);

/// What differs between a recorded sweep and a new one of the same case, one line per
/// figure ("max_ulp: recorded 2.5, now 3"); empty when they agree exactly.
std::vector<std::string> differences(const ExhaustiveRecord& recorded, const ExhaustiveRecord& now);

/// The record of the same op, dtype, case and kernel as `r` in `file`, or nullptr.
const ExhaustiveRecord* find_record(const ExhaustiveFile& file, const ExhaustiveRecord& r);

}  // namespace ulpcheck::golden
