#include "ulpcheck/runs/observer.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

namespace ulpcheck {

namespace {

/// Steps shorter than this show no progress: a report of small cases stays quiet.
constexpr double kQuietSeconds = 2.0;

std::string duration_text(double seconds) {
  if (seconds < 60) return fmt::format("{:.0f} s", seconds);
  if (seconds < 3600) {
    const int whole = static_cast<int>(seconds);
    return fmt::format("{} min {:02} s", whole / 60, whole % 60);
  }
  return fmt::format("{:.1f} h", seconds / 3600);
}

std::string count_text(double n) {
  if (n >= 1e9) return fmt::format("{:.2f}G", n / 1e9);
  if (n >= 1e6) return fmt::format("{:.2f}M", n / 1e6);
  if (n >= 1e4) return fmt::format("{:.1f}k", n / 1e3);
  return fmt::format("{:.0f}", n);
}

}  // namespace

Observer& silent_observer() {
  static Observer silent;
  return silent;
}

void TerminalObserver::clear_bar() {
  if (!bar_shown_) return;
  std::fputs("\r\033[K", stderr);
  bar_shown_ = false;
}

void TerminalObserver::note(std::string_view line) {
  std::lock_guard lock(mutex_);
  clear_bar();
  fmt::print(stderr, "{}\n", line);
}

void TerminalObserver::progress(std::string_view label, std::int64_t done, std::int64_t total) {
  std::lock_guard lock(mutex_);
  if (step_ != label) {
    clear_bar();
    step_ = label;
    started_ = Clock::now();
    next_tenth_ = 1;
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - started_).count();
  const bool finished = total <= 0 || done >= total;
  if (finished) {
    clear_bar();
    step_.clear();
    return;
  }
  if (seconds < kQuietSeconds) return;
  const double fraction = static_cast<double>(done) / static_cast<double>(total);
  const double rate = done / seconds;
  const std::string eta = rate > 0 ? duration_text((total - done) / rate) : std::string("?");
  const std::string figures = fmt::format("{:3.0f}% {} of {}, {}/s, {} left", 100 * fraction, count_text(done),
                                          count_text(total), count_text(rate), eta);
  if (::isatty(STDERR_FILENO)) {
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(fraction * kWidth);
    fmt::print(stderr, "\r\033[K  {} [{}{}] {}", label, std::string(filled, '#'), std::string(kWidth - filled, ' '),
               figures);
    bar_shown_ = true;
    return;
  }
  const int tenth = static_cast<int>(fraction * 10);
  if (tenth < next_tenth_) return;
  fmt::print(stderr, "  {}: {}\n", label, figures);
  next_tenth_ = tenth + 1;
}

Progress progress_to(Observer& observer, std::string label) {
  return [&observer, label = std::move(label)](std::int64_t done, std::int64_t total) {
    observer.progress(label, done, total);
  };
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace ulpcheck
