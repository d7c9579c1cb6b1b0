// Plugin loading (kernel_abi.h, kernel_abi_v1.h): dlopen, the table of the plugin's ABI
// version, and its kernels made and registered by abi_kernels.hpp. A version 1 table is
// read through a shim that gives each of its descriptors the version 2 form.
#include "ulpcheck/device/plugin.hpp"

#include <dlfcn.h>
#include <fmt/format.h>

#include <cmath>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <cstdio>
#include <span>

#include "ulpcheck/device/abi_kernels.hpp"

// Both versions' tables, in one file: neither header declares the entry point here.
#define ULPCHECK_NO_ENTRY_DECLARATION
#include "ulpcheck/kernel_abi.h"
#include "ulpcheck/kernel_abi_v1.h"

namespace ulpcheck {

namespace {

static_assert(ULPCHECK_KERNEL_ABI_VERSION == 2, "this loader reads ABI versions 1 and 2");

/// Version 1's run function behind version 2's: its parameter struct has one field, made
/// for the clamp op's limit, filled by that name (+inf for ops without it, as version 1
/// plugins expect).
int run_v1(const char*, const ulpcheck_param* params, std::uint32_t count, const DLTensor* input, DLTensor* output,
           void* cuda_stream, void* user_data, char* error, std::size_t error_size) {
  ulpcheck_op_params p{};
  p.limit = HUGE_VALF;
  for (std::uint32_t i = 0; i < count; ++i)
    if (std::string_view(params[i].name) == "limit") p.limit = static_cast<float>(params[i].value);
  return static_cast<const ulpcheck_kernel_desc*>(user_data)->run(input, output, &p, cuda_stream, error, error_size);
}

ulpcheck_elementwise_kernel from_v1(const ulpcheck_kernel_desc& k) {
  ulpcheck_elementwise_kernel out{};
  out.name = k.name;
  out.description = k.description;
  out.op = k.op;
  out.dtypes = k.dtypes;
  out.memory = k.memory;
  for (int i = 0; i < 3; ++i) {
    out.max_ulp[i] = k.max_ulp[i];
    out.abs_floor[i] = k.abs_floor[i];
  }
  out.run = k.run ? run_v1 : nullptr;
  out.user_data = const_cast<ulpcheck_kernel_desc*>(&k);
  return out;
}

/// What a loaded plugin leaves behind, for the life of the process (never destroyed, so no
/// static-destruction order with the kernel table to get wrong).
struct Loaded {
  std::vector<ulpcheck_elementwise_kernel> v1_descriptors;  ///< a version 1 table, as version 2
  AbiKernels kernels;
};
std::deque<Loaded>& loaded() {
  static auto* plugins = new std::deque<Loaded>;
  return *plugins;
}
std::mutex& load_mutex() {
  static auto* m = new std::mutex;
  return *m;
}

struct DlCloser {
  void operator()(void* handle) const { dlclose(handle); }
};

/// Throws PluginError("<path>: <what>").
struct Fail {
  const std::string& path;
  [[noreturn]] void operator()(const std::string& what) const {
    throw PluginError(fmt::format("{}: {}", path.empty() ? "(empty path)" : path, what));
  }
};

/// A child process cannot use the CUDA context of ulpcheck's process, so an isolated
/// kernel must take host memory.
void require_host_memory(const char* name, std::int32_t memory, const Isolation& isolation, const Fail& fail) {
  if (isolation.enabled && memory == ULPCHECK_MEMORY_CUDA)
    fail(fmt::format("kernel '{}' takes CUDA memory, and --isolate runs host-memory kernels only (a child process "
                     "cannot use ulpcheck's CUDA context); run it without --isolate, where a CUDA fault is still "
                     "reported with the kernel named",
                     name ? name : "(null)"));
}

/// The kernels of a version 1 table, checked.
Loaded read_v1(const ulpcheck_plugin& plugin, const Isolation& isolation, const Fail& fail) {
  if (plugin.kernel_count == 0) fail("the plugin declares no kernels (kernel_count is 0)");
  if (!plugin.kernels) fail(fmt::format("kernel_count is {} but kernels is NULL", plugin.kernel_count));
  Loaded out;
  for (std::uint32_t i = 0; i < plugin.kernel_count; ++i) out.v1_descriptors.push_back(from_v1(plugin.kernels[i]));
  out.kernels = make_abi_kernels(out.v1_descriptors, {}, isolation);
  for (const auto& k : out.v1_descriptors) require_host_memory(k.name, k.memory, isolation, fail);
  return out;
}

/// The kernels of a version 2 table, checked.
Loaded read_v2(const ulpcheck_plugin_v2& plugin, const Isolation& isolation, const Fail& fail) {
  if (plugin.elementwise_count == 0 && plugin.routing_count == 0)
    fail("the plugin declares no kernels (elementwise_count and routing_count are 0)");
  if (plugin.elementwise_count && !plugin.elementwise)
    fail(fmt::format("elementwise_count is {} but elementwise is NULL", plugin.elementwise_count));
  if (plugin.routing_count && !plugin.routing)
    fail(fmt::format("routing_count is {} but routing is NULL", plugin.routing_count));
  Loaded out;
  out.kernels = make_abi_kernels({plugin.elementwise, plugin.elementwise_count}, {plugin.routing, plugin.routing_count},
                                 isolation);
  for (std::uint32_t i = 0; i < plugin.elementwise_count; ++i)
    require_host_memory(plugin.elementwise[i].name, plugin.elementwise[i].memory, isolation, fail);
  for (std::uint32_t i = 0; i < plugin.routing_count; ++i)
    require_host_memory(plugin.routing[i].name, plugin.routing[i].memory, isolation, fail);
  return out;
}

/// A plugin opened, its table read and checked, nothing registered yet.
struct Opened {
  std::unique_ptr<void, DlCloser> handle;
  Loaded plugin;
};

Opened open_plugin(const std::string& path, const Isolation& isolation, const Fail& fail) {
  if (path.empty()) fail("no plugin file named");
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (!std::filesystem::exists(status)) fail("cannot load plugin: no such file");
  if (std::filesystem::is_directory(status)) fail("cannot load plugin: a directory, not a shared library");

  // dlopen searches the library path for a name without a '/'; --plugin names a file.
  const std::string open_path = path.find('/') == std::string::npos ? "./" + path : path;
  dlerror();
  std::unique_ptr<void, DlCloser> handle(dlopen(open_path.c_str(), RTLD_NOW | RTLD_LOCAL));
  if (!handle) {
    const char* why = dlerror();
    fail(fmt::format("cannot load plugin: {}", why ? why : "dlopen failed"));
  }
  dlerror();
  void* sym = dlsym(handle.get(), ULPCHECK_PLUGIN_ENTRY);
  if (!sym)
    fail("not an ulpcheck plugin: it exports no symbol " ULPCHECK_PLUGIN_ENTRY
         " (define it with ULPCHECK_PLUGIN_EXPORT from ulpcheck/kernel_abi.h)");
  const void* table = reinterpret_cast<ulpcheck_plugin_entry_fn>(sym)();
  if (!table) fail(ULPCHECK_PLUGIN_ENTRY " returned NULL; it must return a pointer to a static table");
  // Only abi_version may be read before it is known: each version lays out the rest its way.
  const std::uint32_t version = *static_cast<const std::uint32_t*>(table);
  Loaded plugin;
  try {
    if (version == ULPCHECK_KERNEL_ABI_V1)
      plugin = read_v1(*static_cast<const ulpcheck_plugin*>(table), isolation, fail);
    else if (version == ULPCHECK_KERNEL_ABI_VERSION)
      plugin = read_v2(*static_cast<const ulpcheck_plugin_v2*>(table), isolation, fail);
    else
      fail(fmt::format("plugin ABI version {} is unknown: this ulpcheck loads versions 1 and {}; rebuild the plugin "
                       "against its include/ulpcheck/kernel_abi.h",
                       version, ULPCHECK_KERNEL_ABI_VERSION));
  } catch (const DescriptorError& e) {
    fail(e.what());
  }
  return {std::move(handle), std::move(plugin)};
}

/// Opens the plugin in a child process first, so that an entry point or a table that
/// crashes (a data symbol called, a count past the end of its array) or hangs ends only
/// the child. Throws PluginError with what the child found or how it died.
void open_in_child(const std::string& path, const Isolation& isolation, const Fail& fail) {
  struct Verdict {
    char problem[2048];  ///< the PluginError's message; empty when the table is good
  };
  Verdict verdict{};
  try {
    verdict = run_isolated<Verdict>(isolation, path.empty() ? "(empty path)" : path,
                                    "loading (" ULPCHECK_PLUGIN_ENTRY " and its table, in a child process)", [&] {
                                      Verdict out{};
                                      try {
                                        open_plugin(path, isolation, fail);
                                      } catch (const std::exception& e) {
                                        std::snprintf(out.problem, sizeof out.problem, "%s", e.what());
                                      }
                                      return out;
                                    });
  } catch (const KernelError& e) {
    throw PluginError(e.what());
  }
  if (verdict.problem[0]) throw PluginError(verdict.problem);
}

}  // namespace

std::vector<std::string> load_plugin(const std::string& path, const Isolation& isolation) {
  std::lock_guard lock(load_mutex());
  const Fail fail{path};
  if (isolation.enabled) open_in_child(path, isolation, fail);
  Opened opened = open_plugin(path, isolation, fail);
  Loaded& kept = loaded().emplace_back(std::move(opened.plugin));
  register_kernels(kept.kernels);
  opened.handle.release();  // open for the life of the process: the kernels point into it
  return kept.kernels.names();
}

}  // namespace ulpcheck
