#include "cli/plugins.hpp"

#include <fmt/format.h>

#include <cmath>

#include "cli/shell_quote.hpp"
#include "cli/usage_error.hpp"
#include "ulpcheck/device/plugin.hpp"

namespace ulpcheck::cli {

std::string PluginOptions::command_line() const {
  std::string out;
  for (const std::string& p : paths) out += " --plugin " + shell_quoted(p);
  if (isolate) out += " --isolate";
  if (isolate && isolate_timeout != PluginOptions{}.isolate_timeout)
    out += fmt::format(" --isolate-timeout {:g}", isolate_timeout);
  return out;
}

void add_plugin_option(CLI::App* sub, PluginOptions& options) {
  sub->add_option("--plugin", options.paths,
                  "shared library of kernels built against ulpcheck/kernel_abi.h (repeatable; see "
                  "docs/writing-a-plugin.md)")
      ->type_name("PATH")
      ->allow_extra_args(false);  // one path per --plugin: --plugin a.so --plugin b.so
  CLI::Option* isolate =
      sub->add_flag("--isolate", options.isolate,
                    "open each plugin, and run each call of its kernels, in a child process: a kernel that crashes, "
                    "aborts, exits or hangs fails with the signal named while the other results stand (exit 2); "
                    "host-memory kernels only");
  sub->add_option("--isolate-timeout", options.isolate_timeout,
                  "with --isolate: seconds one call may take before its process is killed and the kernel fails")
      ->type_name("SECONDS")
      ->capture_default_str()
      ->needs(isolate);
}

std::vector<std::string> load_plugins(const PluginOptions& options) {
  if (!(std::isfinite(options.isolate_timeout) && options.isolate_timeout > 0))
    throw UsageError(fmt::format("--isolate-timeout {}: must be a finite number of seconds above 0",
                                 options.isolate_timeout));
  const Isolation isolation{options.isolate, options.isolate_timeout};
  std::vector<std::string> kernels;
  for (const std::string& path : options.paths) {
    try {
      const std::vector<std::string> loaded = load_plugin(path, isolation);
      kernels.insert(kernels.end(), loaded.begin(), loaded.end());
    } catch (const PluginError& e) {
      throw UsageError(std::string("--plugin ") + e.what());
    }
  }
  return kernels;
}

}  // namespace ulpcheck::cli
