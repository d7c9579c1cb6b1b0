// The root attributes every golden file carries (internal to golden/): what the file is
// (schema version, writer, op, formula) and where its answers and figures come from (oracle
// method, GPU, CUDA runtime and driver). Elementwise and routing files name them alike.
#pragma once

#include <fmt/format.h>

#include "golden/hdf5_io.hpp"
#include "ulpcheck/golden/golden_file.hpp"

namespace ulpcheck::golden {

template <class File>
void write_identity(hid_t root, const File& f) {
  h5::attr_int64(root, "schema_version", f.schema_version);
  h5::attr_string(root, "tool", f.tool);
  h5::attr_string(root, "op", f.op);
  h5::attr_string(root, "formula", f.formula);
}

template <class File>
void write_provenance(hid_t root, const File& f) {
  h5::attr_string(root, "oracle_method", f.oracle_method);
  h5::attr_string(root, "device", f.device);
  h5::attr_string(root, "cuda_version", f.cuda_version);
  h5::attr_string(root, "driver_version", f.driver_version);
}

/// Reads both, refusing any schema version but this build's.
template <class File>
void read_root(const h5::Ctx& ctx, hid_t root, File& f) {
  f.schema_version = static_cast<int>(h5::read_attr_int64(ctx, root, "/", "schema_version"));
  if (f.schema_version != kSchemaVersion)
    ctx.fail("/", fmt::format("has schema_version {}, expected {}", f.schema_version, kSchemaVersion));
  f.tool = h5::read_attr_string(ctx, root, "/", "tool");
  f.op = h5::read_attr_string(ctx, root, "/", "op");
  f.formula = h5::read_attr_string(ctx, root, "/", "formula");
  f.oracle_method = h5::read_attr_string(ctx, root, "/", "oracle_method");
  f.device = h5::read_attr_string(ctx, root, "/", "device");
  f.cuda_version = h5::read_attr_string(ctx, root, "/", "cuda_version");
  f.driver_version = h5::read_attr_string(ctx, root, "/", "driver_version");
}

}  // namespace ulpcheck::golden
