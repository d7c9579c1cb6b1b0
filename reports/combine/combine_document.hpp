// The moe_combine section of a report document as types: each object's keys are its members,
// listed once here, and nlohmann's to_json/from_json of each come from that list. Numbers
// that may be NaN or infinite are Number (report_text.hpp), written "nan", "inf", "-inf".
// Internal to reports/.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "reports/report_text.hpp"

namespace ulpcheck::combine_document {

using report_text::Number;

/// What a kernel claims for the batch's config and format ("claim"): an output passes when
/// |y - r| <= max(max_ulp * ulp(r), relative * s + absolute).
struct Claim {
  Number max_ulp, relative, absolute;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Claim, max_ulp, relative, absolute)

/// One kernel on one batch: the elementwise figures of its outputs, its first failing
/// element explained ("failure", empty when it passes).
struct Case {
  std::string kernel, kernel_description;
  Claim claim;
  std::int64_t count = 0, numeric = 0, correctly_rounded = 0, in_floor_region = 0, semantic_differences = 0,
               semantic_violations = 0, breaches = 0;
  Number max_ulp, max_ulp_above_floor, p99_ulp;
  double fraction_correctly_rounded = 0.0;
  std::string failure;
  bool pass = false;
  std::string verdict;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Case, kernel, kernel_description, claim, count, numeric, correctly_rounded,
                                   in_floor_region, semantic_differences, semantic_violations, breaches, max_ulp,
                                   max_ulp_above_floor, p99_ulp, fraction_correctly_rounded, failure, pass, verdict)

struct Config {
  std::int64_t topk = 0, hidden = 0;
  double routed_scaling_factor = 1.0;
  std::string label;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Config, topk, hidden, routed_scaling_factor, label)

/// A batch: one storage format and config, without its cases (BatchWithCases adds them).
struct Batch {
  std::string dtype;
  Config config;
  std::int64_t tokens = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Batch, dtype, config, tokens)

/// A batch with its cases, as the section's "batches" hold it.
struct BatchWithCases {
  Batch batch;
  std::vector<Case> cases;
};
inline void to_json(nlohmann::json& j, const BatchWithCases& b) { report_text::write_extended(j, b.batch, "cases", b.cases); }
inline void from_json(const nlohmann::json& j, BatchWithCases& b) { report_text::read_extended(j, b.batch, "cases", b.cases); }

/// The cases of every batch counted together; what the document's summary adds.
struct Summary {
  std::int64_t cases = 0, passed = 0, failed = 0;
  bool pass = false;
  std::string verdict;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Summary, cases, passed, failed, pass, verdict)

/// The section without its batches (SectionWithBatches adds them).
struct Section {
  std::string op, formula, inputs;
  std::int64_t tokens = 0;
  std::uint64_t seed = 0;
  Summary summary;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Section, op, formula, inputs, tokens, seed, summary)

struct SectionWithBatches {
  Section section;
  std::vector<BatchWithCases> batches;
};
inline void to_json(nlohmann::json& j, const SectionWithBatches& s) {
  report_text::write_extended(j, s.section, "batches", s.batches);
}
inline void from_json(const nlohmann::json& j, SectionWithBatches& s) {
  report_text::read_extended(j, s.section, "batches", s.batches);
}

}  // namespace ulpcheck::combine_document
