// The MoE block report as Markdown and JSON (runs/moe_block/moe_block_report.hpp).
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "ulpcheck/runs/moe_block/moe_block_report.hpp"

namespace ulpcheck {

namespace {

std::string moe_ulp_text(double ulp) { return ulp < 100.0 ? fmt::format("{:.3g}", ulp) : fmt::format("{:.4g}", ulp); }

std::string moe_figure_cells(const MoeErrorFigures& f) {
  std::string max = moe_ulp_text(f.max_ulp);
  if (f.non_finite) max += fmt::format(" ({} non-finite)", f.non_finite);
  return fmt::format("{} | {}", max, moe_ulp_text(f.p99_ulp));
}

std::string moe_stage_row(const MoeStageFigures& s, bool combine) {
  const std::string stage =
      combine ? fmt::format("combine ({})", s.kernel.substr(s.kernel.find(".combine_") + 9)) : s.stage;
  const std::string claim = s.claim.empty()  ? "none for this format"
                            : s.own_breaches ? fmt::format("{}: **{} outside**", s.claim, s.own_breaches)
                                             : fmt::format("{}: within", s.claim);
  return fmt::format("| {} | {} | {} | {} ({}) | {} | {:.3g} | {:.3g} | {} |\n", stage, s.kernel, name(s.format),
                     moe_figure_cells(s.own), s.own.compared, moe_figure_cells(s.chained), s.own.max_relative,
                     s.chained.max_relative, claim);
}

nlohmann::json moe_figures_json(const MoeErrorFigures& f) {
  return {{"compared", f.compared},
          {"max_ulp", f.max_ulp},
          {"p99_ulp", f.p99_ulp},
          {"max_relative", f.max_relative},
          {"non_finite", f.non_finite}};
}

nlohmann::json moe_stage_json(const MoeStageFigures& s) {
  return {{"stage", s.stage},
          {"kernel", s.kernel},
          {"format", name(s.format)},
          {"own", moe_figures_json(s.own)},
          {"claim", s.claim},
          {"own_breaches", s.own_breaches},
          {"chained", moe_figures_json(s.chained)}};
}

MoeErrorFigures moe_figures_from_json(const nlohmann::json& j) {
  return {j.at("compared").get<std::int64_t>(), j.at("max_ulp").get<double>(), j.at("p99_ulp").get<double>(),
          j.at("max_relative").get<double>(), j.at("non_finite").get<std::int64_t>()};
}

MoeStageFigures moe_stage_from_json(const nlohmann::json& j) {
  return {j.at("stage").get<std::string>(), j.at("kernel").get<std::string>(),
          parse_format(j.at("format").get<std::string>()).value_or(Format::fp32), moe_figures_from_json(j.at("own")),
          j.at("claim").get<std::string>(), j.at("own_breaches").get<std::int64_t>(),
          moe_figures_from_json(j.at("chained"))};
}

}  // namespace

MoeBlockReport moe_block_from_json(const nlohmann::json& j) {
  MoeBlockReport r;
  r.config = j.at("config").get<std::string>();
  r.pipeline = j.at("pipeline").get<std::string>();
  r.device = j.at("device").get<std::string>();
  r.measured = j.at("measured").get<bool>();
  r.tokens = j.at("tokens").get<std::int64_t>();
  r.id_mismatch_tokens = j.at("id_mismatch_tokens").get<std::int64_t>();
  r.mismatch_margin_max = j.at("mismatch_margin_max").get<double>();
  for (const nlohmann::json& s : j.at("stages")) r.stages.push_back(moe_stage_from_json(s));
  for (const nlohmann::json& s : j.at("combines")) r.combines.push_back(moe_stage_from_json(s));
  return r;
}

std::string moe_block_markdown(const MoeBlockReport& r) {
  std::string out = fmt::format("### MoE block, {} pipeline: {}\n\n", r.pipeline, r.config);
  if (!r.measured) return out + fmt::format("Not measured: {}\n", r.device);
  out += fmt::format("Ran on: {}.\n\n", r.device);
  out += fmt::format(
      "Tokens whose kernel ids differ from the oracle's (left out of the chained figures after the router): {} of "
      "{}{}.\n\n",
      r.id_mismatch_tokens, r.tokens,
      r.id_mismatch_tokens ? fmt::format(", largest exact margin among them {:.3g}", r.mismatch_margin_max) : "");
  out +=
      "*own*: the stage's kernel on exact inputs (the exact chain's values rounded to the format) against the exact "
      "answer on those inputs. *chained*: the kernel chain's output at that stage against the end-to-end exact "
      "value; for the combine rows it is the block's final output. *rel*: max |error| over the RMS of the exact "
      "values compared.\n\n";
  out +=
      "| stage | kernel | format | own max ULP | own p99 (n) | chained max ULP | chained p99 | own rel | chained rel "
      "| own claim |\n";
  out += "|---|---|---|---:|---:|---:|---:|---:|---:|---|\n";
  for (const MoeStageFigures& s : r.stages) out += moe_stage_row(s, false);
  for (const MoeStageFigures& s : r.combines) out += moe_stage_row(s, true);
  out += fmt::format("\nEvery stage's own outputs within its claim: {}.\n", r.own_within_claims() ? "yes" : "**no**");
  return out;
}

nlohmann::json moe_block_json(const MoeBlockReport& r) {
  nlohmann::json stages = nlohmann::json::array(), combines = nlohmann::json::array();
  for (const MoeStageFigures& s : r.stages) stages.push_back(moe_stage_json(s));
  for (const MoeStageFigures& s : r.combines) combines.push_back(moe_stage_json(s));
  return {{"config", r.config},
          {"pipeline", r.pipeline},
          {"device", r.device},
          {"measured", r.measured},
          {"tokens", r.tokens},
          {"id_mismatch_tokens", r.id_mismatch_tokens},
          {"mismatch_margin_max", r.mismatch_margin_max},
          {"own_within_claims", r.measured && r.own_within_claims()},
          {"stages", stages},
          {"combines", combines}};
}

}  // namespace ulpcheck
