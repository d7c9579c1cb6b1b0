// What a run says while it works: lines worth a reader's eye, and how far each long step
// (the oracle over a million inputs, a kernel's measurement) has come. The command shows
// them on stderr (TerminalObserver); a test or a library user passes its own, or none.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

#include "ulpcheck/properties/measure.hpp"

namespace ulpcheck {

class Observer {
 public:
  virtual ~Observer() = default;
  /// A line about the run: "report [1/3] bf16 silu: oracle on ...", "  oracle: 1.20 s".
  virtual void note(std::string_view line) { (void)line; }
  /// `done` of `total` units of the step `label` are finished; called from one thread at a
  /// time, ending with done == total.
  virtual void progress(std::string_view label, std::int64_t done, std::int64_t total) {
    (void)label, (void)done, (void)total;
  }
};

/// An observer that says nothing.
Observer& silent_observer();

/// Notes on stderr, one per line, and for a step that has run for more than two seconds a
/// progress bar with its rate and the time left: redrawn in place on a terminal, a line at
/// each tenth elsewhere (a CI log). Short steps show no progress at all.
class TerminalObserver : public Observer {
 public:
  void note(std::string_view line) override;
  void progress(std::string_view label, std::int64_t done, std::int64_t total) override;

 private:
  using Clock = std::chrono::steady_clock;
  void clear_bar();
  std::mutex mutex_;
  std::string step_;  ///< the step in progress; empty between steps
  Clock::time_point started_{};
  int next_tenth_ = 1;
  bool bar_shown_ = false;
};

/// Seconds since `start`, for the lines a run notes ("oracle: 1.20 s").
double seconds_since(std::chrono::steady_clock::time_point start);

/// The properties stage's progress callback for one step, reporting to `observer`.
Progress progress_to(Observer& observer, std::string label);

}  // namespace ulpcheck
