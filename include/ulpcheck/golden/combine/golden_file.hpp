// The golden file of the MoE combine, golden/data/moe_combine.h5 (schema v1, golden/SCHEMA.md,
// "MoE combine"): per storage format, batches of routed outputs, router weights and shared
// outputs with the oracle's answers and the recorded figures of every combine kernel that
// claims them, and the fuzz counterexamples, each with its own configuration. Written
// atomically and read in full like the other files: a file off the schema is a GoldenError
// naming the object.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ulpcheck/device/combine_kernel.hpp"
#include "ulpcheck/golden/elementwise/golden_file.hpp"
#include "ulpcheck/reference/combine.hpp"

namespace ulpcheck::golden {

inline constexpr const char* kCombineOracleMethod =
    "combine_exact: one exact MPFR sum per element (mpfr_sum at a precision spanning every term's bits), rounded once";

/// The oracle's answers for a batch, [tokens, hidden] row-major as stored.
struct CombineAnswers {
  std::vector<std::uint32_t> rounded_bits;  ///< the exact sum correctly rounded to the format
  std::vector<double> exact_hi, exact_lo;   ///< the exact sum as hi + lo
  std::vector<double> scale;                ///< s = rsf * sum_k |w_k y_k| + |shared|, the floor's scale
};

/// A combine kernel's claim and figures on one batch (group <case>/kernels/<kernel>).
struct CombineKernelFigures {
  std::string kernel;
  CombineClaim claim;
  double max_ulp = 0, max_ulp_above_floor = 0, p50 = 0, p99 = 0, p999 = 0;
  double frac_correctly_rounded = 0;
  std::int64_t in_floor_region = 0, budget_breaches = 0, semantic_violations = 0;
  std::vector<std::int64_t> worst_index;  ///< elements t * hidden + h of its largest errors outside the floor region
  bool passes() const { return budget_breaches == 0 && semantic_violations == 0; }
};

/// One case, group /<dtype>/<name>: a batch drawn by golden_combine_inputs from a seed.
struct CombineGoldenCase {
  std::string name;  ///< "deepseek_v3", "topk=32", ...
  CombineConfig config;
  CombineInputs inputs;  ///< format, tokens, routed, weights, shared
  /// The config and input attributes as read (the writer derives them from config and from
  /// golden_combine_input_label()).
  std::string config_label, input_label;
  std::uint64_t seed = 0;
  CombineAnswers answers;
  std::vector<CombineKernelFigures> kernels;
};

/// A fuzz counterexample, group /<dtype>/corpus/<name>, with its own configuration.
struct CombineCounterexample {
  std::string name;      ///< "0000", "0001", ... in the order kept
  std::string found_by;  ///< the fuzz run that found it
  CombineConfig config;
  std::string config_label;  ///< the config attribute as read
  CombineInputs inputs;
  CombineAnswers answers;
};

/// The counterexamples of one format, in the order kept.
struct CombineCorpus {
  Format format = Format::bf16;
  std::vector<CombineCounterexample> entries;
};

struct CombineGoldenFile {
  int schema_version = kSchemaVersion;
  std::string tool = kTool;
  std::string op{kCombineOpName};
  std::string formula{kCombineFormula};
  std::string oracle_method = kCombineOracleMethod;
  std::string device = "none (host kernels only)";
  std::string cuda_version = "none (host kernels only)";
  std::string driver_version = "none (host kernels only)";
  std::vector<CombineGoldenCase> cases;
  std::vector<CombineCorpus> corpora;
};

/// Writes `file` to a temporary and renames it over `path` (as write_golden).
void write_combine_golden(const std::string& path, const CombineGoldenFile& file,
                          const std::function<void()>& before_rename = {});

/// Reads and validates the whole file: structure, attributes, valid configurations, and every
/// dataset's shape against the configuration and token count. Throws GoldenError.
CombineGoldenFile read_combine_golden(const std::string& path);

}  // namespace ulpcheck::golden
