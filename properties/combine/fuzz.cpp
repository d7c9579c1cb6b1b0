// Running the combine properties: their ids and labels, and the runner that shrinks a
// failure and keeps its case.
#include "ulpcheck/properties/combine/fuzz.hpp"

#include <fmt/format.h>

#include <type_traits>

#include "properties/property_runner.hpp"

namespace ulpcheck {

namespace {

/// Keeps the shrunk case in the result where the counterexample variant holds the family's
/// cases; until CombineFamily is one of Families it does not, and the case reaches callers
/// through run_combine_fuzz_property's `shrunk` alone.
template <class Case>
void keep_combine_minimal(FuzzResult& result, const std::optional<Case>& shrunk) {
  if constexpr (std::is_constructible_v<FuzzCounterexample, Case>) {
    if (shrunk) result.minimal = FuzzCounterexample(*shrunk);
  }
}

}  // namespace

std::string combine_fuzz_id(const CombineFuzzTarget& t, const CombineFuzzProperty& p) {
  return fmt::format("{}/{}/{}/{}", t.kernel->name(), kCombineOpName, name(t.format), p.name);
}

std::string fuzz_label(const CombineFuzzTarget& t, const CombineFuzzProperty& p) {
  return fmt::format("{} {} {} {}", t.kernel->name(), kCombineOpName, name(t.format), p.name);
}

FuzzResult run_combine_fuzz_property(const CombineFuzzTarget& target, const CombineFuzzProperty& property,
                                     const FuzzSettings& settings, const std::optional<std::string>& replay,
                                     std::optional<CombineCase>* shrunk) {
  const CombineFuzzTarget t = target;
  const auto check = property.check;
  std::optional<CombineCase> minimal;
  FuzzResult result = detail::run_property<CombineCase>(
      combine_fuzz_id(target, property), property.sentence, settings, replay, property.cases(t.format),
      [t, check](const CombineCase& c) { check(t, c); }, &minimal);
  keep_combine_minimal(result, minimal);
  if (shrunk) *shrunk = std::move(minimal);
  return result;
}

}  // namespace ulpcheck
