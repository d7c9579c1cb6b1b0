#include "ulpcheck/properties/fuzz.hpp"

#include <fmt/format.h>
#include <rapidcheck.h>

#include <chrono>
#include <stdexcept>
#include <unordered_map>

namespace rc::detail {
// Defined in librapidcheck, declared in a header Debian does not install: the same
// encoding RC_PARAMS="reproduce=..." uses.
std::string reproduceMapToString(const std::unordered_map<std::string, Reproduce>& reproduceMap);
std::unordered_map<std::string, Reproduce> stringToReproduceMap(const std::string& str);
}  // namespace rc::detail

namespace ulpcheck {

namespace {

/// RapidCheck's listener interface; the runner reports by itself, so it listens to nothing.
struct QuietListener : rc::detail::TestListener {
  void onTestCaseFinished(const rc::detail::CaseDescription&) override {}
  void onShrinkTried(const rc::detail::CaseDescription&, bool) override {}
  void onTestFinished(const rc::detail::TestMetadata&, const rc::detail::TestResult&) override {}
};

}  // namespace

std::string fuzz_id(const FuzzTarget& t, const FuzzProperty& p) {
  return fmt::format("{}/{}/{}/{}", t.kernel->name(), t.op->name, name(t.format), p.name);
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
  FuzzResult result;
  result.id = fuzz_id(target, property);
  rc::detail::TestMetadata metadata;
  metadata.id = result.id;
  metadata.description = std::string(property.sentence);
  rc::detail::TestParams params;
  params.seed = settings.seed;
  params.maxSuccess = settings.cases;
  params.maxSize = 100;
  std::unordered_map<std::string, rc::detail::Reproduce> reproduce;
  if (replay) reproduce = rc::detail::stringToReproduceMap(*replay);

  const auto start = std::chrono::steady_clock::now();
  QuietListener listener;
  const FuzzTarget t = target;
  const auto check = property.check;
  const auto outcome = rc::detail::checkProperty(
      rc::detail::toProperty([t, check] { check(t, *gen_case(*t.op, t.format)); }), metadata, params, listener,
      reproduce);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  if (outcome.template is<rc::detail::SuccessResult>()) {
    result.passed = true;
    result.cases = outcome.template get<rc::detail::SuccessResult>().numSuccess;
  } else if (outcome.template is<rc::detail::FailureResult>()) {
    const auto& fail = outcome.template get<rc::detail::FailureResult>();
    result.cases = fail.numSuccess;
    result.failure = fail.description;
    for (const auto& shown : fail.counterExample) result.counterexample += shown.second + "\n";
    result.replay_token = rc::detail::reproduceMapToString({{result.id, fail.reproduce}});
    // RapidCheck shows the shrunk case only as text; replaying its reproduce path
    // generates exactly that case once more, and it is kept from there.
    std::optional<FuzzCase> shrunk;
    rc::detail::checkProperty(rc::detail::toProperty([t, check, &shrunk] {
                                shrunk = *gen_case(*t.op, t.format);
                                check(t, *shrunk);
                              }),
                              metadata, params, listener, {{result.id, fail.reproduce}});
    result.minimal_case = std::move(shrunk);
  } else if (outcome.template is<rc::detail::GaveUpResult>()) {
    result.failure = "gave up: " + outcome.template get<rc::detail::GaveUpResult>().description;
  } else {
    result.failure = "error: " + outcome.template get<rc::detail::Error>().description;
  }
  return result;
}

}  // namespace ulpcheck
