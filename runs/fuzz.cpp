#include "ulpcheck/runs/fuzz.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "ulpcheck/device/registry.hpp"
#include "ulpcheck/reference/registry.hpp"
#include "ulpcheck/reference/routing.hpp"
#include "ulpcheck/runs/request_error.hpp"

namespace ulpcheck {

std::vector<FuzzRun> plan_fuzz(const FuzzRequest& request) {
  for (const std::string& n : request.ops) require_known_op(n);
  FuzzSelection selection{request.ops, {}, resolve_kernels(request.kernels)};
  for (const std::string& n : request.dtypes) selection.formats.push_back(resolve_format(n));
  if (selection.formats.empty()) selection.formats.assign(all_formats().begin(), all_formats().end());
  std::vector<FuzzRun> runs;
  Families::for_each([&](auto family) { add_fuzz_runs(family, selection, runs); });
  if (!request.properties.empty()) {
    std::vector<std::string_view> known;
    Families::for_each([&](auto family) { add_property_names(family, known); });
    for (const std::string& p : request.properties)
      if (std::ranges::find(known, p) == known.end())
        throw RequestError(fmt::format("--property {}: no such property; the properties are {}", p,
                                       fmt::join(known, ", ")));
    std::erase_if(runs, [&](const FuzzRun& r) {
      return std::ranges::find(request.properties, property_name(r)) == request.properties.end();
    });
  }
  if (runs.empty())
    throw RequestError(fmt::format("nothing to fuzz: no selected kernel implements the selected ops and dtypes{}",
                                   request.properties.empty() ? "" : " with the selected properties"));
  return runs;
}

FuzzRun resolve_replay(const std::string& token) {
  std::string id;
  try {
    id = replay_token_id(token);
  } catch (const std::invalid_argument& e) {
    throw RequestError(fmt::format("--replay: {}", e.what()));
  }
  std::optional<FuzzRun> found;
  Families::for_each([&](auto family) {
    if (!found) found = find_fuzz_run(family, id);
  });
  if (found) return *found;
  throw RequestError(fmt::format("--replay: the token is for '{}', which this build does not have (a plugin kernel "
                                 "needs the same --plugin as the run that printed the token)",
                                 id));
}

std::string label(const FuzzRun& run) {
  return std::visit([](const auto& r) { return fuzz_label(r.target, *r.property); }, run);
}

std::string op_name(const FuzzRun& run) {
  return std::visit([](const auto& r) { return op_name(r); }, run);
}

std::string_view kernel_name(const FuzzRun& run) {
  return std::visit([](const auto& r) { return r.target.kernel->name(); }, run);
}

std::string_view property_name(const FuzzRun& run) {
  return std::visit([](const auto& r) { return r.property->name; }, run);
}

FuzzResult run(const FuzzRun& run, const FuzzSettings& settings, const std::optional<std::string>& replay) {
  return std::visit([&](const auto& r) { return run_fuzz_property(r.target, *r.property, settings, replay); }, run);
}

}  // namespace ulpcheck
