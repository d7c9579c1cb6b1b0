#include "capi/commands.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "ulpcheck/properties/explain.hpp"
#include "ulpcheck/reports/report_document.hpp"
#include "ulpcheck/runs/explain.hpp"
#include "ulpcheck/runs/request_error.hpp"

namespace ulpcheck::capi {

namespace {

Outcome run_check(const ReportRequest& request) {
  const ReportResults results = run_report(plan_report(request));
  const nlohmann::json doc = report_document(results);
  Outcome out;
  out.explanation = first_failure(results);
  const nlohmann::json& summary = doc.at("summary");
  if (out.explanation.empty() && !summary.at("pass").get<bool>()) {
    // Nothing failed that was measured, but a case did not run at all.
    out.explanation = "some cases did not run:";
    for (const SkippedCase& s : results.skipped)
      if (s.did_not_run) out.explanation += fmt::format("\n  {} on {} {}: {}", s.kernel, s.op, s.dtype, s.reason);
  }
  out.passed = out.explanation.empty();
  out.json = report_json_text(doc);
  out.markdown = render_report_markdown(doc);
  return out;
}

Outcome run_fuzz(const Request& request) {
  std::vector<FuzzRun> runs;
  if (request.replay) runs.push_back(resolve_replay(*request.replay));
  else runs = plan_fuzz(request.fuzz);
  Outcome out;
  nlohmann::json list = nlohmann::json::array();
  std::size_t failed = 0;
  for (const FuzzRun& r : runs) {
    const FuzzResult result = run(r, request.fuzz_settings, request.replay);
    list.push_back({{"run", label(r)},
                    {"id", result.id},
                    {"passed", result.passed},
                    {"cases", result.cases},
                    {"failure", result.failure},
                    {"counterexample", result.counterexample},
                    {"replay_token", result.replay_token}});
    out.markdown += fmt::format("- {} {}: {} cases{}\n", result.passed ? "PASS" : "**FAIL**", label(r), result.cases,
                                result.passed ? "" : "; replay token `" + result.replay_token + "`");
    if (result.passed) continue;
    if (failed++ == 0)
      out.explanation = fmt::format("{}: {}\nshrunk counterexample: {}\nreplay token: {}", label(r), result.failure,
                                    result.counterexample, result.replay_token);
  }
  out.passed = failed == 0;
  out.markdown = fmt::format("# Fuzz: {} of {} runs passed\n\n", runs.size() - failed, runs.size()) + out.markdown;
  out.json = nlohmann::json{{"runs", list}, {"failed", failed}, {"passed", runs.size() - failed}}.dump(2) + "\n";
  return out;
}

/// The first failing group of a kernel's check, explained.
std::string group_failure(const golden::KernelCheck& k, const golden::FileCheck& c) {
  for (const golden::GroupCheck& g : c.groups) {
    if (g.passes()) continue;
    const ErrorStats& s = g.measurement.stats;
    return fmt::format("{} on {} {}: {} outputs fail\n{}", k.kernel, k.path, g.group,
                       s.budget_breaches + s.semantic_violations, explain(g.measurement, s.first_failure()));
  }
  return {};
}

std::string group_failure(const golden::KernelCheck& k, const golden::RoutingFileCheck& c) {
  for (const golden::RoutingGroupCheck& g : c.groups) {
    if (g.passes()) continue;
    return fmt::format("{} on {} {}: {} expert sets differ, {} invalid, {} weights outside the budget\n{}", k.kernel,
                       k.path, g.group, g.stats.mismatches, g.stats.invalid, g.stats.weight_breaches,
                       g.stats.failures.empty() ? "" : g.stats.failures.front());
  }
  return {};
}

std::string group_failure(const golden::KernelCheck& k, const golden::CombineFileCheck& c) {
  for (const golden::CombineGroupCheck& g : c.groups) {
    if (g.passes()) continue;
    return fmt::format("{} on {} {}: {} outputs fail\n{}", k.kernel, k.path, g.group,
                       g.stats.budget_breaches + g.stats.semantic_violations, g.first_failure);
  }
  return {};
}

Outcome run_golden_check(const golden::CheckRequest& request) {
  const std::vector<golden::KernelCheck> checks = golden::run_check(golden::plan_check(request), silent_observer());
  Outcome out;
  nlohmann::json list = nlohmann::json::array();
  std::size_t groups = 0, failed = 0;
  for (const golden::KernelCheck& k : checks) {
    groups += k.groups();
    failed += k.failed();
    list.push_back({{"kernel", k.kernel}, {"path", k.path}, {"groups", k.groups()}, {"failed", k.failed()}});
    out.markdown += fmt::format("- {} {} on {}: {} of {} groups passed\n", k.failed() ? "**FAIL**" : "PASS", k.kernel,
                                k.path, k.groups() - k.failed(), k.groups());
    if (out.explanation.empty()) out.explanation = std::visit([&](const auto& c) { return group_failure(k, c); }, k.check);
  }
  if (groups == 0) throw RequestError("nothing to check: no selected kernel implements an op of the selected golden files");
  out.passed = failed == 0;
  out.markdown = fmt::format("# Golden check: {} of {} groups passed\n\n", groups - failed, groups) + out.markdown;
  out.json = nlohmann::json{{"checks", list}, {"groups", groups}, {"failed", failed}}.dump(2) + "\n";
  return out;
}

}  // namespace

Outcome run_request(const Request& request) {
  switch (request.command) {
    case Command::check: return run_check(request.check);
    case Command::fuzz: return run_fuzz(request);
    case Command::golden_check: return run_golden_check(request.golden_check);
  }
  return {};
}

}  // namespace ulpcheck::capi
