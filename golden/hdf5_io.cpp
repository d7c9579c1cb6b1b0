#include "golden/hdf5_io.hpp"

#include <fmt/format.h>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>

#include "ulpcheck/golden/elementwise/golden_file.hpp"
#include "ulpcheck/support/atomic_file.hpp"

namespace ulpcheck::golden::h5 {

namespace {

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

template <class T>
void attr_number(hid_t obj, const char* name, hid_t file_type, hid_t mem_type, T value) {
  Handle space(check_id(H5Screate(H5S_SCALAR), "H5Screate"), H5Sclose);
  Handle a(check_id(H5Acreate2(obj, name, file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT),
                    fmt::format("create attribute {}", name)),
           H5Aclose);
  check(H5Awrite(a.get(), mem_type, &value), fmt::format("write attribute {}", name));
}

Handle open_attr(const Ctx& ctx, hid_t obj, const std::string& obj_path, const char* name) {
  if (H5Aexists(obj, name) <= 0) ctx.fail(obj_path, fmt::format("has no attribute '{}' (required by schema v1)", name));
  Handle a(H5Aopen(obj, name, H5P_DEFAULT), H5Aclose);
  if (!a.ok()) ctx.fail(obj_path, fmt::format("attribute '{}' cannot be opened", name));
  return a;
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

}  // namespace

void quiet() {
  static const bool once = [] {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    return true;
  }();
  (void)once;
}

// Writing ------------------------------------------------------------

Handle create_file(const std::string& path, FileFormat format) {
  quiet();
  // Fixed creation properties and no times: the same content gives the same bytes.
  Handle fcpl(check_id(H5Pcreate(H5P_FILE_CREATE), "H5Pcreate"), H5Pclose);
  check(H5Pset_obj_track_times(fcpl.get(), false), "H5Pset_obj_track_times");  // the root group's
  check(H5Pset_link_creation_order(fcpl.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED),
        "H5Pset_link_creation_order");
  Handle fapl(check_id(H5Pcreate(H5P_FILE_ACCESS), "H5Pcreate"), H5Pclose);
  if (format == FileFormat::v110)
    check(H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_V110, H5F_LIBVER_V110), "H5Pset_libver_bounds");
  return Handle(check_id(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, fcpl.get(), fapl.get()), "cannot create the file"),
                H5Fclose);
}

Handle create_group(hid_t parent, const std::string& name, GroupStorage storage) {
  Handle gcpl(check_id(H5Pcreate(H5P_GROUP_CREATE), "H5Pcreate"), H5Pclose);
  check(H5Pset_obj_track_times(gcpl.get(), false), "H5Pset_obj_track_times");
  // Members listed in the order written (cases in their spec order), for h5py too.
  check(H5Pset_link_creation_order(gcpl.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED),
        "H5Pset_link_creation_order");
  if (storage == GroupStorage::compact) {
    check(H5Pset_link_phase_change(gcpl.get(), 64, 48), "H5Pset_link_phase_change");
    check(H5Pset_attr_phase_change(gcpl.get(), 64, 48), "H5Pset_attr_phase_change");
  }
  return Handle(check_id(H5Gcreate2(parent, name.c_str(), H5P_DEFAULT, gcpl.get(), H5P_DEFAULT),
                         fmt::format("create group {}", name)),
                H5Gclose);
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

void attr_double(hid_t obj, const char* name, double v) { attr_number(obj, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, v); }
void attr_int64(hid_t obj, const char* name, std::int64_t v) { attr_number(obj, name, H5T_STD_I64LE, H5T_NATIVE_INT64, v); }
void attr_uint64(hid_t obj, const char* name, std::uint64_t v) {
  attr_number(obj, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, v);
}

void flush(hid_t file) { check(H5Fflush(file, H5F_SCOPE_GLOBAL), "flush"); }

void write_dataset(hid_t group, const char* name, hid_t file_type, hid_t mem_type, const std::vector<hsize_t>& dims,
                   const void* data) {
  const int rank = static_cast<int>(dims.size());
  hsize_t n = 1;
  for (hsize_t d : dims) n *= d;
  Handle space(check_id(H5Screate_simple(rank, dims.data(), nullptr), "H5Screate_simple"), H5Sclose);
  Handle dcpl(check_id(H5Pcreate(H5P_DATASET_CREATE), "H5Pcreate"), H5Pclose);
  // No modification times in object headers: the same content gives the same bytes.
  check(H5Pset_obj_track_times(dcpl.get(), false), "H5Pset_obj_track_times");
  if (n > 0) {
    // Whole rows, at most 65536 elements a chunk (one row when a row is longer).
    std::vector<hsize_t> chunk = dims;
    const hsize_t row = n / dims[0];
    chunk[0] = std::clamp<hsize_t>(65536 / row, 1, dims[0]);
    check(H5Pset_chunk(dcpl.get(), rank, chunk.data()), "H5Pset_chunk");
    check(H5Pset_shuffle(dcpl.get()), "H5Pset_shuffle");
    check(H5Pset_deflate(dcpl.get(), 6), "H5Pset_deflate");
    check(H5Pset_fletcher32(dcpl.get()), "H5Pset_fletcher32");
  }
  Handle d(check_id(H5Dcreate2(group, name, file_type, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
                    fmt::format("create dataset {}", name)),
           H5Dclose);
  if (n > 0) check(H5Dwrite(d.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), fmt::format("write {}", name));
}

void write_atomically(const std::string& path, const std::function<void(const std::string& tmp)>& write,
                      const std::function<void()>& before_rename) {
  const auto failed = [&](const char* why) {
    return GoldenError(fmt::format("{}: writing failed ({}); the previous file, if any, is unchanged", path, why));
  };
  // The temporary is removed when `file` goes out of scope uncommitted, whatever is thrown.
  std::optional<AtomicFile> file;
  try {
    file.emplace(path);
  } catch (const std::runtime_error& e) {
    throw failed(e.what());
  }
  try {
    write(file->temp_path());
  } catch (const WriteError& e) {
    throw failed(e.what());
  }
  if (before_rename) before_rename();
  try {
    file->commit();
  } catch (const std::runtime_error& e) {
    if (file->renamed()) throw GoldenError(e.what());  // the new file is in place, maybe not yet on disk
    throw failed(e.what());
  }
}

// Reading ------------------------------------------------------------

void Ctx::fail(const std::string& object, const std::string& what) const {
  throw GoldenError(fmt::format("{}: {} {}; {}", path, object, what, next_step.empty() ? regen_hint(op) : next_step));
}

std::string op_of_path(const std::string& path) { return std::filesystem::path(path).stem().string(); }

std::string regen_hint(const std::string& op) { return fmt::format("regenerate with 'ulpcheck golden regen --op {}'", op); }

Handle open_file(const Ctx& ctx) {
  quiet();
  if (!std::filesystem::exists(ctx.path))
    throw GoldenError(fmt::format("{}: no such file; {}", ctx.path, ctx.next_step.empty() ? regen_hint(ctx.op) : ctx.next_step));
  if (H5Fis_hdf5(ctx.path.c_str()) <= 0)
    ctx.fail("/", "is not an HDF5 file (no HDF5 signature; truncated or overwritten?)");
  Handle file(H5Fopen(ctx.path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  if (!file.ok()) ctx.fail("/", "cannot be opened as HDF5 (truncated or corrupted)");
  return file;
}

// Under a sanitizer, a memory error HDF5 makes in the child ends the child with the
// sanitizer's report; its death callbacks are dropped first, so that a fuzzer's (libFuzzer
// records the input as its own crash) does not run in a child whose end is the parent's to
// name. Weak: absent from a build without sanitizers.
extern "C" void __sanitizer_set_death_callback(void (*)(void)) __attribute__((weak));

std::optional<std::string> problem_when_read(const std::function<void()>& read, std::chrono::seconds limit) {
  std::fflush(nullptr);  // nothing buffered is written twice
  const pid_t pid = fork();
  if (pid < 0) return std::nullopt;
  if (pid == 0) {
    // Die of the signal itself, not of a sanitizer's or fuzzer's report of it (libFuzzer
    // catches SIGALRM for its own timeout): the parent names it.
    for (int s : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGALRM}) std::signal(s, SIG_DFL);
    if (__sanitizer_set_death_callback) __sanitizer_set_death_callback(nullptr);
    alarm(static_cast<unsigned>(limit.count()));  // a hang ends the child with SIGALRM
    try {
      read();
    } catch (...) {  // a GoldenError, or worse: the caller's own read throws it again
    }
    _exit(0);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return std::nullopt;
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return std::nullopt;
  const auto damaged = [](const char* what, const std::string& how) {
    return fmt::format("makes the HDF5 library {} as it is read ({}): the file is damaged", what, how);
  };
  if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
    return damaged("hang", fmt::format("no answer in {} s; stopped", limit.count()));
  if (WIFSIGNALED(status)) return damaged("crash", fmt::format("signal {}, {}", WTERMSIG(status), strsignal(WTERMSIG(status))));
  return damaged("crash", fmt::format("exit status {}", WEXITSTATUS(status)));
}

Handle root_for_writing(hid_t file) {
  Handle root(H5Gopen2(file, "/", H5P_DEFAULT), H5Gclose);
  if (!root.ok()) throw WriteError("open /");
  return root;
}

Handle open_root(const Ctx& ctx, hid_t file) {
  Handle root(H5Gopen2(file, "/", H5P_DEFAULT), H5Gclose);
  if (!root.ok()) ctx.fail("/", "cannot be opened (corrupted)");
  return root;
}

std::string join_path(const std::string& a, const std::string& b) { return a == "/" ? "/" + b : a + "/" + b; }

Handle open_group(const Ctx& ctx, hid_t parent, const std::string& parent_path, const std::string& name) {
  const std::string full = join_path(parent_path, name);
  if (H5Lexists(parent, name.c_str(), H5P_DEFAULT) <= 0) ctx.fail(full, "is missing (expected a group)");
  Handle g(H5Gopen2(parent, name.c_str(), H5P_DEFAULT), H5Gclose);
  if (!g.ok()) ctx.fail(full, "is not a group");
  return g;
}

bool has_attr(hid_t obj, const char* name) { return H5Aexists(obj, name) > 0; }

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

double read_attr_double(const Ctx& c, hid_t o, const std::string& p, const char* n) {
  return read_attr_number<double>(c, o, p, n, H5T_NATIVE_DOUBLE);
}
std::int64_t read_attr_int64(const Ctx& c, hid_t o, const std::string& p, const char* n) {
  return read_attr_number<std::int64_t>(c, o, p, n, H5T_NATIVE_INT64);
}
std::uint64_t read_attr_uint64(const Ctx& c, hid_t o, const std::string& p, const char* n) {
  return read_attr_number<std::uint64_t>(c, o, p, n, H5T_NATIVE_UINT64);
}

Handle open_dataset(const Ctx& ctx, hid_t group, const std::string& group_path, const std::string& name,
                    H5T_class_t want_class, std::size_t want_size, int rank, std::vector<hsize_t>& dims) {
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
  if (H5Sget_simple_extent_ndims(space.get()) != rank)
    ctx.fail(full, rank == 1 ? std::string("is not one-dimensional") : fmt::format("is not {}-dimensional", rank));
  dims.assign(static_cast<std::size_t>(rank), 0);
  H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  return d;
}

void read_all(const Ctx& ctx, hid_t dataset, const std::string& full_path, hid_t mem_type, void* out,
              std::size_t count) {
  if (count > 0 && H5Dread(dataset, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out) < 0)
    ctx.fail(full_path, "cannot be read (corrupted data or a checksum/filter failure)");
}

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

}  // namespace ulpcheck::golden::h5
