#include "ulpcheck/golden/exhaustive/record.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <map>

#include "golden/file_lock.hpp"
#include "golden/hdf5_io.hpp"
#include "ulpcheck/device/cuda/runtime.hpp"
#include "ulpcheck/reference/registry.hpp"

namespace ulpcheck::golden {

namespace {

using namespace h5;

constexpr const char* kRecordAgain = "record it again with 'ulpcheck exhaustive ... --golden FILE'";

/// The figures a record keeps as attributes, by name.
struct RecordFigure {
  const char* name;
  double ExhaustiveRecord::*field;
};
struct RecordCount {
  const char* name;
  std::int64_t ExhaustiveRecord::*field;
};
constexpr RecordFigure kRecordFigures[] = {{"budget_max_ulp", &ExhaustiveRecord::budget_max_ulp},
                                    {"budget_abs_floor", &ExhaustiveRecord::budget_abs_floor},
                                    {"max_ulp", &ExhaustiveRecord::max_ulp},
                                    {"max_ulp_above_floor", &ExhaustiveRecord::max_ulp_above_floor},
                                    {"p50", &ExhaustiveRecord::p50},
                                    {"p99", &ExhaustiveRecord::p99},
                                    {"p999", &ExhaustiveRecord::p999},
                                    {"frac_correctly_rounded", &ExhaustiveRecord::frac_correctly_rounded}};
constexpr RecordCount kRecordCounts[] = {{"elements", &ExhaustiveRecord::elements},
                                  {"budget_breaches", &ExhaustiveRecord::budget_breaches},
                                  {"semantic_differences", &ExhaustiveRecord::semantic_differences},
                                  {"semantic_violations", &ExhaustiveRecord::semantic_violations},
                                  {"escalated", &ExhaustiveRecord::escalated}};

void write_sweeps(const std::string& path, const ExhaustiveFile& f) {
  // HDF5 1.10 objects: each small dataset indexed by a fixed array, not a B-tree of KBs.
  Handle file = create_file(path, FileFormat::v110);
  Handle root = root_for_writing(file.get());
  attr_int64(root.get(), "schema_version", f.schema_version);
  attr_string(root.get(), "tool", f.tool);
  attr_string(root.get(), "content", "exhaustive sweeps");
  attr_string(root.get(), "oracle_method", f.oracle_method);
  attr_string(root.get(), "device", f.device);
  attr_string(root.get(), "cuda_version", f.cuda_version);
  attr_string(root.get(), "driver_version", f.driver_version);
  std::map<std::string, bool> made;
  const auto group = [&](const std::string& p) {
    if (!made[p]) {
      Handle g = create_group(file.get(), p, GroupStorage::compact);
      made[p] = true;
    }
  };
  for (const ExhaustiveRecord& r : f.records) {
    const std::string op = "/" + r.op, dtype = op + "/" + std::string(name(r.format)),
                      at = dtype + "/" + r.case_name;
    group(op), group(dtype), group(at);
    Handle g = create_group(file.get(), at + "/" + r.kernel, GroupStorage::compact);
    attr_string(g.get(), "params", r.params.to_string());
    for (const auto& [k, v] : r.params.values()) attr_double(g.get(), k.c_str(), v);
    attr_string(g.get(), "space", r.space);
    for (const RecordCount& c : kRecordCounts) attr_int64(g.get(), c.name, r.*c.field);
    for (const RecordFigure& d : kRecordFigures) attr_double(g.get(), d.name, r.*d.field);
    dataset(g.get(), "worst_index", r.worst_index);
    dataset(g.get(), "worst_got_bits", r.worst_got_bits);
    dataset(g.get(), "worst_ulp", r.worst_ulp);
    dataset(g.get(), "ulp_histogram", r.ulp_histogram);
  }
  flush(file.get());
}

ExhaustiveRecord read_record(const Ctx& ctx, hid_t g, const std::string& at, const ElementwiseOp& op, Format f,
                             const std::string& case_name, const std::string& kernel) {
  ExhaustiveRecord r;
  r.op = op.name;
  r.format = f;
  r.case_name = case_name;
  r.kernel = kernel;
  const std::string params = read_attr_string(ctx, g, at, "params");
  r.params = op.default_params();
  for (const ParamSpec& spec : op.params) r.params.set(spec.name, read_attr_double(ctx, g, at, spec.name.data()));
  if (r.params.to_string() != params)
    ctx.fail(at + " attribute params", fmt::format("is '{}', but the parameters' own attributes say '{}'", params,
                                                   r.params.to_string()));
  const std::string label = r.params.label();
  if ((label.empty() ? "all" : label) != case_name)
    ctx.fail(at, fmt::format("has params '{}', which is case '{}'", params, label.empty() ? "all" : label));
  r.space = read_attr_string(ctx, g, at, "space");
  for (const RecordCount& c : kRecordCounts) r.*c.field = read_attr_int64(ctx, g, at, c.name);
  for (const RecordFigure& d : kRecordFigures) r.*d.field = read_attr_double(ctx, g, at, d.name);
  r.worst_index = read_dataset<std::int64_t>(ctx, g, at, "worst_index");
  r.worst_got_bits = read_dataset<std::uint32_t>(ctx, g, at, "worst_got_bits");
  r.worst_ulp = read_dataset<double>(ctx, g, at, "worst_ulp");
  r.ulp_histogram = read_dataset<std::int64_t>(ctx, g, at, "ulp_histogram");
  if (r.worst_got_bits.size() != r.worst_index.size() || r.worst_ulp.size() != r.worst_index.size())
    ctx.fail(at, fmt::format("has {} worst_index, {} worst_got_bits and {} worst_ulp rows; they must be as many",
                             r.worst_index.size(), r.worst_got_bits.size(), r.worst_ulp.size()));
  if (r.ulp_histogram.size() != static_cast<std::size_t>(sweep::kHistogramBins))
    ctx.fail(join_path(at, "ulp_histogram"),
             fmt::format("has {} bins, expected {}", r.ulp_histogram.size(), sweep::kHistogramBins));
  std::int64_t binned = 0;
  for (std::int64_t n : r.ulp_histogram) binned += n;
  if (binned > r.elements)
    ctx.fail(join_path(at, "ulp_histogram"), fmt::format("counts {} elements, more than elements = {}", binned, r.elements));
  return r;
}

bool same_sweep(const ExhaustiveRecord& a, const ExhaustiveRecord& b) {
  return a.op == b.op && a.format == b.format && a.case_name == b.case_name && a.kernel == b.kernel;
}

}  // namespace

std::string ExhaustiveRecord::label() const {
  return fmt::format("{} {} {} {}", op, name(format), case_name, kernel);
}

ExhaustiveRecord record_of(const ExhaustivePart& whole) {
  if (whole.shard.count != 1 && whole.shard.index != -1)
    throw std::invalid_argument(fmt::format("{} on {}: shard {} is not the whole space; merge every shard first",
                                            whole.kernel, whole.op, whole.shard.label()));
  const ElementwiseOp* op = find_op(whole.op);
  if (!op) throw std::invalid_argument(fmt::format("unknown op '{}'", whole.op));
  const sweep::Figures& f = whole.figures;
  const sweep::Totals& t = f.totals;
  ExhaustiveRecord r;
  r.op = whole.op;
  r.format = whole.format;
  r.params = whole.params;
  r.case_name = whole.params.label().empty() ? "all" : whole.params.label();
  r.kernel = whole.kernel;
  r.space = describe(exhaustive_space(*op, whole.format), whole.format);
  r.elements = t.count;
  r.budget_max_ulp = whole.budget.max_ulp;
  r.budget_abs_floor = whole.budget.abs_floor;
  r.max_ulp = t.max_ulp;
  r.max_ulp_above_floor = t.max_ulp_above_floor;
  const CaseFigures figures = case_figures(f, whole.format);
  r.p50 = figures.p50_ulp;
  r.p99 = figures.p99_ulp;
  r.p999 = figures.p99_9_ulp;
  r.frac_correctly_rounded = t.count ? static_cast<double>(t.correctly_rounded) / static_cast<double>(t.count) : 0.0;
  r.budget_breaches = t.budget_breaches;
  r.semantic_differences = t.semantic_differences;
  r.semantic_violations = t.semantic_violations;
  r.escalated = f.escalated;
  for (const sweep::Listed& l : f.lists[sweep::kWorst]) {
    r.worst_index.push_back(l.index);
    r.worst_got_bits.push_back(l.got_bits);
    r.worst_ulp.push_back(l.ulp);
  }
  for (const sweep::HistogramCell& c : f.histogram) r.ulp_histogram.push_back(c.count);
  return r;
}

void write_exhaustive(const std::string& path, const ExhaustiveFile& file, const std::function<void()>& before_rename) {
  write_atomically(path, [&](const std::string& tmp) { write_sweeps(tmp, file); }, before_rename);
}

namespace {

ExhaustiveFile read_exhaustive_file(const std::string& path) {
  Ctx ctx{path, "", kRecordAgain};
  Handle file = open_file(ctx);
  Handle root(H5Gopen2(file.get(), "/", H5P_DEFAULT), H5Gclose);
  ExhaustiveFile f;
  f.schema_version = static_cast<int>(read_attr_int64(ctx, root.get(), "/", "schema_version"));
  if (f.schema_version != kSchemaVersion)
    ctx.fail("/", fmt::format("has schema_version {}, expected {}", f.schema_version, kSchemaVersion));
  if (const std::string content = read_attr_string(ctx, root.get(), "/", "content"); content != "exhaustive sweeps")
    ctx.fail("/ attribute content", fmt::format("is '{}', expected 'exhaustive sweeps'", content));
  f.tool = read_attr_string(ctx, root.get(), "/", "tool");
  f.oracle_method = read_attr_string(ctx, root.get(), "/", "oracle_method");
  f.device = read_attr_string(ctx, root.get(), "/", "device");
  f.cuda_version = read_attr_string(ctx, root.get(), "/", "cuda_version");
  f.driver_version = read_attr_string(ctx, root.get(), "/", "driver_version");
  for (const std::string& op_name : members(root.get())) {
    const ElementwiseOp* op = find_op(op_name);
    if (!op) ctx.fail("/" + op_name, fmt::format("is not an op; expected one of {}", op_names()));
    Handle og = open_group(ctx, root.get(), "", op_name);
    const std::string op_path = "/" + op_name;
    for (const std::string& dtype : members(og.get())) {
      const std::optional<Format> format = parse_format(dtype);
      if (!format) ctx.fail(join_path(op_path, dtype), "is not a dtype; expected bf16, fp16 or fp32");
      Handle dg = open_group(ctx, og.get(), op_path, dtype);
      const std::string dtype_path = join_path(op_path, dtype);
      for (const std::string& case_name : members(dg.get())) {
        Handle cg = open_group(ctx, dg.get(), dtype_path, case_name);
        const std::string case_path = join_path(dtype_path, case_name);
        for (const std::string& kernel : members(cg.get())) {
          Handle kg = open_group(ctx, cg.get(), case_path, kernel);
          f.records.push_back(read_record(ctx, kg.get(), join_path(case_path, kernel), *op, *format, case_name, kernel));
        }
      }
    }
  }
  return f;
}

}  // namespace

ExhaustiveFile read_exhaustive(const std::string& path) {
  return read_surviving_hdf5(Ctx{path, "", kRecordAgain}, [&] { return read_exhaustive_file(path); });
}

void record_exhaustive(const std::string& path, const std::vector<ExhaustiveRecord>& records) {
  const std::filesystem::path parent = std::filesystem::absolute(path).parent_path();
  const DirectoryLock lock(parent.string());
  ExhaustiveFile file;
  if (std::filesystem::exists(path)) file = read_exhaustive(path);
  for (const ExhaustiveRecord& r : records) {
    bool replaced = false;
    for (ExhaustiveRecord& old : file.records)
      if (same_sweep(old, r)) old = r, replaced = true;
    if (!replaced) file.records.push_back(r);
  }
  // Records group by op, dtype and case in the file: keep each group's records together,
  // in order of first appearance.
  std::vector<ExhaustiveRecord> ordered;
  for (const ExhaustiveRecord& r : file.records) {
    bool seen = false;
    for (const ExhaustiveRecord& o : ordered) seen = seen || (o.op == r.op && o.format == r.format && o.case_name == r.case_name);
    if (seen) continue;
    for (const ExhaustiveRecord& s : file.records)
      if (s.op == r.op && s.format == r.format && s.case_name == r.case_name) ordered.push_back(s);
  }
  file.records = std::move(ordered);
  const cuda::Provenance p = cuda::provenance();
  file.tool = kTool;
  file.device = p.device;
  file.cuda_version = p.cuda_runtime;
  file.driver_version = p.driver;
  write_exhaustive(path, file);
}

std::vector<std::string> differences(const ExhaustiveRecord& recorded, const ExhaustiveRecord& now) {
  std::vector<std::string> out;
  for (const RecordCount& c : kRecordCounts)
    if (c.field != &ExhaustiveRecord::escalated && recorded.*c.field != now.*c.field)
      out.push_back(fmt::format("{}: recorded {}, now {}", c.name, recorded.*c.field, now.*c.field));
  for (const RecordFigure& d : kRecordFigures)
    if (!(recorded.*d.field == now.*d.field))
      out.push_back(fmt::format("{}: recorded {:.17g}, now {:.17g}", d.name, recorded.*d.field, now.*d.field));
  if (recorded.worst_index != now.worst_index || recorded.worst_got_bits != now.worst_got_bits)
    out.push_back(fmt::format("worst inputs: recorded {} first at element {}, now {} first at element {}",
                              recorded.worst_index.size(), recorded.worst_index.empty() ? -1 : recorded.worst_index[0],
                              now.worst_index.size(), now.worst_index.empty() ? -1 : now.worst_index[0]));
  if (recorded.ulp_histogram != now.ulp_histogram) out.push_back("ulp_histogram: the counts by bin differ");
  return out;
}

const ExhaustiveRecord* find_record(const ExhaustiveFile& file, const ExhaustiveRecord& r) {
  for (const ExhaustiveRecord& x : file.records)
    if (same_sweep(x, r)) return &x;
  return nullptr;
}

}  // namespace ulpcheck::golden
