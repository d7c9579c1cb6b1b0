// The checks of `golden verify` that need no recomputation (internal to golden/): every
// group of a file holds only what schema v1 defines there, every attribute and dataset can
// be read, and every group's content matches its recorded digest (golden/digest.hpp).
#pragma once

#include <functional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace ulpcheck::golden {

/// What schema v1 allows in one group. `any_group`: members that are groups are allowed
/// whatever their names (cases, kernels, counterexamples: the family's verify names the
/// ones it does not expect).
struct AllowedMembers {
  std::vector<std::string> attributes;
  std::vector<std::string> datasets;
  std::vector<std::string> groups;
  bool any_group = false;
};

/// The allowed members of the group at `path`, given as its names from the root ({} for
/// "/", {"bf16", "all"} for /bf16/all).
using Layout = std::function<AllowedMembers(const std::vector<std::string>& path)>;

struct IntegrityProblem {
  std::string object;  ///< "/bf16/all"
  std::string what;  ///< "has attribute 'note', which schema v1 does not define there"
  bool digest_mismatch = false;  ///< the content differs from the digest, nothing more precise
};

/// Walks every group of the file from the root. A group with an undocumented member is not
/// compared with its digest (the member is the news) and its undocumented groups are not
/// entered.
std::vector<IntegrityProblem> check_integrity(const std::string& path, const Layout& layout);

/// Marks `object` explained when problems were added while it lived: however an object's
/// checks end (a `continue` included), what they found explains its digest mismatch.
class ProblemsExplain {
 public:
  ProblemsExplain(const std::vector<std::string>& problems, std::set<std::string>& explained, std::string object)
      : problems_(problems), start_(problems.size()), explained_(explained), object_(std::move(object)) {}
  ProblemsExplain(const ProblemsExplain&) = delete;
  ProblemsExplain& operator=(const ProblemsExplain&) = delete;
  ~ProblemsExplain() {
    if (problems_.size() != start_) explained_.insert(object_);
  }

 private:
  const std::vector<std::string>& problems_;
  std::size_t start_;
  std::set<std::string>& explained_;
  std::string object_;
};

/// Adds the problems to `problems` as "<path>: <object> <what>; <cause>", leaving out a
/// digest mismatch of an object in `explained`: a recomputation already named what changed.
void report_integrity(std::vector<std::string>& problems, const std::string& path,
                      const std::vector<IntegrityProblem>& found, const std::set<std::string>& explained,
                      const std::string& cause);

}  // namespace ulpcheck::golden
