// The root attributes every golden file carries (internal to golden/): what the file is
// (schema version, writer, op, formula) and where its answers and figures come from (oracle
// method, GPU, CUDA runtime and driver). Elementwise and routing files name them alike.
#pragma once

#include <fmt/format.h>

#include <span>
#include <string>
#include <string_view>

#include "golden/hdf5_io.hpp"
#include "ulpcheck/golden/elementwise/golden_file.hpp"

namespace ulpcheck::golden {

/// A string attribute of the root and the file's field it holds.
template <class File>
struct RootString {
  const char* name;
  std::string File::*field;
};
/// What the file is (after schema_version), and where its answers and figures come from.
template <class File>
constexpr RootString<File> kIdentity[] = {{"tool", &File::tool}, {"op", &File::op}, {"formula", &File::formula}};
template <class File>
constexpr RootString<File> kProvenance[] = {{"oracle_method", &File::oracle_method},
                                            {"device", &File::device},
                                            {"cuda_version", &File::cuda_version},
                                            {"driver_version", &File::driver_version}};

template <class File>
void write_identity(hid_t root, const File& f) {
  h5::attr_int64(root, "schema_version", f.schema_version);
  for (const RootString<File>& a : kIdentity<File>) h5::attr_string(root, a.name, f.*a.field);
}

template <class File>
void write_provenance(hid_t root, const File& f) {
  for (const RootString<File>& a : kProvenance<File>) h5::attr_string(root, a.name, f.*a.field);
}

/// Reads both, refusing any schema version but this build's.
template <class File>
void read_root(const h5::Ctx& ctx, hid_t root, File& f) {
  f.schema_version = static_cast<int>(h5::read_attr_int64(ctx, root, "/", "schema_version"));
  if (f.schema_version != kSchemaVersion)
    ctx.fail("/", fmt::format("has schema_version {}, expected {}", f.schema_version, kSchemaVersion));
  for (const auto& list : {std::span<const RootString<File>>(kIdentity<File>), std::span<const RootString<File>>(kProvenance<File>)})
    for (const RootString<File>& a : list) f.*a.field = h5::read_attr_string(ctx, root, "/", a.name);
}

/// read_root for a family whose files hold one op only (routing, MoE combine): a file that
/// names another op is refused before its groups are read with the wrong layout.
template <class File>
void read_root_of_op(const h5::Ctx& ctx, hid_t root, File& f, std::string_view op) {
  read_root(ctx, root, f);
  if (f.op != op) ctx.fail("/", fmt::format("names op '{}', expected '{}'", f.op, op));
}

/// The device the figures were measured on, as the regeneration's options name it.
template <class File, class Options>
void set_device_provenance(File& f, const Options& o) {
  f.device = o.device;
  f.cuda_version = o.cuda_version;
  f.driver_version = o.driver_version;
}

}  // namespace ulpcheck::golden
