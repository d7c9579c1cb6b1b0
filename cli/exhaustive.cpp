#include "cli/exhaustive.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>

#include "cli/elementwise/flags.hpp"
#include "cli/output.hpp"
#include "cli/plugins.hpp"
#include "cli/report.hpp"
#include "cli/usage_error.hpp"
#include "ulpcheck/golden/exhaustive/record.hpp"
#include "ulpcheck/reports/html_report.hpp"
#include "ulpcheck/reports/report_document.hpp"
#include "ulpcheck/runs/exhaustive.hpp"

namespace ulpcheck::cli {

namespace {

/// What to do with the figures of whole sweeps besides the report.
struct SweepRecordOptions {
  std::optional<std::string> record;   ///< --golden FILE
  std::optional<std::string> against;  ///< --against FILE
};

struct ExhaustiveOptions {
  ExhaustiveRequest request;
  std::string format = "md";
  std::optional<std::string> output;
  PluginOptions plugins;
  SweepRecordOptions golden;
};

struct MergeOptions {
  std::vector<std::string> parts;
  std::string format = "md";
  std::optional<std::string> output;
  PluginOptions plugins;
  SweepRecordOptions golden;
};

/// Records whole sweeps in a golden file, or compares them with the records there (exit 1
/// when a figure differs, naming it; a sweep with no record is an error, exit 2).
int record_or_compare(const std::vector<ExhaustivePart>& wholes, const SweepRecordOptions& g, const char* command) {
  std::vector<golden::ExhaustiveRecord> records;
  for (const ExhaustivePart& whole : wholes) records.push_back(golden::record_of(whole));
  if (g.record) {
    golden::record_exhaustive(*g.record, records);
    fmt::print(stderr, "{}: {} sweep{} recorded in {}\n", command, records.size(), records.size() == 1 ? "" : "s",
               *g.record);
  }
  if (!g.against) return kExitPass;
  const golden::ExhaustiveFile file = golden::read_exhaustive(*g.against);
  int code = kExitPass;
  for (const golden::ExhaustiveRecord& r : records) {
    const golden::ExhaustiveRecord* recorded = golden::find_record(file, r);
    if (!recorded)
      throw UsageError(fmt::format("--against {}: no record of {}; record it with --golden {}", *g.against, r.label(),
                                   *g.against));
    const std::vector<std::string> diffs = golden::differences(*recorded, r);
    fmt::print(stderr, "{}: {} {} the record in {}\n", command, r.label(), diffs.empty() ? "matches" : "DIFFERS from",
               *g.against);
    for (const std::string& d : diffs) fmt::print(stderr, "  {}\n", d);
    if (!diffs.empty()) code = kExitViolation;
  }
  return code;
}

/// Refuses a golden file that cannot be written or read before any sweep runs.
void check_record_options(const SweepRecordOptions& g) {
  if (g.record) check_output_path(*g.record, "--golden");
  if (g.against) golden::read_exhaustive(*g.against);
}

void add_record_options(CLI::App* sub, SweepRecordOptions& g) {
  sub->add_option("--golden", g.record,
                  "record the sweeps' figures and worst inputs in the golden file FILE (created, or the same "
                  "sweeps replaced; golden/SCHEMA.md)")
      ->type_name("FILE");
  sub->add_option("--against", g.against,
                  "compare the sweeps' figures with their records in FILE: exit 1 when any differs")
      ->type_name("FILE");
}

/// Writes the report of whole parts and says how it went; the exit code of its verdict.
int write_report(const std::vector<ExhaustivePart>& wholes, const std::string& format,
                 const std::optional<std::string>& output, const char* command) {
  const nlohmann::json doc = report_document(exhaustive_results(wholes));
  emit(output, format == "json"   ? report_json_text(doc)
               : format == "html" ? render_report_html(doc)
                                  : render_report_markdown(doc));
  const nlohmann::json& sum = doc["summary"];
  fmt::print(stderr, "{}: {} case{} ({} failed){}\n", command, sum["cases"].get<std::int64_t>(),
             sum["cases"].get<std::int64_t>() == 1 ? "" : "s", sum["failed"].get<std::int64_t>(),
             output ? "; written to " + *output : "");
  return sum["pass"].get<bool>() ? kExitPass : kExitViolation;
}

int run_exhaustive_command(const ExhaustiveOptions& o) {
  if (o.output) check_output_path(*o.output);
  check_record_options(o.golden);
  load_plugins(o.plugins);
  const ExhaustivePlan plan = plan_exhaustive(o.request);
  TerminalObserver observer;
  const std::vector<ExhaustivePart> parts = run_exhaustive(plan, observer);
  if (o.request.shard.empty()) {
    const int verdict = write_report(parts, o.format, o.output, "exhaustive");
    return std::max(verdict, record_or_compare(parts, o.golden, "exhaustive"));
  }
  emit(o.output, part_document(parts.front()).dump(1) + "\n");
  fmt::print(stderr, "exhaustive: shard {} written{}; `ulpcheck merge` of all {} parts gives the report\n",
             plan.shard.label(), o.output ? " to " + *o.output : "", plan.shard.count);
  return kExitPass;
}

int run_merge_command(const MergeOptions& o) {
  if (o.output) check_output_path(*o.output);
  check_record_options(o.golden);
  load_plugins(o.plugins);
  std::vector<ExhaustivePart> parts;
  for (const std::string& path : o.parts) {
    const nlohmann::json doc = read_json_file(path, path);
    parts.push_back(part_from_document(doc, path));
  }
  const std::vector<ExhaustivePart> wholes = merge_part_groups(parts);
  const int verdict = write_report(wholes, o.format, o.output, "merge");
  return std::max(verdict, record_or_compare(wholes, o.golden, "merge"));
}

void add_output_options(CLI::App* sub, std::string& format, std::optional<std::string>& output, const char* what) {
  sub->add_option("--format", format, "md, json or html")->check(CLI::IsMember({"md", "json", "html"}))->capture_default_str();
  sub->add_option("-o,--output", output, fmt::format("write {} to FILE (atomically) instead of standard output", what))
      ->type_name("FILE");
}

}  // namespace

void setup_exhaustive(CLI::App& app, int& exit_code) {
  auto opts = std::make_shared<ExhaustiveOptions>();
  CLI::App* sub = app.add_subcommand(
      "exhaustive",
      "Run a kernel on every input: all 65536 of a unary op on bf16/fp16 (host oracle, any kernel), all 2^32 "
      "(gate, up) pairs of a gated op on bf16/fp16 and all 2^32 fp32 inputs of a unary op (GPU oracle, cuda.* kernels)");
  sub->add_option("--op", opts->request.op, "the op")->required();
  sub->add_option("--dtype", opts->request.dtype, "bf16, fp16 or fp32")->required();
  sub->add_option("--kernel", opts->request.kernels,
                  "kernel under test, repeatable: each is swept in turn, sharing the oracle tables (default: the "
                  "default kernel of op and dtype)");
  auto params = std::make_shared<ParamFlags>();
  params->add_to(*sub);
  CLI::Option* shard =
      sub->add_option("--shard", opts->request.shard,
                      "run shard K of N (1 <= K <= N <= 65536) and write its part document (JSON); `ulpcheck merge` "
                      "of the N parts writes the report")
          ->type_name("K/N");
  sub->add_option("--rows-per-call", opts->request.rows_per_call,
                  "GPU sweeps: rows of 65536 elements per kernel call (device memory: 640 MiB per 1024 rows for "
                  "16-bit pairs, 1 GiB for fp32 inputs: the inputs and three chunks' outputs)")
      ->capture_default_str();
  CLI::Option* format = sub->add_option("--format", opts->format, "md, json or html (the report; not with --shard)")
                            ->check(CLI::IsMember({"md", "json", "html"}))
                            ->capture_default_str();
  format->excludes(shard);
  sub->add_option("-o,--output", opts->output, "write the report (or part) to FILE (atomically) instead of standard output")
      ->type_name("FILE");
  add_plugin_option(sub, opts->plugins);
  add_record_options(sub, opts->golden);
  sub->get_option("--golden")->excludes(shard);
  sub->get_option("--against")->excludes(shard);
  sub->callback([opts, params, &exit_code] {
    opts->request.params = params->given();
    exit_code = run_exhaustive_command(*opts);
  });
}

void setup_merge(CLI::App& app, int& exit_code) {
  auto opts = std::make_shared<MergeOptions>();
  CLI::App* sub = app.add_subcommand(
      "merge", "Merge the part documents of `exhaustive --shard` runs into the report of the whole sweep");
  sub->add_option("parts", opts->parts, "part documents (JSON), every shard of each sweep once")->required();
  add_output_options(sub, opts->format, opts->output, "the report");
  add_plugin_option(sub, opts->plugins);
  add_record_options(sub, opts->golden);
  sub->callback([opts, &exit_code] { exit_code = run_merge_command(*opts); });
}

}  // namespace ulpcheck::cli
