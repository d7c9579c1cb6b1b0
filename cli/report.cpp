#include "cli/report.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>

#include "cli/plugins.hpp"
#include "cli/resolve.hpp"
#include "cli/usage_error.hpp"
#include "ulpcheck/device/cuda/runtime.hpp"
#include "ulpcheck/device/registry.hpp"
#include "ulpcheck/device/routing_kernel.hpp"
#include "ulpcheck/properties/approximation.hpp"
#include "ulpcheck/properties/measure.hpp"
#include "ulpcheck/reference/approximation.hpp"
#include "ulpcheck/reference/registry.hpp"
#include "ulpcheck/reports/approximation_report.hpp"
#include "ulpcheck/reports/html_report.hpp"
#include "ulpcheck/reports/precision_report.hpp"
#include "ulpcheck/reports/report_diff.hpp"
#include "ulpcheck/reports/report_document.hpp"
#include "ulpcheck/support/atomic_file.hpp"

namespace ulpcheck::cli {

namespace {
constexpr std::int64_t kDefaultSamples = 1'000'000;
constexpr std::int64_t kMaxSamples = std::int64_t{1} << 32;

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

/// Unary ops over a 16-bit format are checked on every input; everything else is sampled.

/// Progress of one step on stderr at each tenth, once the step has run for a second:
/// short steps print nothing.
Progress progress_printer(std::string label) {
  struct State {
    int next = 1;
    bool printed = false;
    Clock::time_point start = Clock::now();
  };
  auto state = std::make_shared<State>();
  return [label = std::move(label), state](std::int64_t done, std::int64_t total) {
    if (total <= 0 || (done == total && !state->printed) || seconds_since(state->start) < 1.0) return;
    const auto tenth = static_cast<int>(done * 10 / total);
    if (tenth < state->next) return;
    fmt::print(stderr, "  {}: {}% ({} of {} elements)\n", label, tenth * 10, done, total);
    state->next = tenth + 1;
    state->printed = true;
  };
}

/// The kernels that run here on the default backend: the CUDA ones with a GPU, the host
/// ones without, and every plugin kernel.
std::vector<const Kernel*> default_backend_kernels() {
  const bool gpu = cuda::device_available();
  std::vector<const Kernel*> out;
  for (const Kernel* k : all_kernels()) {
    const bool is_cuda = k->name().starts_with("cuda."), is_host = k->name().starts_with("host.");
    if ((is_cuda && !gpu) || (is_host && gpu)) continue;
    out.push_back(k);
  }
  return out;
}

/// One op, dtype and parameter set: the kernels measured on the same inputs and oracle
/// answers.
struct Group {
  const ElementwiseOp* op;
  Format format;
  Params params;
  std::vector<const Kernel*> kernels;
};

struct Plan {
  std::vector<Group> groups;
  std::vector<SkippedCase> skipped;
  std::int64_t samples = kDefaultSamples;
  /// The one call of the sampled cases' inputs that --tokens and --d ask for; empty: the
  /// default calls.
  std::optional<Batch> layout;
  std::size_t cases = 0;
  std::optional<RoutingPlan> routing;  ///< when the report covers biased_grouped_topk
};

/// The routing kernels that run here on the default backend, like default_backend_kernels.
std::vector<const RoutingKernel*> default_backend_routing_kernels() {
  const bool gpu = cuda::device_available();
  std::vector<const RoutingKernel*> out;
  for (const RoutingKernel* k : all_routing_kernels())
    if (k->name().starts_with("cuda.") == gpu) out.push_back(k);
  return out;
}

/// The reference arithmetic on the default backend: cuda.routing_fp32 with a GPU.
const RoutingKernel* default_routing_kernel() {
  const RoutingKernel* cuda = cuda::device_available() ? find_routing_kernel("cuda.routing_fp32") : nullptr;
  return cuda ? cuda : find_routing_kernel("host.routing_fp32");
}

std::vector<Format> resolve_formats(const std::vector<std::string>& names) {
  std::vector<Format> out;
  auto add = [&](Format f) {
    if (std::find(out.begin(), out.end(), f) == out.end()) out.push_back(f);
  };
  for (const std::string& n : names) {
    if (n == "all") {
      for (Format f : all_formats()) add(f);
      continue;
    }
    const std::optional<Format> f = parse_format(n);
    if (!f) throw UsageError(fmt::format("--dtype {}: no such dtype; expected bf16, fp16, fp32 or all", n));
    add(*f);
  }
  if (out.empty()) out.push_back(Format::bf16);
  return out;
}

/// The one call --tokens and --d ask for, checked against the cases and --samples (and
/// p.samples set to its element count).
Batch plan_layout(const ReportOptions& o, Plan& p, bool elementwise_sampled, bool routing_measured) {
  const std::string given = o.tokens && o.d ? fmt::format("--tokens {} --d {}", *o.tokens, *o.d)
                            : o.tokens      ? fmt::format("--tokens {}", *o.tokens)
                                            : fmt::format("--d {}", *o.d);
  if (!elementwise_sampled) {
    if (p.groups.empty() && routing_measured)
      throw UsageError(fmt::format("{}: lays out the random inputs of elementwise ops, which this report does not "
                                   "cover; {} takes its tokens per batch from --samples",
                                   given, kRoutingOpName));
    throw UsageError(fmt::format("{}: every selected elementwise case is checked on all 65536 inputs of its dtype, in "
                                 "the default calls; drop {}",
                                 given, o.tokens && o.d ? "--tokens and --d" : o.tokens ? "--tokens" : "--d"));
  }
  if (o.tokens && o.d) {
    // Each is at most 2^32 (CLI::Range), so the quotient is exact and the product cannot
    // overflow once it passes.
    if (*o.tokens > kMaxSamples / *o.d)
      throw UsageError(
          fmt::format("{}: {} x {} elements is more than the 2^32 a report takes", given, *o.tokens, *o.d));
    const std::int64_t n = *o.tokens * *o.d;
    if (o.samples && *o.samples != n)
      throw UsageError(fmt::format("--samples {} conflicts with {} ({} x {} = {} elements); drop --samples, or give "
                                   "--samples {}",
                                   *o.samples, given, *o.tokens, *o.d, n, n));
    p.samples = n;
    return {*o.tokens, *o.d};
  }
  const std::int64_t given_value = o.tokens ? *o.tokens : *o.d;
  const std::string samples_text =
      o.samples ? fmt::format("--samples {}", p.samples) : fmt::format("--samples {} (the default)", p.samples);
  if (p.samples % given_value != 0)
    throw UsageError(fmt::format("{}: {} is not a multiple of {}; give {} too, or --samples a multiple of {}", given,
                                 samples_text, given_value, o.tokens ? "--d" : "--tokens", given_value));
  return o.tokens ? Batch{*o.tokens, p.samples / *o.tokens} : Batch{p.samples / *o.d, *o.d};
}

Plan plan(const ReportOptions& o) {
  std::vector<const ElementwiseOp*> ops;
  bool routing_named = false;
  for (const std::string& n : o.ops) {
    if (n == kRoutingOpName) {
      routing_named = true;
      continue;
    }
    if (const ElementwiseOp* op = &resolve_op(n); std::find(ops.begin(), ops.end(), op) == ops.end()) ops.push_back(op);
  }
  const bool ops_named = !o.ops.empty();
  if (!ops_named) ops.assign(all_ops().begin(), all_ops().end());
  const bool routing = !ops_named || routing_named;
  if (const std::vector<std::string> given = o.routing.given(); !routing && !given.empty())
    throw UsageError(fmt::format("{}: only {} takes it, and this report does not cover that op; add --op {}",
                                 given.front(), kRoutingOpName, kRoutingOpName));
  if (o.limit && ops.empty())
    throw UsageError(fmt::format("--limit {}: {} takes no limit; silu_and_mul_clamp does", *o.limit, kRoutingOpName));
  const std::vector<Format> formats = resolve_formats(o.dtypes);

  // Named kernels (or "all"); empty means the default of each (op, dtype).
  std::vector<const Kernel*> named;
  std::vector<const RoutingKernel*> named_routing;
  bool all_kernels_asked = !ops_named && o.kernels.empty();
  for (const std::string& n : o.kernels) {
    if (n == "all") {
      all_kernels_asked = true;
      continue;
    }
    if (const RoutingKernel* r = find_routing_kernel(n)) {
      if (!routing)
        throw UsageError(fmt::format("--kernel {} implements {} only, which this report does not cover; add --op {}", n,
                                     kRoutingOpName, kRoutingOpName));
      if (std::find(named_routing.begin(), named_routing.end(), r) == named_routing.end()) named_routing.push_back(r);
      continue;
    }
    const Kernel* k = find_kernel(n);
    if (!k)
      throw UsageError(fmt::format("--kernel {}: no such kernel; expected one of {}, or all (see 'ulpcheck list')", n,
                                   kernel_names()));
    if (std::find(named.begin(), named.end(), k) == named.end()) named.push_back(k);
  }
  if (all_kernels_asked) {
    for (const Kernel* k : default_backend_kernels())
      if (std::find(named.begin(), named.end(), k) == named.end()) named.push_back(k);
    for (const RoutingKernel* k : default_backend_routing_kernels())
      if (std::find(named_routing.begin(), named_routing.end(), k) == named_routing.end()) named_routing.push_back(k);
  }
  const bool kernels_named = !o.kernels.empty();

  // A named kernel must implement at least one selected (op, dtype).
  if (kernels_named)
    for (const Kernel* k : named) {
      bool any = false;
      for (const ElementwiseOp* op : ops)
        for (Format f : formats) any = any || k->supports(*op, f);
      if (any || all_kernels_asked) continue;
      if (ops.empty())
        throw UsageError(fmt::format("--kernel {} implements elementwise ops, not {}; 'ulpcheck list' shows the routing "
                                     "kernels",
                                     k->name(), kRoutingOpName));
      if (ops.size() == 1 && formats.size() == 1 && !routing)
        throw UsageError(fmt::format("--kernel {} does not implement {} in {}; 'ulpcheck list' shows what each kernel "
                                     "implements",
                                     k->name(), ops[0]->name, name(formats[0])));
      throw UsageError(fmt::format("--kernel {} implements none of the selected ops in the selected dtypes; 'ulpcheck "
                                   "list' shows what each kernel implements",
                                   k->name()));
    }

  Plan p;
  for (Format f : formats)
    for (const ElementwiseOp* op : ops) {
      std::vector<Params> param_sets;
      if (!o.limit)
        param_sets = op->checked_params();
      else if (op->default_params().has("limit") || ops_named)
        param_sets = {resolve_params(*op, o.limit)};  // names the flag when the op takes no limit
      else
        param_sets = {op->default_params()};
      for (const Params& params : param_sets) {
        Group g{op, f, params, {}};
        std::vector<const Kernel*> kernels = named;
        // Routing kernels alone named: the elementwise ops have none.
        if (kernels.empty() && !kernels_named) kernels.push_back(&resolve_kernel("", *op, f));
        for (const Kernel* k : kernels) {
          SkippedCase skip{std::string(op->name), std::string(name(f)), params.label(), std::string(k->name()), {},
                           false};
          if (!k->supports(*op, f)) {
            // Only a kernel asked for by name is worth a line: "all" means "those that apply".
            if (kernels_named && std::find(o.kernels.begin(), o.kernels.end(), k->name()) != o.kernels.end()) {
              skip.reason = fmt::format("does not implement {} in {}", op->name, name(f));
              p.skipped.push_back(skip);
            }
            continue;
          }
          if (const std::string why = k->unsupported_params(*op, f, params); !why.empty()) {
            // One case asked for exactly (op, dtype, kernel and limit named) cannot be run:
            // say so. In a report of many cases it is one line among them.
            if (o.limit && !all_kernels_asked && named.size() == 1 && ops_named && ops.size() == 1 &&
                formats.size() == 1 && !routing)
              throw UsageError(fmt::format("--kernel {}: {}", k->name(), why));
            skip.reason = why;
            p.skipped.push_back(skip);
            continue;
          }
          g.kernels.push_back(k);
        }
        p.cases += g.kernels.size();
        if (!g.kernels.empty()) p.groups.push_back(std::move(g));
      }
    }
  std::vector<const RoutingKernel*> routing_kernels = named_routing;
  if (routing && routing_kernels.empty() && !kernels_named) routing_kernels.push_back(default_routing_kernel());
  const bool routing_measured = routing && !routing_kernels.empty();
  if (p.groups.empty() && !routing_measured)
    throw UsageError("nothing to report: no selected kernel implements the selected ops and dtypes");

  const bool elementwise_sampled = std::any_of(p.groups.begin(), p.groups.end(),
                                               [](const Group& g) { return !checks_every_input(*g.op, g.format); });
  if (o.samples && !elementwise_sampled && !routing_measured) {
    const Group& g = p.groups.front();
    if (p.groups.size() == 1)
      throw UsageError(fmt::format("--samples {}: {} in {} is checked on all 65536 inputs; drop --samples", *o.samples,
                                   g.op->name, name(g.format)));
    throw UsageError(fmt::format("--samples {}: every selected case is checked on all 65536 inputs of its dtype; drop "
                                 "--samples",
                                 *o.samples));
  }
  p.samples = o.samples.value_or(kDefaultSamples);
  if (o.tokens || o.d)
    p.layout = plan_layout(o, p, elementwise_sampled, routing_measured);
  else if (elementwise_sampled && p.samples > 1000 && p.samples % 1000 != 0)
    throw UsageError(fmt::format("--samples {}: above 1000, give a multiple of 1000 (rows of 1000 elements)", p.samples));
  if (routing_measured) {
    p.routing = plan_routing(o.routing, formats, routing_kernels, o.samples.value_or(kDefaultRoutingTokens), o.seed);
    // A report of routing alone records its token count as the samples.
    if (p.groups.empty()) p.samples = p.routing->tokens;
  }
  return p;
}

/// An op and the op it approximates, both in the report for one dtype and parameter set:
/// groups[approx] approximates groups[exact]. Ops of different arity are not paired (their
/// inputs differ).
struct ApproximationPair {
  std::size_t exact, approx;
};

std::vector<ApproximationPair> approximation_pairs(const std::vector<Group>& groups) {
  std::vector<ApproximationPair> out;
  for (std::size_t a = 0; a < groups.size(); ++a) {
    const ElementwiseOp& op = *groups[a].op;
    if (op.approximates.of.empty()) continue;
    const ElementwiseOp* target = find_op(op.approximates.of);
    for (std::size_t e = 0; target && e < groups.size(); ++e)
      if (groups[e].op == target && target->arity == op.arity && groups[e].format == groups[a].format &&
          groups[e].params.label() == groups[a].params.label())
        out.push_back({e, a});
  }
  return out;
}

/// What a group in an approximation pair keeps until its pairs are compared: the inputs,
/// the oracle's answers and each kernel's outputs.
struct KeptGroup {
  InputSet inputs;
  OracleAnswers answers;
  std::vector<std::pair<const Kernel*, BitTensor>> outputs;
  std::size_t pairs_left = 0;
  bool done = false;
};

/// The sections of the approximation pairs, one per (op, approximated op), each with one
/// entry per dtype and parameter set, in the order their pairs complete.
class ApproximationSections {
 public:
  void add(const ElementwiseOp& exact, const ElementwiseOp& approx, nlohmann::json dtype_entry) {
    for (Section& s : sections_)
      if (s.exact == &exact && s.approx == &approx) {
        s.dtypes.push_back(std::move(dtype_entry));
        return;
      }
    const auto start = Clock::now();
    const RealDifference real = largest_real_difference(exact, approx);
    fmt::print(stderr, "  {} vs {}: max |difference| of the real functions {:.5g} at {:.6g} ({:.2f} s)\n", approx.name,
               exact.name, std::fabs(real.difference), real.x, seconds_since(start));
    sections_.push_back({&exact, &approx, real, {}});
    sections_.back().dtypes.push_back(std::move(dtype_entry));
  }

  std::vector<nlohmann::json> json() const {
    std::vector<nlohmann::json> out;
    for (const Section& s : sections_) out.push_back(approximation_section_json(*s.exact, *s.approx, s.real, s.dtypes));
    return out;
  }

 private:
  struct Section {
    const ElementwiseOp* exact;
    const ElementwiseOp* approx;
    RealDifference real;
    std::vector<nlohmann::json> dtypes;
  };
  std::vector<Section> sections_;
};

/// The correctly rounded results of a pair and every pair of their kernels' outputs.
nlohmann::json compare_pair(const Group& exact, const Group& approx, const KeptGroup& e, const KeptGroup& a) {
  ApproximationFigures fig;
  fig.format = exact.format;
  fig.params = exact.params;
  fig.inputs = e.inputs.description;
  fig.rounded = compare_rounded(*exact.op, exact.format, exact.params, e.inputs, e.answers, a.answers);
  for (const auto& [ke, out_e] : e.outputs)
    for (const auto& [ka, out_a] : a.outputs)
      fig.kernel_pairs.push_back({std::string(ke->name()), std::string(ka->name()),
                                  compare_outputs(*exact.op, exact.format, exact.params, e.inputs, e.answers, out_e,
                                                  out_a)});
  fmt::print(stderr, "  {} vs {} in {}: correctly rounded results differ on {:.4f}%, max {:.4g} ULP\n",
             approx.op->name, exact.op->name, name(exact.format), 100 * fig.rounded.fraction_differ(),
             fig.rounded.max_ulp);
  return approximation_dtype_json(*exact.op, fig);
}

/// Refuses an -o path that cannot be written before anything is measured.
void check_output_path(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (path.empty()) throw UsageError("-o: empty file name");
  if (fs::is_directory(path, ec)) throw UsageError(fmt::format("-o {}: is a directory; give a file name", path));
  fs::path dir = fs::path(path).parent_path();
  if (dir.empty()) dir = ".";
  if (!fs::is_directory(dir, ec))
    throw UsageError(fmt::format("-o {}: directory {} does not exist; create it first", path, dir.string()));
  if (::access(dir.c_str(), W_OK) != 0)
    throw UsageError(fmt::format("-o {}: directory {} is not writable", path, dir.string()));
}

void emit(const ReportOptions& o, const std::string& text) {
  if (!o.output) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
    return;
  }
  try {
    write_file_atomically(*o.output, text);
  } catch (const std::runtime_error& e) {
    throw UsageError(fmt::format("-o {}", e.what()));
  }
}

/// A report file given to --diff, read and checked.
nlohmann::json read_report(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UsageError(fmt::format("--diff {}: cannot read ({})", path, std::strerror(errno)));
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text.str());
  } catch (const nlohmann::json::parse_error& e) {
    // "[json.exception.parse_error.101] parse error at line 3, ...": the part after the tag.
    std::string what = e.what();
    if (const auto end = what.find("] "); what.starts_with("[json.exception") && end != std::string::npos)
      what = what.substr(end + 2);
    throw UsageError(fmt::format("--diff {}: not valid JSON: {}", path, what));
  }
  if (const std::string problem = check_report(doc); !problem.empty())
    throw UsageError(fmt::format("--diff {}: {}", path, problem));
  return doc;
}

int run_diff(const ReportOptions& o) {
  if (o.format == "html") throw UsageError("--format html: --diff writes md or json");
  const nlohmann::json old_doc = read_report(o.diff[0]), new_doc = read_report(o.diff[1]);
  const ReportDiff d = diff_reports(old_doc, new_doc, o.diff[0], o.diff[1]);
  emit(o, o.format == "json" ? report_json_text(d.json) : render_diff_markdown(d.json));
  return d.regressions ? kExitViolation : kExitPass;
}

}  // namespace

void setup_report(CLI::App& app, int& exit_code) {
  auto opts = std::make_shared<ReportOptions>();
  CLI::App* sub = app.add_subcommand(
      "report", "Measure kernels against the exact oracle and write a precision report, or diff two JSON reports");
  CLI::Option* op = sub->add_option("--op", opts->ops, "op to report (repeatable; default: every op)");
  CLI::Option* dtype =
      sub->add_option("--dtype", opts->dtypes, "bf16, fp16, fp32 or all (repeatable; default: bf16)");
  CLI::Option* kernel = sub->add_option(
      "--kernel", opts->kernels,
      "kernel under test, or all (repeatable; default: every kernel that runs here, or with --op the default kernel)");
  CLI::Option* limit = sub->add_option(
      "--limit", opts->limit,
      "clamp limit L for ops that take one (rounded to fp32; inf = no clamp; default: 0, 7, 7.3, 10 and inf)");
  CLI::Option* samples = sub->add_option("--samples", opts->samples,
                                         fmt::format("random inputs for sampled cases (default 1000000, or --tokens x "
                                                     "--d); for {}, tokens per batch (default {})",
                                                     kRoutingOpName, kDefaultRoutingTokens))
                             ->check(CLI::Range(std::int64_t{1}, kMaxSamples));
  CLI::Option* tokens =
      sub->add_option("--tokens", opts->tokens,
                      "lay the random inputs of sampled elementwise cases out as one kernel call of TOKENS rows "
                      "(default: several calls, see the README); with --d, --samples defaults to TOKENS x D")
          ->check(CLI::Range(std::int64_t{1}, kMaxSamples))
          ->type_name("TOKENS");
  CLI::Option* d = sub->add_option("--d", opts->d,
                                   "elements per row (gate and up each D wide) of that one call; alone, the rows are "
                                   "--samples / D")
                       ->check(CLI::Range(std::int64_t{1}, kMaxSamples))
                       ->type_name("D");
  CLI::Option* seed =
      sub->add_option("--seed", opts->seed, "seed of the random inputs (0 to 2^64-1)")
          ->check(CLI::Validator(
              [](std::string& v) {
                return v.starts_with('-') ? std::string("must be an integer from 0 to 2^64-1") : std::string();
              },
              "UINT64"))
          ->capture_default_str();
  sub->add_option("--format", opts->format, "md, json or html")
      ->check(CLI::IsMember({"md", "json", "html"}))
      ->capture_default_str();
  sub->add_option("-o,--output", opts->output, "write the report to FILE (atomically) instead of standard output")
      ->type_name("FILE");
  add_plugin_option(sub, opts->plugins);
  CLI::Option* plugin = sub->get_option("--plugin");
  add_routing_options(*sub, opts->routing);
  CLI::Option* diff = sub->add_option("--diff", opts->diff, "compare two JSON reports: what changed from OLD to NEW");
  for (const char* routing_option : {"--config", "--experts", "--n-group", "--topk-group", "--topk", "--scoring",
                                     "--no-renormalize", "--scale", "--logits", "--bias", "--no-precision-study"})
    diff->excludes(sub->get_option(routing_option));
  diff->expected(2)
      ->type_name("OLD.json NEW.json")
      ->excludes(op)
      ->excludes(dtype)
      ->excludes(kernel)
      ->excludes(limit)
      ->excludes(samples)
      ->excludes(tokens)
      ->excludes(d)
      ->excludes(seed)
      ->excludes(plugin);
  sub->callback([opts, &exit_code] { exit_code = run_report(*opts); });
}

int run_report(const ReportOptions& o) {
  if (o.output) check_output_path(*o.output);
  if (!o.diff.empty()) return run_diff(o);
  load_plugins(o.plugins);
  const Plan p = plan(o);
  const auto start = Clock::now();
  std::vector<nlohmann::json> cases;
  std::vector<SkippedCase> skipped = p.skipped;
  std::size_t case_number = 0;
  const std::vector<ApproximationPair> pairs = approximation_pairs(p.groups);
  std::map<std::size_t, KeptGroup> kept;  // by group index, while a pair of the group is open
  for (const ApproximationPair& pair : pairs) ++kept[pair.exact].pairs_left, ++kept[pair.approx].pairs_left;
  ApproximationSections sections;
  for (std::size_t i = 0; i < p.groups.size(); ++i) {
    const Group& g = p.groups[i];
    KeptGroup* keep = kept.count(i) ? &kept[i] : nullptr;
    const std::string label = g.params.label();
    const std::string what =
        fmt::format("{} {}{}", name(g.format), g.op->name, label.empty() ? "" : " " + label);
    const int arity = g.op->arity;
    InputSet inputs = checks_every_input(*g.op, g.format) ? in_default_batches(all_values(g.format), 1)
                      : p.layout ? random_rows(g.format, arity, p.layout->rows, p.layout->d, o.seed)
                                 : in_default_batches(random_bits(g.format, arity, p.samples, o.seed), arity);
    const auto group_start = Clock::now();
    fmt::print(stderr, "report [{}/{}] {}: oracle on {}\n", i + 1, p.groups.size(), what, inputs.description);
    OracleAnswers answers = evaluate_inputs(*g.op, g.format, g.params, inputs, progress_printer("oracle"));
    fmt::print(stderr, "  oracle: {:.2f} s\n", seconds_since(group_start));
    for (const Kernel* k : g.kernels) {
      ++case_number;
      const auto kernel_start = Clock::now();
      try {
        BitTensor outputs = run_kernel(*g.op, *k, g.format, g.params, inputs);
        const Measurement m = measure_outputs(*g.op, *k, g.format, g.params, inputs, answers, outputs,
                                              progress_printer(std::string(k->name())));
        if (keep) keep->outputs.emplace_back(k, std::move(outputs));
        cases.push_back(to_json(m));
        fmt::print(stderr, "  [{}/{}] {}: {}, max {:.4g} ULP, {:.4g} outside the floor region ({:.2f} s)\n",
                   case_number, p.cases, k->name(), m.stats.passes() ? "PASS" : "FAIL", m.stats.max_ulp,
                   m.stats.max_ulp_above_floor, seconds_since(kernel_start));
      } catch (const KernelError& e) {
        // A kernel named on the command line that cannot run ends the command (exit 2);
        // one of "every kernel that runs here" is listed as not run, and the rest go on.
        if (std::find(o.kernels.begin(), o.kernels.end(), k->name()) != o.kernels.end()) throw;
        fmt::print(stderr, "  [{}/{}] {}: did not run: {}\n", case_number, p.cases, k->name(), e.what());
        skipped.push_back({std::string(g.op->name), std::string(name(g.format)), label, std::string(k->name()),
                           e.what(), true});
      }
    }
    if (!keep) continue;
    // Pairs whose both groups are measured now are compared, and a group whose pairs are
    // all compared lets go of its inputs, answers and outputs.
    keep->inputs = std::move(inputs);
    keep->answers = std::move(answers);
    keep->done = true;
    for (const ApproximationPair& pair : pairs) {
      if (pair.exact != i && pair.approx != i) continue;
      KeptGroup &e = kept[pair.exact], &a = kept[pair.approx];
      if (!e.done || !a.done) continue;
      sections.add(*p.groups[pair.exact].op, *p.groups[pair.approx].op,
                   compare_pair(p.groups[pair.exact], p.groups[pair.approx], e, a));
      if (--e.pairs_left == 0) kept.erase(pair.exact);
      if (--a.pairs_left == 0) kept.erase(pair.approx);
    }
  }
  std::optional<nlohmann::json> routing;
  if (p.routing) {
    RoutingRun r = run_routing(*p.routing, o.kernels);
    routing = std::move(r.section);
    skipped.insert(skipped.end(), r.skipped.begin(), r.skipped.end());
  }
  const nlohmann::json doc =
      report_document(std::move(cases), skipped, {o.seed, p.samples}, sections.json(), std::move(routing));
  const std::string text = o.format == "json"   ? report_json_text(doc)
                           : o.format == "html" ? render_report_html(doc)
                                                : render_report_markdown(doc);
  emit(o, text);
  const nlohmann::json& sum = doc["summary"];
  const std::int64_t n = sum["cases"].get<std::int64_t>();
  fmt::print(stderr, "report: {} case{} ({} failed, {} not measured) in {:.1f} s{}\n", n, n == 1 ? "" : "s",
             sum["failed"].get<std::int64_t>(), sum["skipped"].get<std::int64_t>(), seconds_since(start),
             o.output ? "; written to " + *o.output : "");
  if (sum["did_not_run"].get<std::int64_t>() > 0) return kExitUsage;
  return sum["pass"].get<bool>() ? kExitPass : kExitViolation;
}

}  // namespace ulpcheck::cli
