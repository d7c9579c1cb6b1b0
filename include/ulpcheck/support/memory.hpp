// How much memory this process may take, so that a request too large for it is refused
// with the flag that made it so, before anything is allocated (std::bad_alloc halfway
// through a run names nothing).
#pragma once

#include <cstdint>

namespace ulpcheck {

/// The smaller of the machine's physical memory and the process's address-space and data
/// limits (`ulimit -v`, `ulimit -d`), in bytes.
std::uint64_t usable_memory_bytes();

}  // namespace ulpcheck
