// Loading the test plugins (tests/device/plugins/, built into ULPCHECK_TEST_PLUGIN_DIR), for
// the plugin suites of both ABI versions.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "ulpcheck/device/plugin.hpp"

#if !defined(ULPCHECK_TEST_PLUGIN_DIR) || !defined(ULPCHECK_TEST_PLUGIN_SUFFIX)
#error "the build must define ULPCHECK_TEST_PLUGIN_DIR and ULPCHECK_TEST_PLUGIN_SUFFIX"
#endif

namespace ulpcheck::test {

/// The path of the test plugin built as `name`.
inline std::string test_plugin(const std::string& name) {
  return std::string(ULPCHECK_TEST_PLUGIN_DIR) + "/" + name + ULPCHECK_TEST_PLUGIN_SUFFIX;
}

/// Loads a plugin once per process: CTest runs each case in its own process, a plain run of
/// the binary runs them all in one, and a second load of a plugin fails (duplicate names).
inline const std::vector<std::string>& load_once(const std::string& path) {
  static std::map<std::string, std::vector<std::string>> loaded;
  if (auto it = loaded.find(path); it != loaded.end()) return it->second;
  return loaded[path] = load_plugin(path);
}

}  // namespace ulpcheck::test
