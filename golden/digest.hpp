// Content digests of golden-file groups (golden/SCHEMA.md, "Digests"): every group stores,
// in its attribute `digest`, a hash of everything in it, so that verify can tell that what
// it cannot recompute (provenance, labels, the corpus, the list of members) is as written.
// A parent's digest covers its children's recorded digests, so an edit anywhere changes the
// digest of the group that holds it and a removed or added member that of its parent.
#pragma once

#include <hdf5.h>

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ulpcheck::golden::h5 {

inline constexpr const char* kDigestAttribute = "digest";

/// FNV-1a with 64-bit state (Fowler, Noll and Vo; offset basis 0xcbf29ce484222325, prime
/// 0x100000001b3), written here because no library the build depends on provides a hash.
/// It detects damage and edits, not a deliberate forger: anyone can recompute it.
class Fnv1a64 {
 public:
  void add(const void* data, std::size_t size);
  void add_u64(std::uint64_t v);  ///< 8 bytes, little-endian
  void add_string(std::string_view s);  ///< its length (add_u64), then its bytes
  std::uint64_t value() const { return state_; }

 private:
  std::uint64_t state_ = 0xcbf29ce484222325u;
};

/// Something in a group that cannot be read while digesting it; what() names it.
struct UnreadableContent : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// The names of an object's attributes in byte order; throws UnreadableContent when they
/// cannot be listed.
std::vector<std::string> attribute_names(hid_t obj);

/// Whether the member `name` of `group` is a group or a dataset; throws UnreadableContent
/// when its header cannot be read.
H5O_type_t member_type(hid_t group, const std::string& name);

/// "fnv1a64:<16 lowercase hex digits>" of the group's canonical serialisation: its
/// attributes but `digest`, by name, then its members in the order written, datasets with
/// their type, shape and elements and groups with their recorded digest. Reads every one of
/// them; throws UnreadableContent naming the first that cannot be read.
std::string content_digest(hid_t group);

/// The group's recorded digest, or "" when it has none.
std::string recorded_digest(hid_t group);

/// Stores the digest of every group of an open file, children before their parents.
void write_digests(hid_t file);

}  // namespace ulpcheck::golden::h5
