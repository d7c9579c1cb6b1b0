#include "ulpcheck/properties/fuzz.hpp"

#include "properties/property_runner.hpp"

#include <fmt/format.h>
#include <rapidcheck.h>

#include <chrono>
#include <stdexcept>
#include <unordered_map>

namespace ulpcheck {

std::string fuzz_id(const FuzzTarget& t, const FuzzProperty& p) {
  return fmt::format("{}/{}/{}/{}", t.kernel->name(), t.op->name, name(t.format), p.name);
}

std::string fuzz_label(const FuzzTarget& t, const FuzzProperty& p) {
  return fmt::format("{} {} {} {}", t.kernel->name(), t.op->name, name(t.format), p.name);
}

std::string replay_token_id(const std::string& token) {
  std::unordered_map<std::string, rc::detail::Reproduce> map;
  try {
    map = rc::detail::stringToReproduceMap(token);
  } catch (const std::exception& e) {
    throw std::invalid_argument(fmt::format("replay token is malformed ({})", e.what()));
  }
  if (map.size() != 1) throw std::invalid_argument("replay token must name exactly one property run");
  return map.begin()->first;
}

FuzzResult run_fuzz_property(const FuzzTarget& target, const FuzzProperty& property, const FuzzSettings& settings,
                             const std::optional<std::string>& replay) {
  const FuzzTarget t = target;
  const auto check = property.check;
  std::optional<FuzzCase> shrunk;
  FuzzResult result = detail::run_property<FuzzCase>(
      fuzz_id(target, property), property.sentence, settings, replay, gen_case(*t.op, t.format),
      [t, check](const FuzzCase& c) { check(t, c); }, &shrunk);
  result.minimal = std::move(shrunk);
  return result;
}

}  // namespace ulpcheck
