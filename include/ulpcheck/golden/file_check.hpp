// What running one kernel over a golden file gives, for the groups of any family's file:
// every group measured, and the groups the kernel does not take.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

namespace ulpcheck::golden {

template <class Group>
struct FileCheckOf {
  std::vector<Group> groups;
  /// Groups the kernel does not implement, or whose parameters, configuration or formats
  /// it does not take.
  std::vector<std::string> skipped;
  bool passes() const { return std::ranges::all_of(groups, [](const Group& g) { return g.passes(); }); }
};

}  // namespace ulpcheck::golden
