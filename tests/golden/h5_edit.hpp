// Editing golden files behind ulpcheck's back, as a person with h5py or a broken disk would:
// the tests then show that every such file is reported, never passed.
#pragma once

#include <hdf5.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace ulpcheck::testing {

inline std::string read_bytes(const std::string& file);

/// A fresh, empty directory under the system's temporary directory, removed at scope exit.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() / ("ulpcheck-test-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string str() const { return path_.string(); }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

/// Overwrites element `index` (row-major over every dimension) of a dataset with `value`
/// (native type T).
template <class T>
void edit_element(const std::string& file, const std::string& dataset, std::size_t index, T value) {
  const hid_t mem = std::is_same_v<T, double>          ? H5T_NATIVE_DOUBLE
                    : std::is_same_v<T, std::int64_t> ? H5T_NATIVE_INT64
                    : std::is_same_v<T, std::int32_t> ? H5T_NATIVE_INT32
                                                      : H5T_NATIVE_UINT32;
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  const hid_t d = H5Dopen2(f, dataset.c_str(), H5P_DEFAULT);
  const hid_t space = H5Dget_space(d);
  const int rank = H5Sget_simple_extent_ndims(space);
  hsize_t dims[2] = {1, 1}, start[2] = {index, 0}, counts[2] = {1, 1};
  H5Sget_simple_extent_dims(space, dims, nullptr);
  if (rank == 2) {
    start[0] = index / dims[1];
    start[1] = index % dims[1];
  }
  H5Sselect_hyperslab(space, H5S_SELECT_SET, start, nullptr, counts, nullptr);
  const hsize_t count = 1;
  const hid_t one = H5Screate_simple(1, &count, nullptr);
  H5Dwrite(d, mem, one, space, H5P_DEFAULT, &value);
  H5Sclose(one);
  H5Sclose(space);
  H5Dclose(d);
  H5Fclose(f);
}

/// Overwrites a numeric attribute of `object` with `value`, keeping its stored type.
inline void edit_attribute(const std::string& file, const std::string& object, const char* name, double value) {
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  const hid_t o = H5Oopen(f, object.c_str(), H5P_DEFAULT);
  const hid_t a = H5Aopen(o, name, H5P_DEFAULT);
  const hid_t type = H5Aget_type(a);
  if (H5Tget_class(type) == H5T_INTEGER) {
    const std::int64_t v = static_cast<std::int64_t>(value);
    H5Awrite(a, H5T_NATIVE_INT64, &v);
  } else {
    H5Awrite(a, H5T_NATIVE_DOUBLE, &value);
  }
  H5Tclose(type);
  H5Aclose(a);
  H5Oclose(o);
  H5Fclose(f);
}

/// Removes a group or dataset.
inline void delete_object(const std::string& file, const std::string& object) {
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  H5Ldelete(f, object.c_str(), H5P_DEFAULT);
  H5Fclose(f);
}

/// Replaces a string attribute of `object` (or adds one), as h5py's attrs[name] = value does.
inline void set_string_attribute(const std::string& file, const std::string& object, const char* name,
                                 const std::string& value) {
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  const hid_t o = H5Oopen(f, object.c_str(), H5P_DEFAULT);
  if (H5Aexists(o, name) > 0) H5Adelete(o, name);
  const hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, H5T_VARIABLE);
  H5Tset_cset(type, H5T_CSET_UTF8);
  const hid_t space = H5Screate(H5S_SCALAR);
  const hid_t a = H5Acreate2(o, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
  const char* p = value.c_str();
  H5Awrite(a, type, &p);
  H5Aclose(a);
  H5Sclose(space);
  H5Tclose(type);
  H5Oclose(o);
  H5Fclose(f);
}

/// Adds a numeric attribute to `object`.
inline void add_attribute(const std::string& file, const std::string& object, const char* name, double value) {
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  const hid_t o = H5Oopen(f, object.c_str(), H5P_DEFAULT);
  const hid_t space = H5Screate(H5S_SCALAR);
  const hid_t a = H5Acreate2(o, name, H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT);
  H5Awrite(a, H5T_NATIVE_DOUBLE, &value);
  H5Aclose(a);
  H5Sclose(space);
  H5Oclose(o);
  H5Fclose(f);
}

/// Writes `values` as a new one-dimensional dataset `name` of `group` (contiguous, no
/// filters, as h5py writes by default).
inline void add_dataset(const std::string& file, const std::string& group, const std::string& name,
                        const std::vector<double>& values) {
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  const hid_t g = H5Gopen2(f, group.c_str(), H5P_DEFAULT);
  const hsize_t n = values.size();
  const hid_t space = H5Screate_simple(1, &n, nullptr);
  const hid_t d = H5Dcreate2(g, name.c_str(), H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data());
  H5Dclose(d);
  H5Sclose(space);
  H5Gclose(g);
  H5Fclose(f);
}

/// Copies a group with everything in it to a new path of the same file.
inline void copy_object(const std::string& file, const std::string& from, const std::string& to) {
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  H5Ocopy(f, from.c_str(), f, to.c_str(), H5P_DEFAULT, H5P_DEFAULT);
  H5Fclose(f);
}

/// Rewrites every one-dimensional dataset of `group` without its last element, keeping
/// the group's attributes: a counterexample removed from all its columns at once.
inline void drop_last_row(const std::string& file, const std::string& group) {
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  const hid_t g = H5Gopen2(f, group.c_str(), H5P_DEFAULT);
  std::vector<std::string> names;
  H5Literate(
      g, H5_INDEX_NAME, H5_ITER_INC, nullptr,
      [](hid_t, const char* name, const H5L_info_t*, void* out) -> herr_t {
        static_cast<std::vector<std::string>*>(out)->push_back(name);
        return 0;
      },
      &names);
  for (const std::string& name : names) {
    const hid_t d = H5Dopen2(g, name.c_str(), H5P_DEFAULT);
    const hid_t type = H5Dget_type(d);
    const hid_t space = H5Dget_space(d);
    hsize_t n = 0;
    H5Sget_simple_extent_dims(space, &n, nullptr);
    std::vector<unsigned char> bytes(n * H5Tget_size(type));
    H5Dread(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, bytes.data());
    H5Sclose(space);
    H5Dclose(d);
    H5Ldelete(g, name.c_str(), H5P_DEFAULT);
    const hsize_t kept = n - 1;
    const hid_t shorter = H5Screate_simple(1, &kept, nullptr);
    const hid_t copy = H5Dcreate2(g, name.c_str(), type, shorter, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(copy, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, bytes.data());
    H5Dclose(copy);
    H5Sclose(shorter);
    H5Tclose(type);
  }
  H5Gclose(g);
  H5Fclose(f);
}

/// Flips one high bit of the global-heap address a variable-length string attribute of
/// `object` points through, as bad storage would: HDF5 (and h5py) then find the attribute
/// but cannot read its value ("address of object past end of allocation").
inline void flip_string_attribute_address(const std::string& file, const std::string& object, const char* name) {
  haddr_t header = 0;
  {
    const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    H5O_info_t info;
    H5Oget_info_by_name2(f, object.c_str(), &info, H5O_INFO_BASIC, H5P_DEFAULT);
    header = info.addr;
    H5Fclose(f);
  }
  std::string bytes = read_bytes(file);
  // Global heap collections start with "GCOL"; the attribute's value holds the address of
  // one, 8 bytes little-endian, after the attribute's name in the object header.
  std::set<std::uint64_t> collections;
  for (std::size_t at = bytes.find("GCOL"); at != std::string::npos; at = bytes.find("GCOL", at + 1))
    collections.insert(at);
  const std::size_t name_at = bytes.find(std::string(name) + '\0', header);
  if (name_at == std::string::npos) throw std::runtime_error("flip_string_attribute_address: no attribute name");
  for (std::size_t at = name_at; at + 8 <= bytes.size() && at < name_at + 256; ++at) {
    std::uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = v << 8 | static_cast<unsigned char>(bytes[at + static_cast<std::size_t>(i)]);
    if (!collections.count(v)) continue;
    std::fstream s(file, std::ios::in | std::ios::out | std::ios::binary);
    s.seekp(static_cast<std::streamoff>(at + 4));
    s.put(static_cast<char>(bytes[at + 4] ^ 0x01));  // bit 32: far past the end of any golden file
    return;
  }
  throw std::runtime_error("flip_string_attribute_address: no heap address after the attribute's name");
}

/// Cuts the file to `fraction` of its length, as an interrupted copy would.
inline void truncate_file(const std::string& file, double fraction) {
  const auto size = std::filesystem::file_size(file);
  std::filesystem::resize_file(file, static_cast<std::uintmax_t>(static_cast<double>(size) * fraction));
}

/// Points every variable-length string of the file (the string attributes golden files
/// hold) past the end of its global heap collection: each reference to a collection ("GCOL"
/// at offset A) is A as 8 little-endian bytes followed by the object's 4-byte index, which
/// becomes 0xffffffff. Returns how many references were changed. HDF5 1.10.8 reads the
/// string at that index unchecked: reading such a file in-process ends in SIGSEGV.
inline int point_strings_past_their_heap(const std::string& file) {
  std::string bytes = read_bytes(file);
  int changed = 0;
  for (std::size_t col = bytes.find("GCOL"); col != std::string::npos; col = bytes.find("GCOL", col + 1)) {
    std::string address(8, '\0');
    for (int i = 0; i < 8; ++i) address[i] = static_cast<char>((col >> (8 * i)) & 0xff);
    for (std::size_t at = bytes.find(address); at != std::string::npos && at + 12 <= bytes.size();
         at = bytes.find(address, at + 1)) {
      std::uint32_t index = 0;
      for (int i = 0; i < 4; ++i) index |= std::uint32_t{static_cast<unsigned char>(bytes[at + 8 + i])} << (8 * i);
      if (index == 0 || index > 65535) continue;  // not an object's index
      bytes.replace(at + 8, 4, 4, '\xff');
      ++changed;
    }
  }
  std::ofstream(file, std::ios::binary | std::ios::trunc) << bytes;
  return changed;
}

/// Inverts `count` bytes in the middle of the first stored chunk of `dataset`, as bad
/// storage would. (Bytes at an arbitrary offset may land in space the file does not use.)
inline void flip_chunk_bytes(const std::string& file, const std::string& dataset, int count) {
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  const hid_t d = H5Dopen2(f, dataset.c_str(), H5P_DEFAULT);
  hsize_t offset = 0, size = 0;
  haddr_t addr = 0;
  unsigned mask = 0;
  const hid_t space = H5Dget_space(d);
  const herr_t status = H5Dget_chunk_info(d, space, 0, &offset, &mask, &addr, &size);
  H5Sclose(space);
  H5Dclose(d);
  if (status < 0 || size == 0) throw std::runtime_error("flip_chunk_bytes: no stored chunk in " + dataset);
  H5Fclose(f);
  std::fstream s(file, std::ios::in | std::ios::out | std::ios::binary);
  const auto at = static_cast<std::streamoff>(addr + size / 2);
  for (int i = 0; i < count; ++i) {
    s.seekg(at + i);
    const int c = s.get();
    s.seekp(at + i);
    s.put(static_cast<char>(~c));
  }
}

/// The names in a directory.
inline std::set<std::string> entries(const std::string& dir) {
  std::set<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) names.insert(e.path().filename().string());
  return names;
}

inline std::string read_bytes(const std::string& file) {
  std::ifstream s(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(s), std::istreambuf_iterator<char>()};
}

}  // namespace ulpcheck::testing
