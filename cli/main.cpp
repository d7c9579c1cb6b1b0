// ulpcheck: exit 0 on pass, 1 on a property or budget violation, 2 on bad usage or input.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <exception>

#include "cli/fuzz.hpp"
#include "cli/golden.hpp"
#include "cli/list.hpp"
#include "cli/report.hpp"
#include "cli/usage_error.hpp"
#include "ulpcheck/device/kernel.hpp"
#include "ulpcheck/golden/golden_file.hpp"

int main(int argc, char** argv) {
  using namespace ulpcheck::cli;
  CLI::App app{"ulpcheck: how far GPU activation and MoE-routing kernels are from the exact answer"};
  app.require_subcommand(1);
  int exit_code = kExitPass;
  setup_list(app, exit_code);
  setup_report(app, exit_code);
  setup_fuzz(app, exit_code);
  setup_golden(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    fmt::print(stderr, "ulpcheck: error: {}\nRun 'ulpcheck --help' or 'ulpcheck SUBCOMMAND --help' for the options.\n",
               e.what());
    return kExitUsage;
  } catch (const UsageError& e) {
    fmt::print(stderr, "ulpcheck: error: {}\n", e.what());
    return kExitUsage;
  } catch (const ulpcheck::golden::GoldenError& e) {
    // A golden file that cannot be read or written: bad input, with the file and object named.
    fmt::print(stderr, "ulpcheck: error: {}\n", e.what());
    return kExitUsage;
  } catch (const ulpcheck::KernelError& e) {
    // The kernel could not run at all (no GPU, a plugin's own error): nothing was measured.
    fmt::print(stderr, "ulpcheck: error: kernel did not run: {}\n", e.what());
    return kExitUsage;
  } catch (const std::exception& e) {
    fmt::print(stderr, "ulpcheck: internal error: {}\n", e.what());
    return 3;
  }
  return exit_code;
}
