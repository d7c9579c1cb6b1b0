// The checks of `golden verify` that need no recomputation (internal to golden/): every
// group of a file holds only what schema v1 defines there, every attribute and dataset can
// be read, and every group's content matches its recorded digest (golden/digest.hpp).
#pragma once

#include <fmt/format.h>

#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
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

/// `a` followed by `b`: the members one group shares with another, then its own.
inline std::vector<std::string> joined_names(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

/// The root attributes of a file with its own layout (routing, MoE combine): identity, then
/// provenance (golden/root_attributes.hpp). Elementwise files add their arity between them.
AllowedMembers op_file_root_members();

/// The next step each problem of an op's file names, by what it implies about the file.
struct VerifyCauses {
  std::string regen;   ///< the file lacks what this build writes: regenerate
  std::string edited;  ///< the file contradicts itself: it was edited or corrupted
  std::string stale;   ///< the file disagrees with this build's kernels or oracle
};
VerifyCauses verify_causes(std::string_view op);

/// Checks the root's formula and oracle method against this build's; when either differs,
/// "/" is explained (its digest mismatch would only repeat it).
void check_root_method(std::vector<std::string>& problems, std::set<std::string>& explained, const std::string& path,
                       const std::string& formula, std::string_view expected_formula, const std::string& oracle_method,
                       std::string_view expected_oracle_method, const VerifyCauses& causes);

/// Names every case `expected` holds that `recorded` lacks, and every case `recorded` holds
/// that is no case of the op; both change the member list of the group that holds the case,
/// so that group is explained. Keys are case groups ("/bf16/all").
template <class Recorded, class Expected>
void check_case_names(std::vector<std::string>& problems, std::set<std::string>& explained, const std::string& path,
                      std::string_view op, const std::map<std::string, Recorded>& recorded,
                      const std::map<std::string, Expected>& expected, const VerifyCauses& causes) {
  const auto parent = [](const std::string& group) { return group.substr(0, group.rfind('/')); };
  for (const auto& [group, spec] : expected)
    if (!recorded.count(group)) {
      problems.push_back(
          fmt::format("{}: {} is missing; every golden file of {} has it; {}", path, group, op, causes.regen));
      explained.insert(parent(group));
    }
  for (const auto& [group, c] : recorded)
    if (!expected.count(group)) {
      problems.push_back(fmt::format("{}: {} is not a case of {}; {}", path, group, op, causes.edited));
      explained.insert(parent(group));
    }
}

}  // namespace ulpcheck::golden
