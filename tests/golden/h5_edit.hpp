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

namespace ulpcheck::testing {

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

/// Cuts the file to `fraction` of its length, as an interrupted copy would.
inline void truncate_file(const std::string& file, double fraction) {
  const auto size = std::filesystem::file_size(file);
  std::filesystem::resize_file(file, static_cast<std::uintmax_t>(static_cast<double>(size) * fraction));
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
