// The golden file of biased grouped top-k routing, golden/data/biased_grouped_topk.h5 (schema
// v1, golden/SCHEMA.md, "Routing"): per (logits, bias) format pair, batches drawn like real
// gates with the oracle's answers and the recorded figures of every routing kernel, and the
// fuzz counterexamples, each with its own configuration. Written atomically and read in
// full like the elementwise files: a file off the schema is a GoldenError naming the object.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ulpcheck/device/routing_kernel.hpp"
#include "ulpcheck/golden/elementwise/golden_file.hpp"
#include "ulpcheck/properties/routing/inputs.hpp"
#include "ulpcheck/properties/routing/routing_case.hpp"

namespace ulpcheck::golden {

inline constexpr const char* kRoutingOracleMethod =
    "route_exact: double tier with proven error bounds, exact ties proven symbolically, MPFR at 267/1065/4121 bits";

/// The oracle's answers for a batch, row-major as stored.
struct RoutingAnswers {
  std::vector<std::int32_t> ids;                   ///< [tokens, topk], best first
  std::vector<double> weights_hi, weights_lo;      ///< [tokens, topk], the exact weights as hi + lo
  std::vector<std::int32_t> groups;                ///< [tokens, topk_group], best first
  std::vector<double> group_margin, expert_margin;  ///< [tokens]
};

/// A routing kernel's claim and figures on one batch (group <case>/kernels/<kernel>).
struct RoutingKernelFigures {
  std::string kernel;
  RoutingClaim claim;
  std::int64_t matches = 0, near_ties = 0, mismatches = 0, invalid = 0;
  std::int64_t weight_tokens_checked = 0, weights_in_floor = 0, weight_breaches = 0, bad_weights = 0;
  double max_weight_ulp = 0, p50_weight_ulp = 0, p99_weight_ulp = 0, max_weight_sum_error = 0;
  std::vector<std::int64_t> near_tie_tokens;  ///< tokens whose ids differ at a near-tie
  bool passes() const { return mismatches == 0 && invalid == 0 && weight_breaches == 0 && bad_weights == 0; }
};

/// One case, group /<logits>+<bias>/<name>: a batch drawn from two distributions by a seed.
struct RoutingGoldenCase {
  std::string name;  ///< "deepseek_v3.bias=around_7", "softmax_deepseek_v2", ...
  RoutingConfig config;
  RoutingInputs inputs;  ///< formats, tokens, logits [tokens, experts] and bias [experts]
  Distribution logits_distribution, bias_distribution;
  /// The config, logits_distribution and bias_distribution attributes as read (the writer
  /// derives them from config and the distributions).
  std::string config_label, logits_distribution_label, bias_distribution_label;
  std::uint64_t seed = 0;
  RoutingAnswers answers;
  std::vector<RoutingKernelFigures> kernels;
};

/// A fuzz counterexample, group /<logits>+<bias>/corpus/<name>, with its own configuration.
struct RoutingCounterexample {
  std::string name;      ///< "0000", "0001", ... in the order kept
  std::string found_by;  ///< the fuzz run that found it, "<kernel>/biased_grouped_topk/<pair>/<property>"
  RoutingCase routing;
  RoutingAnswers answers;
};

/// The counterexamples of one format pair, in the order kept.
struct RoutingCorpus {
  Format logits = Format::fp32, bias = Format::fp32;
  std::vector<RoutingCounterexample> entries;
};

struct RoutingGoldenFile {
  int schema_version = kSchemaVersion;
  std::string tool = kTool;
  std::string op{kRoutingOpName};
  std::string formula{kRoutingFormula};
  std::string oracle_method = kRoutingOracleMethod;
  std::string device = "none (host kernels only)";
  std::string cuda_version = "none (host kernels only)";
  std::string driver_version = "none (host kernels only)";
  std::vector<RoutingGoldenCase> cases;
  std::vector<RoutingCorpus> corpora;
};

/// "bf16+fp32": the group of a (logits, bias) format pair.
std::string format_pair(Format logits, Format bias);
std::optional<std::pair<Format, Format>> parse_format_pair(std::string_view text);

/// Writes `file` to a temporary and renames it over `path` (as write_golden).
void write_routing_golden(const std::string& path, const RoutingGoldenFile& file,
                          const std::function<void()>& before_rename = {});

/// Reads and validates the whole file: structure, attributes, valid configurations, and every
/// dataset's shape against the configuration and token count. Throws GoldenError.
RoutingGoldenFile read_routing_golden(const std::string& path);

}  // namespace ulpcheck::golden
