// Running one RapidCheck property outside a test framework: a fixed seed and case count, a
// replay token for the shrunk failure, and the shrunk case itself. Internal to properties/;
// the elementwise and routing fuzzers both run through it.
#pragma once

#include <fmt/format.h>
#include <rapidcheck.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>

#include "ulpcheck/device/isolation.hpp"
#include "ulpcheck/properties/fuzz.hpp"

namespace rc::detail {
// Defined in librapidcheck, declared in a header Debian does not install: the same
// encoding RC_PARAMS="reproduce=..." uses.
std::string reproduceMapToString(const std::unordered_map<std::string, Reproduce>& reproduceMap);
std::unordered_map<std::string, Reproduce> stringToReproduceMap(const std::string& str);
}  // namespace rc::detail

namespace ulpcheck::detail {

/// RapidCheck's listener interface; the runner reports by itself, so it listens to nothing.
struct QuietListener : rc::detail::TestListener {
  void onTestCaseFinished(const rc::detail::CaseDescription&) override {}
  void onShrinkTried(const rc::detail::CaseDescription&, bool) override {}
  void onTestFinished(const rc::detail::TestMetadata&, const rc::detail::TestResult&) override {}
};

/// Checks `check` on `settings.cases` cases drawn from `gen` (or only the case a replay
/// token names). On failure, `shrunk` receives the shrunk case: RapidCheck shows it only
/// as text, so its reproduce path is replayed once more to catch it.
template <class Case>
FuzzResult run_property(const std::string& id, std::string_view sentence, const FuzzSettings& settings,
                        const std::optional<std::string>& replay, rc::Gen<Case> gen,
                        std::function<void(const Case&)> check, std::optional<Case>* shrunk = nullptr) {
  FuzzResult result;
  result.id = id;
  rc::detail::TestMetadata metadata;
  metadata.id = id;
  metadata.description = std::string(sentence);
  rc::detail::TestParams params;
  params.seed = settings.seed;
  params.maxSuccess = settings.cases;
  params.maxSize = 100;
  std::unordered_map<std::string, rc::detail::Reproduce> reproduce;
  if (replay) reproduce = rc::detail::stringToReproduceMap(*replay);

  // After a hang or a lost CUDA context the kernel is not called again in this run (each
  // call would wait out the timeout, or fail at once): every later case is discarded, so
  // shrinking keeps the case it happened on, and RapidCheck's last look at that case shows
  // the message.
  std::optional<std::string> over;
  const auto guarded = [&](const Case& c) {
    if (over) throw rc::detail::CaseResult(rc::detail::CaseResult::Type::Discard, *over);
    try {
      check(c);
    } catch (const KernelCrash& e) {
      result.kernel_died = true;
      result.device_lost = result.device_lost || e.cause == KernelCrash::Cause::device_lost;
      if (e.calls_are_over()) over = e.what();
      throw;
    }
  };
  const auto start = std::chrono::steady_clock::now();
  QuietListener listener;
  const auto outcome =
      rc::detail::checkProperty(rc::detail::toProperty([&] { guarded(*gen); }), metadata, params, listener, reproduce);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  if (outcome.template is<rc::detail::SuccessResult>()) {
    result.passed = true;
    result.cases = outcome.template get<rc::detail::SuccessResult>().numSuccess;
  } else if (outcome.template is<rc::detail::FailureResult>()) {
    const auto& fail = outcome.template get<rc::detail::FailureResult>();
    result.cases = fail.numSuccess;
    result.failure = fail.description;
    for (const auto& shown : fail.counterExample) result.counterexample += shown.second + "\n";
    result.replay_token = rc::detail::reproduceMapToString({{id, fail.reproduce}});
    if (shrunk)
      rc::detail::checkProperty(rc::detail::toProperty([&] {
                                  *shrunk = *gen;
                                  guarded(**shrunk);
                                }),
                                metadata, params, listener, {{id, fail.reproduce}});
  } else if (outcome.template is<rc::detail::GaveUpResult>()) {
    result.failure = "gave up: " + outcome.template get<rc::detail::GaveUpResult>().description;
  } else {
    result.failure = "error: " + outcome.template get<rc::detail::Error>().description;
  }
  return result;
}

/// Fails the case with `message` as the whole description (RC_FAIL would prefix the source
/// location and the macro text, which tell a kernel author nothing).
[[noreturn]] inline void fail(std::string message) {
  throw rc::detail::CaseResult(rc::detail::CaseResult::Type::Failure, std::move(message));
}

}  // namespace ulpcheck::detail
