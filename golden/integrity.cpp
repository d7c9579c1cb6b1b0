#include "golden/integrity.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "golden/digest.hpp"
#include "golden/hdf5_io.hpp"

namespace ulpcheck::golden {

namespace {

using namespace h5;

bool allowed(const std::vector<std::string>& names, const std::string& n) {
  return std::find(names.begin(), names.end(), n) != names.end();
}

std::string object_path(const std::vector<std::string>& names) {
  return names.empty() ? "/" : fmt::format("/{}", fmt::join(names, "/"));
}

class Walk {
 public:
  Walk(const Layout& layout, std::vector<IntegrityProblem>& out) : layout_(layout), out_(out) {}

  void group(hid_t g, std::vector<std::string>& names) {
    const std::string where = object_path(names);
    const auto problem = [&](std::string what) { out_.push_back({where, std::move(what), false}); };
    const AllowedMembers allow = layout_(names);
    std::vector<std::string> subgroups;
    bool undocumented = false;
    try {
      for (const std::string& a : attribute_names(g))
        if (a != kDigestAttribute && !allowed(allow.attributes, a)) {
          problem(fmt::format("has attribute '{}', which schema v1 does not define there", a));
          undocumented = true;
        }
      for (const std::string& m : members(g)) {
        const bool is_group = member_type(g, m) == H5O_TYPE_GROUP;
        if (is_group ? allow.any_group || allowed(allow.groups, m) : allowed(allow.datasets, m)) {
          if (is_group) subgroups.push_back(m);
          continue;
        }
        problem(fmt::format("has {} '{}', which schema v1 does not define there", is_group ? "group" : "dataset", m));
        undocumented = true;
      }
      if (!undocumented) compare_digest(g, where);
    } catch (const UnreadableContent& e) {
      problem(e.what());
    }
    for (const std::string& m : subgroups) {
      Handle child(H5Gopen2(g, m.c_str(), H5P_DEFAULT), H5Gclose);
      names.push_back(m);
      if (child.ok()) group(child.get(), names);
      else out_.push_back({object_path(names), "cannot be opened (corrupted)", false});
      names.pop_back();
    }
  }

 private:
  void compare_digest(hid_t g, const std::string& where) {
    const std::string recorded = recorded_digest(g);
    if (recorded.empty()) {
      out_.push_back({where, fmt::format("has no attribute '{}' (the file predates digests, or it was removed)",
                                         kDigestAttribute),
                      false});
      return;
    }
    const std::string content = content_digest(g);
    if (content != recorded)
      out_.push_back({where,
                      fmt::format("does not match its digest (recorded {}, its content gives {}): an attribute, dataset "
                                  "or member was changed, added or removed since the file was written; members now: "
                                  "[{}]",
                                  recorded, content, fmt::join(members(g), ", ")),
                      true});
  }

  const Layout& layout_;
  std::vector<IntegrityProblem>& out_;
};

}  // namespace

namespace {

std::vector<IntegrityProblem> walk_file(const std::string& path, const Layout& layout) {
  quiet();
  std::vector<IntegrityProblem> out;
  Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  Handle root(file.ok() ? H5Gopen2(file.get(), "/", H5P_DEFAULT) : -1, H5Gclose);
  if (!root.ok()) return {{"/", "cannot be opened as HDF5 (truncated or corrupted)", false}};
  std::vector<std::string> names;
  Walk(layout, out).group(root.get(), names);
  return out;
}

}  // namespace

std::vector<IntegrityProblem> check_integrity(const std::string& path, const Layout& layout) {
  if (const std::optional<std::string> problem = problem_when_read([&] { walk_file(path, layout); }))
    return {{"/", *problem, false}};
  return walk_file(path, layout);
}

void report_integrity(std::vector<std::string>& problems, const std::string& path,
                      const std::vector<IntegrityProblem>& found, const std::set<std::string>& explained,
                      const std::string& cause) {
  for (const IntegrityProblem& p : found)
    if (!p.digest_mismatch || !explained.count(p.object))
      problems.push_back(fmt::format("{}: {} {}; {}", path, p.object, p.what, cause));
}

AllowedMembers op_file_root_members() {
  return {{"schema_version", "tool", "op", "formula", "oracle_method", "device", "cuda_version", "driver_version"},
          {},
          {},
          true};
}

VerifyCauses verify_causes(std::string_view op) {
  const std::string regen = fmt::format("regenerate with 'ulpcheck golden regen --op {}'", op);
  return {regen, "the file was edited or corrupted; " + regen,
          "the file was edited, or the kernel or the oracle changed since the file was written; " + regen};
}

void check_root_method(std::vector<std::string>& problems, std::set<std::string>& explained, const std::string& path,
                       const std::string& formula, std::string_view expected_formula, const std::string& oracle_method,
                       std::string_view expected_oracle_method, const VerifyCauses& causes) {
  const std::size_t before = problems.size();
  if (formula != expected_formula)
    problems.push_back(fmt::format("{}: / attribute formula is '{}', expected '{}'; {}", path, formula,
                                   expected_formula, causes.stale));
  if (oracle_method != expected_oracle_method)
    problems.push_back(fmt::format("{}: / attribute oracle_method is '{}', expected '{}'; {}", path, oracle_method,
                                   expected_oracle_method, causes.stale));
  if (problems.size() != before) explained.insert("/");
}

}  // namespace ulpcheck::golden
