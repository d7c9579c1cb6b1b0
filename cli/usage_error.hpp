// Bad input from the command line or a file: the command prints the message and exits 2.
#pragma once

#include "ulpcheck/runs/request_error.hpp"

namespace ulpcheck::cli {

/// The library's RequestError, raised by the commands' own checks too.
using UsageError = RequestError;

/// Exit codes of every command.
inline constexpr int kExitPass = 0;
inline constexpr int kExitViolation = 1;
inline constexpr int kExitUsage = 2;

}  // namespace ulpcheck::cli
