#include "golden/digest.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <vector>

#include "golden/hdf5_io.hpp"

namespace ulpcheck::golden::h5 {

namespace {

/// A scalar string attribute's value, variable-length or fixed.
std::string string_value(hid_t attr, hid_t type, const std::string& name) {
  const auto unreadable = [&] { return UnreadableContent(fmt::format("attribute '{}' cannot be read (corrupted)", name)); };
  if (H5Tis_variable_str(type) > 0) {
    Handle mem(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(mem.get(), H5T_VARIABLE);
    H5Tset_cset(mem.get(), H5Tget_cset(type));  // HDF5 converts no string between character sets
    char* p = nullptr;
    if (H5Aread(attr, mem.get(), &p) < 0 || !p) throw unreadable();
    std::string s(p);
    H5free_memory(p);
    return s;
  }
  const std::size_t size = H5Tget_size(type);
  std::string s(size, '\0');
  Handle mem(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(mem.get(), size);
  H5Tset_cset(mem.get(), H5Tget_cset(type));
  if (H5Aread(attr, mem.get(), s.data()) < 0) throw unreadable();
  s.resize(std::strlen(s.c_str()));
  return s;
}

void add_attribute(Fnv1a64& h, hid_t obj, const std::string& name) {
  Handle a(H5Aopen(obj, name.c_str(), H5P_DEFAULT), H5Aclose);
  if (!a.ok()) throw UnreadableContent(fmt::format("attribute '{}' cannot be opened (corrupted)", name));
  Handle type(H5Aget_type(a.get()), H5Tclose);
  Handle space(H5Aget_space(a.get()), H5Sclose);
  if (!type.ok() || !space.ok()) throw UnreadableContent(fmt::format("attribute '{}' cannot be read (corrupted)", name));
  if (H5Sget_simple_extent_npoints(space.get()) != 1)
    throw UnreadableContent(fmt::format("attribute '{}' is not a scalar", name));
  h.add_string(name);
  const H5T_class_t cls = H5Tget_class(type.get());
  if (cls == H5T_STRING) {
    h.add_string("string");
    h.add_string(string_value(a.get(), type.get(), name));
    return;
  }
  std::uint64_t bits = 0;
  herr_t status = -1;
  if (cls == H5T_FLOAT) {
    h.add_string("float");
    double v = 0;
    status = H5Aread(a.get(), H5T_NATIVE_DOUBLE, &v);
    bits = std::bit_cast<std::uint64_t>(v);
  } else if (cls == H5T_INTEGER && H5Tget_sign(type.get()) == H5T_SGN_NONE) {
    h.add_string("unsigned");
    status = H5Aread(a.get(), H5T_NATIVE_UINT64, &bits);
  } else if (cls == H5T_INTEGER) {
    h.add_string("signed");
    std::int64_t v = 0;
    status = H5Aread(a.get(), H5T_NATIVE_INT64, &v);
    bits = static_cast<std::uint64_t>(v);
  } else {
    throw UnreadableContent(fmt::format("attribute '{}' is neither a string nor a number", name));
  }
  if (status < 0) throw UnreadableContent(fmt::format("attribute '{}' cannot be read (corrupted)", name));
  h.add_u64(bits);
}

void add_dataset(Fnv1a64& h, hid_t group, const std::string& name) {
  const auto unreadable = [&](const char* why) {
    return UnreadableContent(fmt::format("dataset '{}' cannot be read ({})", name, why));
  };
  Handle d(H5Dopen2(group, name.c_str(), H5P_DEFAULT), H5Dclose);
  if (!d.ok()) throw unreadable("corrupted object header");
  Handle type(H5Dget_type(d.get()), H5Tclose);
  Handle space(H5Dget_space(d.get()), H5Sclose);
  if (!type.ok() || !space.ok()) throw unreadable("corrupted object header");
  const H5T_class_t cls = H5Tget_class(type.get());
  if (cls != H5T_INTEGER && cls != H5T_FLOAT) throw unreadable("its elements are not numbers");
  // Elements as the machine holds them: golden files are little-endian, and so are the
  // machines that write and verify them.
  Handle mem(H5Tget_native_type(type.get(), H5T_DIR_ASCEND), H5Tclose);
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0) throw unreadable("corrupted dataspace");
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  std::size_t count = 1;
  for (hsize_t n : dims) count *= static_cast<std::size_t>(n);
  const std::size_t size = H5Tget_size(mem.get());
  h.add_string(name);
  h.add_string(cls == H5T_FLOAT ? "float" : H5Tget_sign(type.get()) == H5T_SGN_NONE ? "unsigned" : "signed");
  h.add_u64(size);
  h.add_u64(dims.size());
  for (hsize_t n : dims) h.add_u64(n);
  std::vector<unsigned char> bytes(count * size);
  if (count > 0 && H5Dread(d.get(), mem.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, bytes.data()) < 0)
    throw unreadable("corrupted data or a checksum/filter failure");
  h.add(bytes.data(), bytes.size());
}

}  // namespace

H5O_type_t member_type(hid_t group, const std::string& name) {
  H5O_info_t info;
  if (H5Oget_info_by_name2(group, name.c_str(), &info, H5O_INFO_BASIC, H5P_DEFAULT) < 0)
    throw UnreadableContent(fmt::format("member '{}' cannot be opened (corrupted)", name));
  return info.type;
}

std::vector<std::string> attribute_names(hid_t obj) {
  std::vector<std::string> names;
  const auto collect = [](hid_t, const char* name, const H5A_info_t*, void* out) -> herr_t {
    static_cast<std::vector<std::string>*>(out)->push_back(name);
    return 0;
  };
  if (H5Aiterate2(obj, H5_INDEX_NAME, H5_ITER_INC, nullptr, collect, &names) < 0)
    throw UnreadableContent("attributes cannot be listed (corrupted object header)");
  std::sort(names.begin(), names.end());  // byte order, whatever order the index keeps
  return names;
}

void Fnv1a64::add(const void* data, std::size_t size) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (std::size_t i = 0; i < size; ++i) {
    state_ ^= p[i];
    state_ *= 0x100000001b3u;
  }
}

void Fnv1a64::add_u64(std::uint64_t v) {
  unsigned char le[8];
  for (unsigned char& b : le) {
    b = static_cast<unsigned char>(v);
    v >>= 8;
  }
  add(le, sizeof le);
}

void Fnv1a64::add_string(std::string_view s) {
  add_u64(s.size());
  add(s.data(), s.size());
}

std::string content_digest(hid_t group) {
  Fnv1a64 h;
  std::vector<std::string> attrs = attribute_names(group);
  std::erase(attrs, std::string(kDigestAttribute));
  h.add_string("attributes");
  h.add_u64(attrs.size());
  for (const std::string& a : attrs) add_attribute(h, group, a);
  const std::vector<std::string> names = members(group);
  h.add_string("members");
  h.add_u64(names.size());
  for (const std::string& n : names) {
    switch (member_type(group, n)) {
      case H5O_TYPE_GROUP: {
        Handle g(H5Gopen2(group, n.c_str(), H5P_DEFAULT), H5Gclose);
        if (!g.ok()) throw UnreadableContent(fmt::format("group '{}' cannot be opened (corrupted)", n));
        h.add_string("group");
        h.add_string(n);
        h.add_string(recorded_digest(g.get()));
        break;
      }
      case H5O_TYPE_DATASET:
        h.add_string("dataset");
        add_dataset(h, group, n);
        break;
      default:
        throw UnreadableContent(fmt::format("member '{}' is neither a group nor a dataset", n));
    }
  }
  return fmt::format("fnv1a64:{:016x}", h.value());
}

std::string recorded_digest(hid_t group) {
  if (H5Aexists(group, kDigestAttribute) <= 0) return "";
  Handle a(H5Aopen(group, kDigestAttribute, H5P_DEFAULT), H5Aclose);
  Handle type(a.ok() ? H5Aget_type(a.get()) : -1, H5Tclose);
  if (!type.ok() || H5Tget_class(type.get()) != H5T_STRING)
    throw UnreadableContent(fmt::format("attribute '{}' cannot be read (corrupted)", kDigestAttribute));
  return string_value(a.get(), type.get(), kDigestAttribute);
}

void write_digests(hid_t file) {
  const auto seal = [](const auto& self, hid_t group) -> void {
    try {
      for (const std::string& n : members(group)) {
        if (member_type(group, n) != H5O_TYPE_GROUP) continue;
        Handle g(H5Gopen2(group, n.c_str(), H5P_DEFAULT), H5Gclose);
        if (!g.ok()) throw WriteError("open group " + n);
        self(self, g.get());
      }
      attr_string(group, kDigestAttribute, content_digest(group));
    } catch (const UnreadableContent& e) {
      throw WriteError(fmt::format("digest: {}", e.what()));
    }
  };
  Handle root = root_for_writing(file);
  seal(seal, root.get());
}

}  // namespace ulpcheck::golden::h5
