#include "ulpcheck/support/memory.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>

namespace ulpcheck {

std::uint64_t usable_memory_bytes() {
  const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGE_SIZE);
  std::uint64_t limit = pages > 0 && page > 0 ? static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page)
                                              : UINT64_MAX;
  for (int resource : {RLIMIT_AS, RLIMIT_DATA}) {
    rlimit r{};
    if (::getrlimit(resource, &r) == 0 && r.rlim_cur != RLIM_INFINITY)
      limit = std::min<std::uint64_t>(limit, static_cast<std::uint64_t>(r.rlim_cur));
  }
  return limit;
}

}  // namespace ulpcheck
