// Running the ulpcheck binary from a test: exit code and output. Its path comes from the
// build (ULPCHECK_BINARY), or from the environment variable of the same name where the
// binary has moved (the GPU bundle).
#pragma once

#include <gtest/gtest.h>

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <string>
#include <string_view>

#ifndef ULPCHECK_BINARY
#error "ULPCHECK_BINARY must name the ulpcheck executable"
#endif

namespace ulpcheck::testing {

struct CliRun {
  int exit_code = -1;  ///< WEXITSTATUS, or -1 when the process did not exit normally
  std::string output;
};

enum class Capture { stdout_and_stderr, stdout_only };

inline std::string ulpcheck_binary() {
  const char* env = std::getenv("ULPCHECK_BINARY");
  return env && *env ? env : ULPCHECK_BINARY;
}

/// Runs `command` through the shell: its exit code and standard output.
inline CliRun run_shell(const std::string& command) {
  CliRun r;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) {
    ADD_FAILURE() << "popen failed for: " << command;
    return r;
  }
  std::array<char, 4096> buf;
  std::size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) r.output.append(buf.data(), n);
  const int status = pclose(pipe);
  r.exit_code = status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

/// Runs `ulpcheck <args>` through the shell; `args` must already be shell-safe.
inline CliRun ulpcheck(const std::string& args, Capture capture = Capture::stdout_and_stderr) {
  return run_shell("'" + ulpcheck_binary() + "' " + args +
                   (capture == Capture::stdout_and_stderr ? " 2>&1" : " 2>/dev/null"));
}

/// Runs `ulpcheck <args>` after the shell commands `setup` (a `ulimit`, say), both outputs
/// captured.
inline CliRun ulpcheck_after(const std::string& setup, const std::string& args) {
  return run_shell(setup + "; exec '" + ulpcheck_binary() + "' " + args + " 2>&1");
}

inline bool contains(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

/// Bad usage: exit code 2 and a message that contains every one of `parts` (the flag and
/// the problem).
inline void expect_usage_error(const std::string& args, std::initializer_list<std::string_view> parts) {
  SCOPED_TRACE("ulpcheck " + args);
  const CliRun r = ulpcheck(args);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  for (std::string_view part : parts) EXPECT_TRUE(contains(r.output, part)) << "missing '" << part << "' in:\n" << r.output;
}

}  // namespace ulpcheck::testing
