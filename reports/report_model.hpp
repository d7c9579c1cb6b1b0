// The top level of a report document (report_document.hpp) as types, its keys listed once
// here: the settings, the summary, the cases not measured, and the sections the families
// fill, each in its own typed model (case_document.hpp, approximation_document.hpp; the
// routing section stays JSON, read by routing_document.hpp's types where a reader needs
// them). Internal to reports/.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "reports/elementwise/approximation_document.hpp"
#include "reports/elementwise/case_document.hpp"

namespace ulpcheck::report_model {

/// "settings": what every sampled case drew its inputs from.
struct Settings {
  std::uint64_t seed = 0;
  std::int64_t samples = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Settings, seed, samples)

/// "summary": the cases of every family counted together.
struct Summary {
  std::int64_t cases = 0, passed = 0, failed = 0, skipped = 0, did_not_run = 0;
  bool pass = false;
  std::string verdict;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Summary, cases, passed, failed, skipped, did_not_run, pass, verdict)

/// A "skipped" row: a case asked for but not measured, and why.
struct Skipped {
  std::string op, dtype, params_label, kernel, reason;
  bool did_not_run = false;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Skipped, op, dtype, params_label, kernel, reason, did_not_run)

/// The whole document. "approximations" reads as none where a document has no such key;
/// "routing" is kept as it was read (absent, null or the section).
struct Document {
  std::string schema;
  int version = 0;
  Settings settings;
  Summary summary;
  std::vector<case_document::Case> cases;
  std::vector<Skipped> skipped;
  std::vector<approximation_document::Section> approximations;
  std::optional<nlohmann::json> routing;
  std::optional<nlohmann::json> combine;

  /// Whether the document covers routing: its section is there and not null.
  bool has_routing() const { return routing && routing->is_object(); }
  bool has_combine() const { return combine && combine->is_object(); }
};
inline void to_json(nlohmann::json& j, const Document& d) {
  j = nlohmann::json{{"schema", d.schema},     {"version", d.version}, {"settings", d.settings},
                     {"summary", d.summary},   {"cases", d.cases},     {"skipped", d.skipped},
                     {"approximations", d.approximations}};
  if (d.routing) j["routing"] = *d.routing;
  if (d.combine) j["combine"] = *d.combine;
}
inline void from_json(const nlohmann::json& j, Document& d) {
  d.schema = j.at("schema").get<std::string>();
  d.version = j.at("version").get<int>();
  d.settings = j.at("settings").get<Settings>();
  d.summary = j.at("summary").get<Summary>();
  d.cases = j.at("cases").get<std::vector<case_document::Case>>();
  d.skipped = j.at("skipped").get<std::vector<Skipped>>();
  d.approximations = j.contains("approximations")
                         ? j["approximations"].get<std::vector<approximation_document::Section>>()
                         : std::vector<approximation_document::Section>{};
  d.routing = j.contains("routing") ? std::optional<nlohmann::json>(j["routing"]) : std::nullopt;
  d.combine = j.contains("combine") ? std::optional<nlohmann::json>(j["combine"]) : std::nullopt;
}

}  // namespace ulpcheck::report_model
