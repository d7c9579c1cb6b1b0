// Kernels from shared libraries built against include/ulpcheck/kernel_abi.h: any team can
// measure its own kernel without rebuilding ulpcheck (docs/writing-a-plugin.md).
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "ulpcheck/device/isolation.hpp"

namespace ulpcheck {

/// A plugin could not be loaded: the message starts with the plugin's path, then says what
/// is wrong and how to fix it.
struct PluginError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Loads the plugin at `path` (dlopen, RTLD_NOW | RTLD_LOCAL), reads its table in its ABI
/// version (1 or 2), checks every kernel descriptor, and registers its kernels, elementwise
/// and routing, in table order. All or nothing: on any problem nothing is registered and
/// PluginError is thrown. The library stays loaded, and the kernels alive, for the life of
/// the process. A path without a '/' names a file in the working directory (not one on the
/// library search path). Returns the names of the kernels it registered.
///
/// With `isolation` on, the plugin is first opened and its table read in a child process
/// (a crash or hang there is a PluginError naming the signal), and every call of its
/// kernels' functions runs in a child of its own (isolation.hpp); a kernel that takes CUDA
/// memory is then refused.
std::vector<std::string> load_plugin(const std::string& path, const Isolation& isolation = {});

}  // namespace ulpcheck
