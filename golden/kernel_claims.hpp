// Which kernels take a golden case (internal to golden/): regen measures each of them, and
// verify re-measures them and names any the file has no figures of. Both must ask alike.
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "golden/integrity.hpp"
#include "ulpcheck/golden/elementwise/verify.hpp"

namespace ulpcheck::golden {

/// The kernels whose `claim_of` (a kernel's claim for the case, or nullopt) is not empty,
/// each with its claim, in the order given.
template <class Kernel, class ClaimOf>
auto kernels_claiming(std::span<const Kernel* const> kernels, ClaimOf claim_of) {
  using Claim = typename std::invoke_result_t<ClaimOf, const Kernel&>::value_type;
  std::vector<std::pair<const Kernel*, Claim>> out;
  for (const Kernel* k : kernels)
    if (const std::optional<Claim> claim = claim_of(*k)) out.emplace_back(k, *claim);
  return out;
}

/// Verifies the kernel figures one case records (`recorded`, each with a `kernel` name) at
/// `where` (the case group `group` of the file): a kernel that cannot run here is noted, one
/// that no longer `verb`s the case ("claim", "take") is stale, any other is re-measured by
/// `remeasure(figures, where, kernel, claim)`; a kernel of `takers` with no figures means the
/// file predates it.
template <class Kernel, class Claim, class Figures, class Remeasure>
void verify_kernel_figures(VerifyResult& out, std::set<std::string>& explained, const std::string& where,
                           const std::string& group, std::span<const Kernel* const> runnable,
                           const std::vector<std::pair<const Kernel*, Claim>>& takers,
                           const std::vector<Figures>& recorded, std::string_view verb, const VerifyCauses& causes,
                           Remeasure remeasure) {
  for (const Figures& k : recorded) {
    const std::string kwhere = where + "/kernels/" + k.kernel;
    const ProblemsExplain kernel_checks(out.problems, explained, group + "/kernels/" + k.kernel);
    if (std::none_of(runnable.begin(), runnable.end(), [&](const Kernel* r) { return r->name() == k.kernel; })) {
      out.notes.push_back(fmt::format("{}: not re-measured (the kernel cannot run here)", kwhere));
      continue;
    }
    const auto it = std::find_if(takers.begin(), takers.end(), [&](const auto& t) { return t.first->name() == k.kernel; });
    if (it == takers.end()) {
      out.problems.push_back(
          fmt::format("{} records figures for a case the kernel does not {}; {}", kwhere, verb, causes.stale));
      continue;
    }
    remeasure(k, kwhere, *it->first, it->second);
  }
  // Every kernel that can run here and takes the case must have been recorded.
  // Not a structured binding: Clang before 16 cannot capture one in the lambda.
  for (const auto& taker : takers)
    if (const Kernel* kernel = taker.first;
        std::none_of(recorded.begin(), recorded.end(), [&](const Figures& r) { return r.kernel == kernel->name(); })) {
      out.problems.push_back(fmt::format("{}/kernels has no figures of {}, which {}s this case: the file predates "
                                         "the kernel; {}",
                                         where, kernel->name(), verb, causes.regen));
      explained.insert(group + "/kernels");
    }
}

}  // namespace ulpcheck::golden
