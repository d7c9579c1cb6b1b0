#include "cli/report.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "cli/elementwise/flags.hpp"
#include "cli/output.hpp"
#include "cli/plugins.hpp"
#include "cli/combine/flags.hpp"
#include "cli/routing/flags.hpp"
#include "cli/usage_error.hpp"
#include "cli/validators.hpp"
#include "ulpcheck/reference/routing.hpp"
#include "ulpcheck/reports/html_report.hpp"
#include "ulpcheck/reports/report_diff.hpp"
#include "ulpcheck/reports/report_document.hpp"
#include "ulpcheck/support/atomic_file.hpp"

namespace ulpcheck::cli {

namespace {

/// A report file given to --diff, read and checked.
nlohmann::json read_report(const std::string& path) {
  const nlohmann::json doc = read_json_file(path, "--diff " + path);
  if (const std::string problem = check_report(doc); !problem.empty())
    throw UsageError(fmt::format("--diff {}: {}", path, problem));
  return doc;
}

int run_diff(const ReportOptions& o) {
  if (o.format == "html") throw UsageError("--format html: --diff writes md or json");
  const nlohmann::json old_doc = read_report(o.diff[0]), new_doc = read_report(o.diff[1]);
  const ReportDiff d = diff_reports(old_doc, new_doc, o.diff[0], o.diff[1]);
  emit(o.output, o.format == "json" ? report_json_text(d.json) : render_diff_markdown(d.json));
  return d.regressions ? kExitViolation : kExitPass;
}

}  // namespace

void setup_report(CLI::App& app, int& exit_code) {
  auto opts = std::make_shared<ReportOptions>();
  CLI::App* sub = app.add_subcommand(
      "report", "Measure kernels against the exact oracle and write a precision report, or diff two JSON reports");
  CLI::Option* op = sub->add_option("--op", opts->request.ops, "op to report (repeatable; default: every op)");
  CLI::Option* dtype =
      sub->add_option("--dtype", opts->request.dtypes, "bf16, fp16, fp32 or all (repeatable; default: bf16)");
  CLI::Option* kernel = sub->add_option(
      "--kernel", opts->request.kernels,
      "kernel under test, or all (repeatable; default: every kernel that runs here, or with --op the default kernel)");
  auto params = std::make_shared<ParamFlags>();
  params->add_to(*sub);
  CLI::Option* samples = sub->add_option("--samples", opts->request.samples,
                                         fmt::format("random inputs for sampled cases (default 1000000, or --tokens x "
                                                     "--d); for {}, tokens per batch (default {})",
                                                     kRoutingOpName, kDefaultRoutingTokens))
                             ->check(CLI::Range(std::int64_t{1}, kMaxSamples));
  CLI::Option* tokens =
      sub->add_option("--tokens", opts->request.tokens,
                      fmt::format("lay the random inputs of sampled elementwise cases out as one kernel call of TOKENS "
                                  "rows (default: several calls, see docs/reports.md); with --d, --samples defaults to "
                                  "TOKENS x D; for {}, tokens per batch (default {})",
                                  kCombineOpName, kDefaultCombineTokens))
          ->check(CLI::Range(std::int64_t{1}, kMaxSamples))
          ->type_name("TOKENS");
  CLI::Option* d = sub->add_option("--d", opts->request.d,
                                   "elements per row (gate and up each D wide) of that one call; alone, the rows are "
                                   "--samples / D")
                       ->check(CLI::Range(std::int64_t{1}, kMaxSamples))
                       ->type_name("D");
  CLI::Option* seed =
      sub->add_option("--seed", opts->request.seed, "seed of the random inputs (0 to 2^64-1)")
          ->check(seed_value())
          ->capture_default_str();
  sub->add_option("--format", opts->format, "md, json or html")
      ->check(CLI::IsMember({"md", "json", "html"}))
      ->capture_default_str();
  sub->add_option("-o,--output", opts->output, "write the report to FILE (atomically) instead of standard output")
      ->type_name("FILE");
  add_plugin_option(sub, opts->plugins);
  CLI::Option* plugin = sub->get_option("--plugin");
  const std::vector<CLI::Option*> routing = add_routing_options(*sub, opts->request.routing);
  CLI::Option* diff = sub->add_option("--diff", opts->diff, "compare two JSON reports: what changed from OLD to NEW");
  auto combine = std::make_shared<CombineFlags>();
  combine->add_to(*sub);
  for (CLI::Option* family_option : routing) diff->excludes(family_option);
  for (CLI::Option* family_option : combine->options()) diff->excludes(family_option);
  for (CLI::Option* family_option : params->options()) diff->excludes(family_option);
  diff->expected(2)
      ->type_name("OLD.json NEW.json")
      ->excludes(op)
      ->excludes(dtype)
      ->excludes(kernel)
      ->excludes(samples)
      ->excludes(tokens)
      ->excludes(d)
      ->excludes(seed)
      ->excludes(plugin);
  sub->callback([opts, params, combine, &exit_code] {
    opts->request.params = params->given();
    opts->request.combine = combine->given();
    exit_code = run_report(*opts);
  });
}

int run_report(const ReportOptions& o) {
  if (o.output) check_output_path(*o.output);
  if (!o.diff.empty()) return run_diff(o);
  load_plugins(o.plugins);
  const ReportPlan plan = plan_report(o.request);
  const auto start = std::chrono::steady_clock::now();
  TerminalObserver observer;
  const nlohmann::json doc = report_document(run_report(plan, observer));
  emit(o.output, o.format == "json"   ? report_json_text(doc)
          : o.format == "html" ? render_report_html(doc)
                               : render_report_markdown(doc));
  const nlohmann::json& sum = doc["summary"];
  const std::int64_t n = sum["cases"].get<std::int64_t>();
  fmt::print(stderr, "report: {} case{} ({} failed, {} not measured) in {:.1f} s{}\n", n, n == 1 ? "" : "s",
             sum["failed"].get<std::int64_t>(), sum["skipped"].get<std::int64_t>(),
             std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
             o.output ? "; written to " + *o.output : "");
  if (sum["did_not_run"].get<std::int64_t>() > 0) return kExitUsage;
  return sum["pass"].get<bool>() ? kExitPass : kExitViolation;
}

}  // namespace ulpcheck::cli
