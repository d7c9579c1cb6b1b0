// ulpcheck: exit 0 on pass, 1 on a property or budget violation, 2 on bad usage or input.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <exception>
#include <filesystem>
#include <new>
#include <optional>
#include <string>
#include <vector>

#include "cli/exhaustive.hpp"
#include "cli/fuzz.hpp"
#include "cli/golden.hpp"
#include "cli/list.hpp"
#include "cli/report.hpp"
#include "cli/usage_error.hpp"
#include "ulpcheck/device/kernel.hpp"
#include "ulpcheck/golden/elementwise/golden_file.hpp"
#include "ulpcheck/version.hpp"

namespace {

/// What is wrong when a word where a command belongs names none: "ulpcheck frobnicate" or
/// "ulpcheck golden frobnicate". CLI11's own message then says only that a subcommand is
/// required, or that it did not expect the word, without naming the commands there are.
std::optional<std::string> unknown_command(CLI::App& app, int argc, char** argv) {
  CLI::App* at = &app;
  std::string path = "ulpcheck";
  for (int i = 1; i < argc; ++i) {
    const std::string word = argv[i];
    if (word.starts_with('-')) return {};  // options from here on, CLI11's to judge
    CLI::App* next = nullptr;
    std::string names;
    for (CLI::App* sub : at->get_subcommands([](CLI::App*) { return true; })) {
      if (sub->check_name(word)) next = sub;
      names += (names.empty() ? "" : ", ") + sub->get_name();
    }
    if (names.empty()) return {};  // a command without subcommands: the rest are its arguments
    if (!next)
      return fmt::format("unknown command '{} {}'; expected one of {} (see '{} --help')", path, word, names, path);
    at = next;
    path += " " + word;
  }
  return {};
}

}  // namespace

/// An error line on stderr; a stderr that cannot be written is not an error of its own.
static void say(const std::string& line) { std::fputs(line.c_str(), stderr); }

int main(int argc, char** argv) {
  using namespace ulpcheck::cli;
  CLI::App app{"ulpcheck: how far GPU activation and MoE-routing kernels are from the exact answer"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "ulpcheck " ULPCHECK_VERSION, "print the version and exit");
  int exit_code = kExitPass;
  setup_list(app, exit_code);
  setup_report(app, exit_code);
  setup_fuzz(app, exit_code);
  setup_exhaustive(app, exit_code);
  setup_merge(app, exit_code);
  setup_golden(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    if (const std::optional<std::string> why = unknown_command(app, argc, argv)) {
      say(fmt::format("ulpcheck: error: {}\n", *why));
      return kExitUsage;
    }
    say(fmt::format("ulpcheck: error: {}\nRun 'ulpcheck --help' or 'ulpcheck SUBCOMMAND --help' for the options.\n",
               e.what()));
    return kExitUsage;
  } catch (const UsageError& e) {
    say(fmt::format("ulpcheck: error: {}\n", e.what()));
    return kExitUsage;
  } catch (const ulpcheck::golden::GoldenError& e) {
    // A golden file that cannot be read or written: bad input, with the file and object named.
    say(fmt::format("ulpcheck: error: {}\n", e.what()));
    return kExitUsage;
  } catch (const ulpcheck::KernelError& e) {
    // The kernel could not run at all (no GPU, a plugin's own error): nothing was measured.
    say(fmt::format("ulpcheck: error: kernel did not run: {}\n", e.what()));
    return kExitUsage;
  } catch (const std::filesystem::filesystem_error& e) {
    // A path the user gave that cannot be read or searched (permissions, a symbolic-link
    // loop, a file where a directory should be): bad input, named.
    say(fmt::format("ulpcheck: error: {}: {}\n", e.path1().string(), e.code().message()));
    return kExitUsage;
  } catch (const std::bad_alloc&) {
    // A size the checks before allocating let through (they estimate): still the request's
    // size, not a fault of the tool.
    say("ulpcheck: error: out of memory: the run is too large for this machine or its limits (ulimit -v); "
        "give fewer --samples, tokens or shards' rows\n");
    return kExitUsage;
  } catch (const std::exception& e) {
    say(fmt::format("ulpcheck: internal error: {}\n", e.what()));
    return 3;
  }
  return exit_code;
}
