// The HDF5 plumbing every golden file shares (internal to golden/): handles closed on scope
// exit, attributes and chunked, shuffled, deflated, checksummed datasets written with no
// times (the same content gives the same bytes), files written to a temporary and renamed,
// and reads that check every type and shape and name the object that is wrong.
#pragma once

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <hdf5.h>

#include <cstdint>
#include <chrono>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace ulpcheck::golden::h5 {

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

/// Turns off HDF5's own printing of errors: every failure becomes one of ours.
void quiet();

/// The file and storage types of the element types golden files hold (all little-endian in
/// the file). HDF5's type ids are run-time values, hence functions.
template <class T>
struct Type {
  static_assert(std::is_same_v<T, std::uint32_t> || std::is_same_v<T, std::int32_t> ||
                    std::is_same_v<T, std::int64_t> || std::is_same_v<T, double>,
                "golden files hold uint32, int32, int64 and double data only");
  static hid_t file() {
    if constexpr (std::is_same_v<T, std::uint32_t>) return H5T_STD_U32LE;
    else if constexpr (std::is_same_v<T, std::int32_t>) return H5T_STD_I32LE;
    else if constexpr (std::is_same_v<T, std::int64_t>) return H5T_STD_I64LE;
    else return H5T_IEEE_F64LE;
  }
  static hid_t memory() {
    if constexpr (std::is_same_v<T, std::uint32_t>) return H5T_NATIVE_UINT32;
    else if constexpr (std::is_same_v<T, std::int32_t>) return H5T_NATIVE_INT32;
    else if constexpr (std::is_same_v<T, std::int64_t>) return H5T_NATIVE_INT64;
    else return H5T_NATIVE_DOUBLE;
  }
  static constexpr H5T_class_t kClass = std::is_same_v<T, double> ? H5T_FLOAT : H5T_INTEGER;
};

// Writing ------------------------------------------------------------

/// A failed HDF5 call while writing; write_atomically turns it into a GoldenError.
struct WriteError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Which HDF5 file format objects are written in. `earliest` lets the oldest readers open
/// the file; `v110` (HDF5 1.10, what h5py on Debian 12 links) indexes each chunked dataset
/// in a fixed array instead of a B-tree of several KB, which files of many small datasets
/// want.
enum class FileFormat { earliest, v110 };

/// A new file at `path` (truncated) with fixed creation properties, no times and members
/// listed in creation order.
Handle create_file(const std::string& path, FileFormat format = FileFormat::earliest);
/// How a group stores its links and attributes. `dense` is HDF5's default (more than 8 go
/// to a separate heap and B-tree, several KB each); `compact` keeps up to 64 in the group's
/// own header, which files of many small groups with many attributes want.
enum class GroupStorage { dense, compact };

/// A group with no times whose members are listed in the order written.
Handle create_group(hid_t parent, const std::string& name, GroupStorage storage = GroupStorage::dense);
/// The root group of a file being written, to write its attributes.
Handle root_for_writing(hid_t file);
void attr_string(hid_t obj, const char* name, const std::string& value);
void attr_double(hid_t obj, const char* name, double v);
void attr_int64(hid_t obj, const char* name, std::int64_t v);
void attr_uint64(hid_t obj, const char* name, std::uint64_t v);
void flush(hid_t file);

/// Writes `count` elements of `data` as a dataset of shape `dims` (one or two dimensions),
/// chunked by rows of at most 65536 elements, shuffled, deflated and with a Fletcher-32
/// checksum per chunk (flipped bits on disk then fail the read instead of passing as data).
void write_dataset(hid_t group, const char* name, hid_t file_type, hid_t mem_type, const std::vector<hsize_t>& dims,
                   const void* data);

/// A one-dimensional dataset [v.size()].
template <class T>
void dataset(hid_t group, const char* name, const std::vector<T>& v) {
  write_dataset(group, name, Type<T>::file(), Type<T>::memory(), {v.size()}, v.data());
}
/// A two-dimensional dataset [v.size() / cols, cols], row-major.
template <class T>
void dataset_2d(hid_t group, const char* name, const std::vector<T>& v, std::size_t cols) {
  write_dataset(group, name, Type<T>::file(), Type<T>::memory(), {cols ? v.size() / cols : 0, cols}, v.data());
}

/// Runs `write(tmp)` with tmp a new, uniquely named temporary beside `path`
/// (ulpcheck/support/atomic_file.hpp), then `before_rename` when set (tests throw from it),
/// then flushes tmp to disk, renames it over `path` and flushes the directory. A failure
/// before the rename removes the temporary and leaves `path` as it was; a WriteError or a
/// failure of the file system becomes a GoldenError naming the path.
void write_atomically(const std::string& path, const std::function<void(const std::string& tmp)>& write,
                      const std::function<void()>& before_rename);

// Reading ------------------------------------------------------------

/// Context of a read: the file and the op, for messages that end with the regen command.
struct Ctx {
  std::string path;
  std::string op;
  std::string next_step;  ///< what to do about a bad file; empty: the regen command of `op`
  /// Throws GoldenError "<path>: <object> <what>; regenerate with 'ulpcheck golden regen --op <op>'".
  [[noreturn]] void fail(const std::string& object, const std::string& what) const;
};

/// The op a file is named for: its stem.
std::string op_of_path(const std::string& path);
std::string regen_hint(const std::string& op);

/// Opens the file read-only after checking that it exists and is HDF5.
Handle open_file(const Ctx& ctx);

/// How long a golden file's read may take in problem_when_read's child. The largest files
/// are a few MB, read (and walked, every digest recomputed) in well under a second, also
/// under the sanitizers; a read still going after this is HDF5 looping on a damaged file.
inline constexpr std::chrono::seconds kHdf5ReadLimit{30};

/// Runs `read` once in a child process (fork) and, when the child did not come back, says
/// what the file does to HDF5: "makes the HDF5 library crash as it is read (signal 11,
/// Segmentation fault): the file is damaged", or "... hang ..." when the child gave no answer
/// within `limit` and was stopped. HDF5 1.10.8 (Debian 12's) trusts a damaged file's global
/// heap: it reads a variable-length string at an index it does not check against the heap's
/// size (H5HG_read: SIGSEGV), and loops forever on some damaged heap headers (H5HG__protect);
/// both were found by tests/fuzz/golden/golden_file_fuzz, ending `golden verify` with
/// SIGSEGV or never. The child's results are dropped; what `read` throws there, the caller
/// sees when it reads. Where no child can be started, nothing is checked.
std::optional<std::string> problem_when_read(const std::function<void()>& read,
                                             std::chrono::seconds limit = kHdf5ReadLimit);

/// `read()` for the caller, after problem_when_read has run it in a child; a crash there is a
/// GoldenError naming the file, as is a hang. Every reader of a golden file goes through here.
template <class Read>
auto read_surviving_hdf5(const Ctx& ctx, const Read& read) {
  if (const std::optional<std::string> problem = problem_when_read([&] { read(); })) ctx.fail("/", *problem);
  return read();
}
/// The root group of an open file; a file whose root cannot be opened is corrupted.
Handle open_root(const Ctx& ctx, hid_t file);
std::string join_path(const std::string& a, const std::string& b);
Handle open_group(const Ctx& ctx, hid_t parent, const std::string& parent_path, const std::string& name);
bool has_attr(hid_t obj, const char* name);
std::string read_attr_string(const Ctx& ctx, hid_t obj, const std::string& obj_path, const char* name);
double read_attr_double(const Ctx& ctx, hid_t obj, const std::string& obj_path, const char* name);
std::int64_t read_attr_int64(const Ctx& ctx, hid_t obj, const std::string& obj_path, const char* name);
std::uint64_t read_attr_uint64(const Ctx& ctx, hid_t obj, const std::string& obj_path, const char* name);

/// Opens a dataset of `rank` dimensions after checking its element type (class and size);
/// `dims` receives its shape. Fails naming the dataset when it is missing or of another
/// type or rank.
Handle open_dataset(const Ctx& ctx, hid_t group, const std::string& group_path, const std::string& name,
                    H5T_class_t want_class, std::size_t want_size, int rank, std::vector<hsize_t>& dims);
/// Reads all `count` elements of an open dataset; fails naming it when that cannot be done
/// (corrupted data, a checksum or filter failure).
void read_all(const Ctx& ctx, hid_t dataset, const std::string& full_path, hid_t mem_type, void* out,
              std::size_t count);

/// A whole dataset of `rank` dimensions, row-major; `dims`, when given, receives its shape.
template <class T>
std::vector<T> read_dataset(const Ctx& ctx, hid_t group, const std::string& group_path, const std::string& name,
                            int rank = 1, std::vector<hsize_t>* dims = nullptr) {
  std::vector<hsize_t> shape;
  const Handle d = open_dataset(ctx, group, group_path, name, Type<T>::kClass, sizeof(T), rank, shape);
  std::size_t n = 1;
  for (hsize_t x : shape) n *= static_cast<std::size_t>(x);
  std::vector<T> v(n);
  read_all(ctx, d.get(), join_path(group_path, name), Type<T>::memory(), v.data(), n);
  if (dims) *dims = std::move(shape);
  return v;
}

/// A dataset whose shape the group's token count and configuration fix (the routing and
/// MoE combine batches).
template <class T>
std::vector<T> read_shaped(const Ctx& ctx, hid_t g, const std::string& gp, const char* name,
                           const std::vector<hsize_t>& want) {
  std::vector<hsize_t> dims;
  std::vector<T> v = read_dataset<T>(ctx, g, gp, name, static_cast<int>(want.size()), &dims);
  if (dims != want)
    ctx.fail(join_path(gp, name), fmt::format("has shape [{}], expected [{}] (from the group's tokens and "
                                              "configuration)",
                                              fmt::join(dims, ", "), fmt::join(want, ", ")));
  return v;
}

/// Names of a group's members in the order they were written, or by name where the group
/// does not track creation order (a file written by another tool).
std::vector<std::string> members(hid_t group);

}  // namespace ulpcheck::golden::h5
