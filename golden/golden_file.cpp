#include "ulpcheck/golden/golden_file.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <hdf5.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <set>
#include <tuple>

#include "ulpcheck/golden/regen.hpp"
#include "ulpcheck/properties/measure.hpp"
#include "ulpcheck/reference/registry.hpp"

namespace ulpcheck::golden {

namespace {

// ---------------------------------------------------------------- HDF5 plumbing

/// An hid_t closed by the matching H5*close on scope exit.
class Handle {
 public:
  Handle() = default;
  Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  Handle(Handle&& o) noexcept : id_(o.id_), close_(o.close_) { o.id_ = -1; }
  Handle& operator=(Handle&& o) noexcept {
    std::swap(id_, o.id_);
    std::swap(close_, o.close_);
    return *this;
  }
  ~Handle() {
    if (id_ >= 0 && close_) close_(id_);
  }
  hid_t get() const { return id_; }
  bool ok() const { return id_ >= 0; }

 private:
  hid_t id_ = -1;
  herr_t (*close_)(hid_t) = nullptr;
};

void quiet_hdf5() {
  static const bool once = [] {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    return true;
  }();
  (void)once;
}

std::string op_of_path(const std::string& path) { return std::filesystem::path(path).stem().string(); }

std::string regen_hint(const std::string& op) { return fmt::format("regenerate with 'ulpcheck golden regen --op {}'", op); }

/// Context of a read: the file and the op for messages.
struct Ctx {
  std::string path;
  std::string op;
  [[noreturn]] void fail(const std::string& object, const std::string& what) const {
    throw GoldenError(fmt::format("{}: {} {}; {}", path, object, what, regen_hint(op)));
  }
};

// Writing ------------------------------------------------------------

struct WriteError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void check(herr_t status, const std::string& what) {
  if (status < 0) throw WriteError(what);
}
hid_t check_id(hid_t id, const std::string& what) {
  if (id < 0) throw WriteError(what);
  return id;
}

Handle string_type() {
  Handle t(check_id(H5Tcopy(H5T_C_S1), "H5Tcopy"), H5Tclose);
  check(H5Tset_size(t.get(), H5T_VARIABLE), "H5Tset_size");
  check(H5Tset_cset(t.get(), H5T_CSET_UTF8), "H5Tset_cset");
  return t;
}

void attr_string(hid_t obj, const char* name, const std::string& value) {
  Handle type = string_type();
  Handle space(check_id(H5Screate(H5S_SCALAR), "H5Screate"), H5Sclose);
  Handle a(check_id(H5Acreate2(obj, name, type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
                    fmt::format("create attribute {}", name)),
           H5Aclose);
  const char* p = value.c_str();
  check(H5Awrite(a.get(), type.get(), &p), fmt::format("write attribute {}", name));
}

template <class T>
void attr_number(hid_t obj, const char* name, hid_t file_type, hid_t mem_type, T value) {
  Handle space(check_id(H5Screate(H5S_SCALAR), "H5Screate"), H5Sclose);
  Handle a(check_id(H5Acreate2(obj, name, file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT),
                    fmt::format("create attribute {}", name)),
           H5Aclose);
  check(H5Awrite(a.get(), mem_type, &value), fmt::format("write attribute {}", name));
}
void attr_double(hid_t obj, const char* name, double v) { attr_number(obj, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, v); }
void attr_int64(hid_t obj, const char* name, std::int64_t v) { attr_number(obj, name, H5T_STD_I64LE, H5T_NATIVE_INT64, v); }
void attr_uint64(hid_t obj, const char* name, std::uint64_t v) { attr_number(obj, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, v); }

template <class T>
void dataset(hid_t group, const char* name, hid_t file_type, hid_t mem_type, const std::vector<T>& v) {
  const hsize_t n = v.size();
  Handle space(check_id(H5Screate_simple(1, &n, nullptr), "H5Screate_simple"), H5Sclose);
  Handle dcpl(check_id(H5Pcreate(H5P_DATASET_CREATE), "H5Pcreate"), H5Pclose);
  // No modification times in object headers: the same content gives the same bytes.
  check(H5Pset_obj_track_times(dcpl.get(), false), "H5Pset_obj_track_times");
  if (n > 0) {
    const hsize_t chunk = std::min<hsize_t>(n, 65536);
    check(H5Pset_chunk(dcpl.get(), 1, &chunk), "H5Pset_chunk");
    check(H5Pset_shuffle(dcpl.get()), "H5Pset_shuffle");
    check(H5Pset_deflate(dcpl.get(), 6), "H5Pset_deflate");
    // A checksum per chunk: flipped bits on disk fail the read instead of passing as data.
    check(H5Pset_fletcher32(dcpl.get()), "H5Pset_fletcher32");
  }
  Handle d(check_id(H5Dcreate2(group, name, file_type, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
                    fmt::format("create dataset {}", name)),
           H5Dclose);
  if (n > 0) check(H5Dwrite(d.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()), fmt::format("write {}", name));
}

Handle create_group(hid_t parent, const std::string& name) {
  Handle gcpl(check_id(H5Pcreate(H5P_GROUP_CREATE), "H5Pcreate"), H5Pclose);
  check(H5Pset_obj_track_times(gcpl.get(), false), "H5Pset_obj_track_times");
  // Members listed in the order written (cases in their spec order), for h5py too.
  check(H5Pset_link_creation_order(gcpl.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED),
        "H5Pset_link_creation_order");
  return Handle(check_id(H5Gcreate2(parent, name.c_str(), H5P_DEFAULT, gcpl.get(), H5P_DEFAULT),
                         fmt::format("create group {}", name)),
                H5Gclose);
}

void write_elements(hid_t g, const Elements& e, int arity) {
  dataset(g, "x0_bits", H5T_STD_U32LE, H5T_NATIVE_UINT32, e.x0_bits);
  if (arity == 2) dataset(g, "x1_bits", H5T_STD_U32LE, H5T_NATIVE_UINT32, e.x1_bits);
  dataset(g, "exact_hi", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, e.exact_hi);
  dataset(g, "exact_lo", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, e.exact_lo);
  dataset(g, "rounded_bits", H5T_STD_U32LE, H5T_NATIVE_UINT32, e.rounded_bits);
}

void write_params(hid_t g, const Params& p) {
  attr_string(g, "params", p.to_string());
  for (const auto& [k, v] : p.values()) attr_double(g, k.c_str(), v);
}

void write_file(const std::string& path, const GoldenFile& f) {
  quiet_hdf5();
  // Fixed creation properties and no times: the same content gives the same bytes.
  Handle fcpl(check_id(H5Pcreate(H5P_FILE_CREATE), "H5Pcreate"), H5Pclose);
  check(H5Pset_obj_track_times(fcpl.get(), false), "H5Pset_obj_track_times");  // the root group's
  check(H5Pset_link_creation_order(fcpl.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED),
        "H5Pset_link_creation_order");
  Handle file(check_id(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, fcpl.get(), H5P_DEFAULT), "cannot create the file"),
              H5Fclose);
  Handle root(check_id(H5Gopen2(file.get(), "/", H5P_DEFAULT), "open /"), H5Gclose);
  attr_int64(root.get(), "schema_version", f.schema_version);
  attr_string(root.get(), "tool", f.tool);
  attr_string(root.get(), "op", f.op);
  attr_string(root.get(), "formula", f.formula);
  attr_int64(root.get(), "arity", f.arity);
  attr_string(root.get(), "oracle_method", f.oracle_method);
  attr_string(root.get(), "device", f.device);
  attr_string(root.get(), "cuda_version", f.cuda_version);
  attr_string(root.get(), "driver_version", f.driver_version);

  std::set<std::string> dtype_groups;
  auto dtype_group = [&](Format fmt) {
    const std::string n(name(fmt));
    if (dtype_groups.insert(n).second) {
      Handle g = create_group(file.get(), "/" + n);
      attr_string(g.get(), "dtype", n);
    }
    return "/" + n;
  };
  for (const GoldenCase& c : f.cases) {
    Handle g = create_group(file.get(), dtype_group(c.format) + "/" + c.name);
    attr_string(g.get(), "dtype", std::string(name(c.format)));
    write_params(g.get(), c.params);
    attr_uint64(g.get(), "seed", c.seed);
    attr_int64(g.get(), "samples", c.samples);
    attr_string(g.get(), "input", c.input);
    write_elements(g.get(), c.data, f.arity);
    Handle kg = create_group(g.get(), "kernels");
    for (const KernelFigures& k : c.kernels) {
      Handle h = create_group(kg.get(), k.kernel);
      attr_double(h.get(), "budget_max_ulp", k.budget_max_ulp);
      attr_double(h.get(), "budget_abs_floor", k.budget_abs_floor);
      attr_double(h.get(), "max_ulp", k.max_ulp);
      attr_double(h.get(), "max_ulp_above_floor", k.max_ulp_above_floor);
      attr_double(h.get(), "p50", k.p50);
      attr_double(h.get(), "p99", k.p99);
      attr_double(h.get(), "p999", k.p999);
      attr_double(h.get(), "frac_correctly_rounded", k.frac_correctly_rounded);
      attr_int64(h.get(), "budget_breaches", k.budget_breaches);
      attr_int64(h.get(), "semantic_violations", k.semantic_violations);
      dataset(h.get(), "worst_index", H5T_STD_I64LE, H5T_NATIVE_INT64, k.worst_index);
    }
  }
  for (const Corpus& c : f.corpora) {
    Handle g = create_group(file.get(), dtype_group(c.format) + "/corpus");
    attr_string(g.get(), "dtype", std::string(name(c.format)));
    std::string names;
    for (const std::string& n : c.param_names) names += (names.empty() ? "" : ",") + n;
    attr_string(g.get(), "param_names", names);
    write_elements(g.get(), c.data, f.arity);
    for (std::size_t i = 0; i < c.param_names.size(); ++i)
      dataset(g.get(), ("param_" + c.param_names[i]).c_str(), H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, c.param_values[i]);
  }
  check(H5Fflush(file.get(), H5F_SCOPE_GLOBAL), "flush");
}

// Reading ------------------------------------------------------------

std::string join_path(const std::string& a, const std::string& b) { return a == "/" ? "/" + b : a + "/" + b; }

Handle open_group(const Ctx& ctx, hid_t parent, const std::string& parent_path, const std::string& name) {
  const std::string full = join_path(parent_path, name);
  if (H5Lexists(parent, name.c_str(), H5P_DEFAULT) <= 0) ctx.fail(full, "is missing (expected a group)");
  Handle g(H5Gopen2(parent, name.c_str(), H5P_DEFAULT), H5Gclose);
  if (!g.ok()) ctx.fail(full, "is not a group");
  return g;
}

Handle open_attr(const Ctx& ctx, hid_t obj, const std::string& obj_path, const char* name) {
  if (H5Aexists(obj, name) <= 0) ctx.fail(obj_path, fmt::format("has no attribute '{}' (required by schema v1)", name));
  Handle a(H5Aopen(obj, name, H5P_DEFAULT), H5Aclose);
  if (!a.ok()) ctx.fail(obj_path, fmt::format("attribute '{}' cannot be opened", name));
  return a;
}

std::string read_attr_string(const Ctx& ctx, hid_t obj, const std::string& obj_path, const char* name) {
  Handle a = open_attr(ctx, obj, obj_path, name);
  Handle type(H5Aget_type(a.get()), H5Tclose);
  if (H5Tget_class(type.get()) != H5T_STRING)
    ctx.fail(obj_path, fmt::format("attribute '{}' is not a string", name));
  Handle space(H5Aget_space(a.get()), H5Sclose);
  if (H5Sget_simple_extent_npoints(space.get()) != 1)
    ctx.fail(obj_path, fmt::format("attribute '{}' is not a scalar", name));
  if (H5Tis_variable_str(type.get()) > 0) {
    Handle mem = string_type();
    char* p = nullptr;
    if (H5Aread(a.get(), mem.get(), &p) < 0 || !p) ctx.fail(obj_path, fmt::format("attribute '{}' cannot be read", name));
    std::string s(p);
    H5free_memory(p);
    return s;
  }
  const std::size_t size = H5Tget_size(type.get());
  std::string s(size, '\0');
  Handle mem(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(mem.get(), size);
  if (H5Aread(a.get(), mem.get(), s.data()) < 0) ctx.fail(obj_path, fmt::format("attribute '{}' cannot be read", name));
  s.resize(std::strlen(s.c_str()));
  return s;
}

template <class T>
T read_attr_number(const Ctx& ctx, hid_t obj, const std::string& obj_path, const char* name, hid_t mem_type) {
  Handle a = open_attr(ctx, obj, obj_path, name);
  Handle type(H5Aget_type(a.get()), H5Tclose);
  const H5T_class_t cls = H5Tget_class(type.get());
  if (cls != H5T_INTEGER && cls != H5T_FLOAT) ctx.fail(obj_path, fmt::format("attribute '{}' is not a number", name));
  Handle space(H5Aget_space(a.get()), H5Sclose);
  if (H5Sget_simple_extent_npoints(space.get()) != 1)
    ctx.fail(obj_path, fmt::format("attribute '{}' is not a scalar", name));
  T v{};
  if (H5Aread(a.get(), mem_type, &v) < 0) ctx.fail(obj_path, fmt::format("attribute '{}' cannot be read", name));
  return v;
}
double read_attr_double(const Ctx& c, hid_t o, const std::string& p, const char* n) {
  return read_attr_number<double>(c, o, p, n, H5T_NATIVE_DOUBLE);
}
std::int64_t read_attr_int64(const Ctx& c, hid_t o, const std::string& p, const char* n) {
  return read_attr_number<std::int64_t>(c, o, p, n, H5T_NATIVE_INT64);
}

template <class T>
std::vector<T> read_dataset(const Ctx& ctx, hid_t group, const std::string& group_path, const std::string& name,
                            hid_t mem_type, H5T_class_t want_class, std::size_t want_size) {
  const std::string full = join_path(group_path, name);
  if (H5Lexists(group, name.c_str(), H5P_DEFAULT) <= 0) ctx.fail(full, "is missing (required dataset)");
  Handle d(H5Dopen2(group, name.c_str(), H5P_DEFAULT), H5Dclose);
  if (!d.ok()) ctx.fail(full, "is not a dataset");
  Handle type(H5Dget_type(d.get()), H5Tclose);
  if (H5Tget_class(type.get()) != want_class || H5Tget_size(type.get()) != want_size)
    ctx.fail(full, fmt::format("has element type of class {} and size {}, expected {} of size {}",
                               static_cast<int>(H5Tget_class(type.get())), H5Tget_size(type.get()),
                               want_class == H5T_FLOAT ? "float" : "integer", want_size));
  Handle space(H5Dget_space(d.get()), H5Sclose);
  if (H5Sget_simple_extent_ndims(space.get()) != 1) ctx.fail(full, "is not one-dimensional");
  hsize_t n = 0;
  H5Sget_simple_extent_dims(space.get(), &n, nullptr);
  std::vector<T> v(static_cast<std::size_t>(n));
  if (n > 0 && H5Dread(d.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()) < 0)
    ctx.fail(full, "cannot be read (corrupted data or a checksum/filter failure)");
  return v;
}

void read_elements(const Ctx& ctx, hid_t g, const std::string& gp, int arity, Elements& e) {
  e.x0_bits = read_dataset<std::uint32_t>(ctx, g, gp, "x0_bits", H5T_NATIVE_UINT32, H5T_INTEGER, 4);
  if (arity == 2) e.x1_bits = read_dataset<std::uint32_t>(ctx, g, gp, "x1_bits", H5T_NATIVE_UINT32, H5T_INTEGER, 4);
  e.exact_hi = read_dataset<double>(ctx, g, gp, "exact_hi", H5T_NATIVE_DOUBLE, H5T_FLOAT, 8);
  e.exact_lo = read_dataset<double>(ctx, g, gp, "exact_lo", H5T_NATIVE_DOUBLE, H5T_FLOAT, 8);
  e.rounded_bits = read_dataset<std::uint32_t>(ctx, g, gp, "rounded_bits", H5T_NATIVE_UINT32, H5T_INTEGER, 4);
  const std::size_t n = e.x0_bits.size();
  auto agree = [&](const char* name, std::size_t got) {
    if (got != n)
      ctx.fail(join_path(gp, name), fmt::format("has {} rows, expected {} (the length of {}/x0_bits)", got, n, gp));
  };
  if (arity == 2) agree("x1_bits", e.x1_bits.size());
  agree("exact_hi", e.exact_hi.size());
  agree("exact_lo", e.exact_lo.size());
  agree("rounded_bits", e.rounded_bits.size());
}

/// Names of a group's members in the order they were written, or by name where the
/// group does not track creation order (a file written by another tool).
std::vector<std::string> members(hid_t group) {
  std::vector<std::string> out;
  const auto collect = [](hid_t, const char* name, const H5L_info_t*, void* data) -> herr_t {
    static_cast<std::vector<std::string>*>(data)->push_back(name);
    return 0;
  };
  if (H5Literate(group, H5_INDEX_CRT_ORDER, H5_ITER_INC, nullptr, collect, &out) >= 0) return out;
  out.clear();
  H5Literate(group, H5_INDEX_NAME, H5_ITER_INC, nullptr, collect, &out);
  return out;
}

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < s.size()) {
    const std::size_t end = s.find(',', start);
    out.push_back(s.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

}  // namespace

Params Corpus::params_of(std::size_t row) const {
  Params p;
  for (std::size_t i = 0; i < param_names.size(); ++i) p.set(param_names[i], param_values[i][row]);
  return p;
}

std::string golden_path(const std::string& dir, std::string_view op) {
  return (std::filesystem::path(dir) / (std::string(op) + ".h5")).string();
}

void write_golden(const std::string& path, const GoldenFile& file, const std::function<void()>& before_rename) {
  const std::string tmp = path + ".tmp";
  try {
    write_file(tmp, file);
    if (before_rename) before_rename();
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) throw WriteError(fmt::format("rename {} -> {}: {}", tmp, path, ec.message()));
  } catch (const WriteError& e) {
    std::error_code ec;
    std::filesystem::remove(tmp, ec);
    throw GoldenError(fmt::format("{}: writing failed ({}); the previous file, if any, is unchanged", path, e.what()));
  } catch (...) {
    std::error_code ec;
    std::filesystem::remove(tmp, ec);
    throw;
  }
}

GoldenFile read_golden(const std::string& path) {
  quiet_hdf5();
  Ctx ctx{path, op_of_path(path)};
  if (!std::filesystem::exists(path))
    throw GoldenError(fmt::format("{}: no such file; {}", path, regen_hint(ctx.op)));
  if (H5Fis_hdf5(path.c_str()) <= 0) ctx.fail("/", "is not an HDF5 file (no HDF5 signature; truncated or overwritten?)");
  Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  if (!file.ok()) ctx.fail("/", "cannot be opened as HDF5 (truncated or corrupted)");
  Handle root(H5Gopen2(file.get(), "/", H5P_DEFAULT), H5Gclose);
  if (!root.ok()) ctx.fail("/", "cannot be opened (corrupted)");

  GoldenFile f;
  f.schema_version = static_cast<int>(read_attr_int64(ctx, root.get(), "/", "schema_version"));
  if (f.schema_version != kSchemaVersion)
    ctx.fail("/", fmt::format("has schema_version {}, expected {}", f.schema_version, kSchemaVersion));
  f.tool = read_attr_string(ctx, root.get(), "/", "tool");
  f.op = read_attr_string(ctx, root.get(), "/", "op");
  ctx.op = f.op;
  f.formula = read_attr_string(ctx, root.get(), "/", "formula");
  f.oracle_method = read_attr_string(ctx, root.get(), "/", "oracle_method");
  f.device = read_attr_string(ctx, root.get(), "/", "device");
  f.cuda_version = read_attr_string(ctx, root.get(), "/", "cuda_version");
  f.driver_version = read_attr_string(ctx, root.get(), "/", "driver_version");
  const ElementwiseOp* op = find_op(f.op);
  if (!op) ctx.fail("/", fmt::format("names op '{}', which this build does not know; expected one of {}", f.op, op_names()));
  f.arity = op->arity;

  for (const std::string& dt : members(root.get())) {
    const auto fmt_ = parse_format(dt);
    if (!fmt_) ctx.fail("/" + dt, "is not a dtype group (expected bf16, fp16 or fp32)");
    Handle dg = open_group(ctx, root.get(), "/", dt);
    for (const std::string& cn : members(dg.get())) {
      const std::string gp = "/" + dt + "/" + cn;
      Handle g = open_group(ctx, dg.get(), "/" + dt, cn);
      if (cn == "corpus") {
        Corpus c;
        c.format = *fmt_;
        c.param_names = split_commas(read_attr_string(ctx, g.get(), gp, "param_names"));
        std::vector<std::string> want;
        for (const ParamSpec& ps : op->params) want.emplace_back(ps.name);
        if (c.param_names != want)
          ctx.fail(gp, fmt::format("has param_names '{}', expected '{}' (the parameters of {})",
                                   read_attr_string(ctx, g.get(), gp, "param_names"), fmt::join(want, ","), f.op));
        read_elements(ctx, g.get(), gp, f.arity, c.data);
        for (const std::string& pn : c.param_names) {
          c.param_values.push_back(read_dataset<double>(ctx, g.get(), gp, "param_" + pn, H5T_NATIVE_DOUBLE, H5T_FLOAT, 8));
          if (c.param_values.back().size() != c.data.size())
            ctx.fail(gp + "/param_" + pn,
                     fmt::format("has {} rows, expected {}", c.param_values.back().size(), c.data.size()));
        }
        f.corpora.push_back(std::move(c));
        continue;
      }
      GoldenCase c;
      c.format = *fmt_;
      c.name = cn;
      const std::string dtype = read_attr_string(ctx, g.get(), gp, "dtype");
      if (dtype != dt) ctx.fail(gp, fmt::format("has dtype attribute '{}', expected '{}'", dtype, dt));
      read_attr_string(ctx, g.get(), gp, "params");
      for (const ParamSpec& ps : op->params) {
        const std::string pn(ps.name);
        c.params.set(pn, read_attr_double(ctx, g.get(), gp, pn.c_str()));
      }
      c.seed = read_attr_number<std::uint64_t>(ctx, g.get(), gp, "seed", H5T_NATIVE_UINT64);
      c.samples = read_attr_int64(ctx, g.get(), gp, "samples");
      c.input = read_attr_string(ctx, g.get(), gp, "input");
      read_elements(ctx, g.get(), gp, f.arity, c.data);
      Handle kg = open_group(ctx, g.get(), gp, "kernels");
      for (const std::string& kn : members(kg.get())) {
        const std::string kp = gp + "/kernels/" + kn;
        Handle h = open_group(ctx, kg.get(), gp + "/kernels", kn);
        KernelFigures k;
        k.kernel = kn;
        k.budget_max_ulp = read_attr_double(ctx, h.get(), kp, "budget_max_ulp");
        k.budget_abs_floor = read_attr_double(ctx, h.get(), kp, "budget_abs_floor");
        k.max_ulp = read_attr_double(ctx, h.get(), kp, "max_ulp");
        k.max_ulp_above_floor = read_attr_double(ctx, h.get(), kp, "max_ulp_above_floor");
        k.p50 = read_attr_double(ctx, h.get(), kp, "p50");
        k.p99 = read_attr_double(ctx, h.get(), kp, "p99");
        k.p999 = read_attr_double(ctx, h.get(), kp, "p999");
        k.frac_correctly_rounded = read_attr_double(ctx, h.get(), kp, "frac_correctly_rounded");
        k.budget_breaches = read_attr_int64(ctx, h.get(), kp, "budget_breaches");
        k.semantic_violations = read_attr_int64(ctx, h.get(), kp, "semantic_violations");
        k.worst_index = read_dataset<std::int64_t>(ctx, h.get(), kp, "worst_index", H5T_NATIVE_INT64, H5T_INTEGER, 8);
        for (std::int64_t i : k.worst_index)
          if (i < 0 || static_cast<std::size_t>(i) >= c.data.size())
            ctx.fail(kp + "/worst_index", fmt::format("holds index {}, outside [0, {})", i, c.data.size()));
        c.kernels.push_back(std::move(k));
      }
      f.cases.push_back(std::move(c));
    }
  }
  if (f.cases.empty() && f.corpora.empty()) ctx.fail("/", "holds no cases (expected /<dtype>/<case> groups)");
  return f;
}

}  // namespace ulpcheck::golden
