#include "ulpcheck/golden/check_run.hpp"

#include <algorithm>

namespace ulpcheck::golden {

std::size_t KernelCheck::groups() const {
  return std::visit([](const auto& c) { return c.groups.size(); }, check);
}

std::size_t KernelCheck::failed() const {
  return std::visit(
      [](const auto& c) {
        return static_cast<std::size_t>(std::ranges::count_if(c.groups, [](const auto& g) { return !g.passes(); }));
      },
      check);
}

CheckPlan plan_check(const CheckRequest& request) {
  return {request.dir, files_present(request.dir, request.ops), resolve_kernels(request.kernels)};
}

std::vector<KernelCheck> run_check(const CheckPlan& plan, Observer& observer) {
  std::vector<KernelCheck> out;
  for (const FileRef& f : plan.files)
    std::visit([&](const auto& file) { check_file(file_path(plan.dir, f), file, plan.kernels, observer, out); }, f);
  return out;
}

}  // namespace ulpcheck::golden
