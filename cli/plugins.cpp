#include "cli/plugins.hpp"

#include "cli/usage_error.hpp"
#include "ulpcheck/device/plugin.hpp"

namespace ulpcheck::cli {

void add_plugin_option(CLI::App* sub, std::vector<std::string>& paths) {
  sub->add_option("--plugin", paths,
                  "shared library of kernels built against ulpcheck/kernel_abi.h (repeatable; see "
                  "docs/writing-a-plugin.md)")
      ->type_name("PATH")
      ->allow_extra_args(false);  // one path per --plugin: --plugin a.so --plugin b.so
}

std::vector<std::string> load_plugins(const std::vector<std::string>& paths) {
  std::vector<std::string> kernels;
  for (const std::string& path : paths) {
    try {
      const std::vector<std::string> loaded = load_plugin(path);
      kernels.insert(kernels.end(), loaded.begin(), loaded.end());
    } catch (const PluginError& e) {
      throw UsageError(std::string("--plugin ") + e.what());
    }
  }
  return kernels;
}

}  // namespace ulpcheck::cli
