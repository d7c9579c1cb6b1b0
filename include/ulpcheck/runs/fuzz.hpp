// A fuzz campaign: every property that applies to every selected (kernel, op, dtypes) of
// every family (plan_fuzz), each run on generated cases with failures shrunk (run). The
// command `fuzz` and the library's clients call these; nothing here prints.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ulpcheck/properties/combine/fuzz.hpp"
#include "ulpcheck/properties/fuzz.hpp"
#include "ulpcheck/properties/routing/fuzz.hpp"
#include "ulpcheck/runs/resolve.hpp"

namespace ulpcheck {

/// One property on one target, of any family.
using FuzzRun = PerFamily<FuzzRunOf>;

struct FuzzRequest {
  std::vector<std::string> ops;      ///< empty: every op of every family
  std::vector<std::string> dtypes;   ///< empty: all; for routing, the logits' dtype
  std::vector<std::string> kernels;  ///< empty: every kernel that can run here
  std::vector<std::string> properties;  ///< empty: every property that applies
};

/// What a family's planner is given: the request resolved against the registries.
struct FuzzSelection {
  std::vector<std::string> ops;  ///< the request's op names; empty: every op
  std::vector<Format> formats;
  KernelSelection kernels;
};

/// Every run of the request, family by family. Throws RequestError naming an unknown op,
/// dtype, kernel or property, or when no run is left.
std::vector<FuzzRun> plan_fuzz(const FuzzRequest& request);

/// The run a replay token names (with the plugins of the run that printed it loaded).
/// Throws RequestError for a malformed token or one naming a run this build lacks.
FuzzRun resolve_replay(const std::string& token);

/// "<kernel> <op> <dtype> <property>", as the command lists a run.
std::string label(const FuzzRun& run);
/// The op the run checks ("silu_and_mul", "biased_grouped_topk").
std::string op_name(const FuzzRun& run);
std::string_view kernel_name(const FuzzRun& run);
/// The property's name ("within_budget").
std::string_view property_name(const FuzzRun& run);
/// Runs it (with `replay`, only the case the token names).
FuzzResult run(const FuzzRun& run, const FuzzSettings& settings, const std::optional<std::string>& replay);

// Each family's part, in its folder (runs/<family>/fuzz.cpp).
void add_fuzz_runs(ElementwiseFamily, const FuzzSelection& selection, std::vector<FuzzRun>& out);
void add_fuzz_runs(RoutingFamily, const FuzzSelection& selection, std::vector<FuzzRun>& out);
void add_fuzz_runs(CombineFamily, const FuzzSelection& selection, std::vector<FuzzRun>& out);
/// The run of the family whose id is `id`, if any.
std::optional<FuzzRun> find_fuzz_run(ElementwiseFamily, const std::string& id);
std::optional<FuzzRun> find_fuzz_run(RoutingFamily, const std::string& id);
std::optional<FuzzRun> find_fuzz_run(CombineFamily, const std::string& id);
/// The names of the family's properties, in its order.
void add_property_names(ElementwiseFamily, std::vector<std::string_view>& out);
void add_property_names(RoutingFamily, std::vector<std::string_view>& out);
void add_property_names(CombineFamily, std::vector<std::string_view>& out);
std::string op_name(const FuzzRunOf<ElementwiseFamily>& run);
std::string op_name(const FuzzRunOf<RoutingFamily>& run);
std::string op_name(const FuzzRunOf<CombineFamily>& run);

}  // namespace ulpcheck
