// Bad input from the command line or a file: the command prints the message and exits 2.
#pragma once

#include <stdexcept>

namespace ulpcheck::cli {

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Exit codes of every command.
inline constexpr int kExitPass = 0;
inline constexpr int kExitViolation = 1;
inline constexpr int kExitUsage = 2;

}  // namespace ulpcheck::cli
