#include "cli/report.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <memory>

#include "cli/plugins.hpp"
#include "cli/resolve.hpp"
#include "cli/usage_error.hpp"
#include "ulpcheck/properties/measure.hpp"
#include "ulpcheck/reports/precision_report.hpp"

namespace ulpcheck::cli {

namespace {
constexpr std::int64_t kDefaultSamples = 1'000'000;

/// Unary ops over a 16-bit format are checked on every input; everything else is sampled.
bool exhaustive(const ElementwiseOp& op, Format f) { return op.arity == 1 && info(f).storage_bits == 16; }

/// A progress line on stderr at each tenth, so long runs show they are alive; runs short
/// enough to finish in one step print nothing.
Progress progress_printer(std::string label) {
  auto next = std::make_shared<int>(1);
  return [label = std::move(label), next](std::int64_t done, std::int64_t total) {
    if (done == total && *next == 1) return;
    while (*next <= 10 && done * 10 >= total * *next) {
      fmt::print(stderr, "{}: {}% ({} of {} elements)\n", label, *next * 10, done, total);
      ++*next;
    }
  };
}
}  // namespace

void setup_report(CLI::App& app, int& exit_code) {
  auto opts = std::make_shared<ReportOptions>();
  CLI::App* sub = app.add_subcommand("report", "Measure a kernel against the exact oracle and print a precision report");
  sub->add_option("--op", opts->op, "op to check (see 'ulpcheck list')")->required();
  sub->add_option("--dtype", opts->dtype, "bf16, fp16 or fp32")->capture_default_str();
  sub->add_option("--kernel", opts->kernel, "kernel under test (default: the first that implements op and dtype)");
  sub->add_option("--limit", opts->limit, "clamp limit L for silu_and_mul_clamp (rounded to fp32; inf = no clamp)");
  sub->add_option("--samples", opts->samples, "random inputs for sampled ops (default 1000000)")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{1} << 32));
  sub->add_option("--seed", opts->seed, "seed of the random inputs (0 to 2^64-1)")
      ->check(CLI::Validator(
          [](std::string& v) { return v.starts_with('-') ? std::string("must be an integer from 0 to 2^64-1") : std::string(); },
          "UINT64"))
      ->capture_default_str();
  sub->add_option("--format", opts->format, "md or json")->check(CLI::IsMember({"md", "json"}))->capture_default_str();
  add_plugin_option(sub, opts->plugins);
  sub->callback([opts, &exit_code] { exit_code = run_report(*opts); });
}

int run_report(const ReportOptions& o) {
  load_plugins(o.plugins);
  const ElementwiseOp& op = resolve_op(o.op);
  const Format f = resolve_format(o.dtype);
  const Kernel& kernel = resolve_kernel(o.kernel, op, f);
  const Params params = resolve_params(op, o.limit);
  if (const std::string why = kernel.unsupported_params(op, f, params); !why.empty())
    throw UsageError(fmt::format("--kernel {}: {}", kernel.name(), why));
  if (exhaustive(op, f) && o.samples)
    throw UsageError(fmt::format("--samples {}: {} in {} is checked on all 65536 inputs; drop --samples",
                                 *o.samples, op.name, name(f)));
  const std::int64_t samples = o.samples.value_or(kDefaultSamples);
  if (!exhaustive(op, f) && samples > 1000 && samples % 1000 != 0)
    throw UsageError(fmt::format("--samples {}: above 1000, give a multiple of 1000 (rows of 1000 elements)", samples));

  const InputSet inputs = exhaustive(op, f) ? all_values(f) : random_bits(f, op.arity, samples, o.seed);
  const Measurement m = measure(op, kernel, f, params, inputs,
                                progress_printer(fmt::format("report {} {} {}", op.name, name(f), kernel.name())));
  if (o.format == "json")
    fmt::print("{}\n", to_json(m).dump(2));
  else
    fmt::print("{}", render_markdown(m));
  return m.stats.passes() ? kExitPass : kExitViolation;
}

}  // namespace ulpcheck::cli
