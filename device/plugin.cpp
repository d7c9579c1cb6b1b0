// Plugin loading (kernel_abi.h): dlopen, a check of every field a plugin declares, and a
// Kernel that hands the plugin DLPack tensors of native-width elements.
#include "ulpcheck/device/plugin.hpp"

#include <dlfcn.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <array>
#include <cmath>
#include <cstring>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <map>
#include <set>

#include "ulpcheck/device/cuda/runtime.hpp"
#include "ulpcheck/device/registry.hpp"
#include "ulpcheck/device/table_kernel.hpp"
#include "ulpcheck/kernel_abi.h"
#include "ulpcheck/reference/registry.hpp"

namespace ulpcheck {

namespace {

static_assert(ULPCHECK_KERNEL_ABI_VERSION == 1, "this loader implements ABI version 1");

constexpr std::uint32_t kKnownDtypes = ULPCHECK_DTYPE_BF16 | ULPCHECK_DTYPE_FP16 | ULPCHECK_DTYPE_FP32;

/// The ABI's dtype bit of a format; the ABI's per-dtype arrays use Format's order.
std::uint32_t dtype_bit(Format f) {
  switch (f) {
    case Format::bf16: return ULPCHECK_DTYPE_BF16;
    case Format::fp16: return ULPCHECK_DTYPE_FP16;
    case Format::fp32: return ULPCHECK_DTYPE_FP32;
  }
  return 0;
}

DLDataType dl_dtype(Format f) {
  DLDataType t{};
  t.code = static_cast<std::uint8_t>(f == Format::bf16 ? kDLBfloat : kDLFloat);
  t.bits = static_cast<std::uint8_t>(info(f).storage_bits);
  t.lanes = 1;
  return t;
}


/// One op of a plugin kernel: a plugin lists a kernel that implements several ops as one
/// descriptor per op under the same name.
struct PluginOp {
  const ElementwiseOp* op;
  std::array<std::optional<Budget>, 3> claims;
  std::int32_t memory;
  ulpcheck_run_fn run;
};

class PluginKernel final : public Kernel {
 public:
  PluginKernel(std::string name, std::string description) : name_(std::move(name)), description_(std::move(description)) {}

  void add(const PluginOp& op) { ops_.push_back(op); }

  std::string_view name() const override { return name_; }
  std::string_view description() const override { return description_; }

  std::optional<Budget> claim(const ElementwiseOp& op, Format f) const override {
    const PluginOp* row = find(op);
    return row ? row->claims[static_cast<int>(f)] : std::nullopt;
  }

  void run(const ElementwiseOp& op, const Params& params, const BitTensor& input, BitTensor& output) const override {
    const Format f = input.format;
    const PluginOp* row = find(op);
    if (!row || !row->claims[static_cast<int>(f)]) throw_not_implemented(name_, op);
    if (output.format != f || output.rows != input.rows || input.cols != op.arity * output.cols)
      throw_shape_mismatch(name_, op, input, output);
    const std::int32_t memory = row->memory;
    const ulpcheck_run_fn run_fn = row->run;

    std::vector<unsigned char> host_in = to_storage_bytes(input);
    // Poisoned: 0xff bytes are a NaN in every dtype, so an element never written shows.
    std::vector<unsigned char> host_out(std::max<std::size_t>(output.bits.size() * element_bytes(f), 1));
    std::memset(host_out.data(), 0xff, host_out.size());
    const std::size_t out_bytes = output.bits.size() * element_bytes(f);

    std::int64_t in_shape[2] = {input.rows, input.cols};
    std::int64_t out_shape[2] = {output.rows, output.cols};
    DLTensor in_t{}, out_t{};
    in_t.ndim = out_t.ndim = 2;
    in_t.dtype = out_t.dtype = dl_dtype(f);
    in_t.shape = in_shape;
    out_t.shape = out_shape;
    in_t.strides = out_t.strides = nullptr;
    in_t.byte_offset = out_t.byte_offset = 0;
    // The v1 ABI's compatibility shim: its parameter struct has one field, made for the clamp
    // op's limit, filled by that name (+inf for ops without it, as v1 plugins expect).
    ulpcheck_op_params p{};
    p.limit = params.has("limit") ? static_cast<float>(params.get("limit")) : HUGE_VALF;
    char error[1024] = {};

    int code = 0;
    if (memory == ULPCHECK_MEMORY_HOST) {
      in_t.device = out_t.device = DLDevice{kDLCPU, 0};
      in_t.data = host_in.data();
      out_t.data = host_out.data();
      code = run_fn(&in_t, &out_t, &p, nullptr, error, sizeof error);
    } else {
      if (!cuda::device_available()) throw KernelError(fmt::format("{}: {}", name_, cuda::device_description()));
      cuda::DeviceBuffer in(host_in.size()), out(host_out.size());
      in.upload(host_in.data(), host_in.size());
      out.poison();
      in_t.device = out_t.device = DLDevice{kDLCUDA, 0};
      in_t.data = in.data();
      out_t.data = out.data();
      code = run_fn(&in_t, &out_t, &p, nullptr, error, sizeof error);
      if (code == 0) {
        cuda::synchronize(name_.c_str());
        out.download(host_out.data(), out_bytes);
      }
    }
    if (code != 0) {
      error[sizeof error - 1] = '\0';  // a plugin that filled the buffer without a NUL
      std::string message = error;
      while (!message.empty() && std::isspace(static_cast<unsigned char>(message.back()))) message.pop_back();
      throw KernelError(fmt::format("{}: run failed (code {}): {}", name_, code,
                                    message.empty() ? "(the plugin gave no message)" : message));
    }
    from_storage_bytes(host_out, output);
  }

 private:
  const PluginOp* find(const ElementwiseOp& op) const {
    for (const PluginOp& row : ops_)
      if (row.op == &op) return &row;
    return nullptr;
  }

  std::string name_;
  std::string description_;
  std::vector<PluginOp> ops_;
};

/// Loaded kernels and libraries live until the process exits (never destroyed, so no
/// static-destruction order with the kernel table to get wrong).
std::deque<PluginKernel>& loaded_kernels() {
  static auto* kernels = new std::deque<PluginKernel>;
  return *kernels;
}
std::mutex& load_mutex() {
  static auto* m = new std::mutex;
  return *m;
}

struct DlCloser {
  void operator()(void* handle) const { dlclose(handle); }
};

std::string dtypes_help() {
  return "ULPCHECK_DTYPE_BF16 (1), ULPCHECK_DTYPE_FP16 (2) and ULPCHECK_DTYPE_FP32 (4)";
}

/// Throws PluginError("<path>: <what>").
struct Fail {
  const std::string& path;
  [[noreturn]] void operator()(const std::string& what) const {
    throw PluginError(fmt::format("{}: {}", path.empty() ? "(empty path)" : path, what));
  }
};

/// Checks one descriptor; returns its claims per format, or throws through `fail`.
std::array<std::optional<Budget>, 3> check_desc(const ulpcheck_kernel_desc& k, std::size_t index,
                                                const std::set<std::pair<std::string, std::string>>& earlier,
                                                const Fail& fail) {
  if (!k.name) fail(fmt::format("kernel #{}: name is NULL", index));
  const std::string name = k.name;
  if (name.empty()) fail(fmt::format("kernel #{}: name is empty", index));
  const std::string where = fmt::format("kernel #{} '{}'", index, name);
  if (!k.op) fail(fmt::format("{}: op is NULL; expected one of {}", where, op_names()));
  if (!find_op(k.op)) fail(fmt::format("{}: unknown op '{}'; expected one of {}", where, k.op, op_names()));
  if (!k.run) fail(fmt::format("{}: run is NULL", where));
  if (k.dtypes == 0) fail(fmt::format("{}: dtypes is 0; declare a bitwise OR of {}", where, dtypes_help()));
  if (k.dtypes & ~kKnownDtypes)
    fail(fmt::format("{}: dtypes 0x{:x} has unknown bits 0x{:x}; the dtype bits are {}", where, k.dtypes,
                     k.dtypes & ~kKnownDtypes, dtypes_help()));
  if (k.memory != ULPCHECK_MEMORY_HOST && k.memory != ULPCHECK_MEMORY_CUDA)
    fail(fmt::format("{}: unknown memory kind {}; expected ULPCHECK_MEMORY_HOST (0) or ULPCHECK_MEMORY_CUDA (1)", where,
                     k.memory));
  if (earlier.contains({name, k.op}))
    fail(fmt::format("{}: the plugin declares this name for op {} twice; a kernel has one descriptor per op", where,
                     k.op));
  if (find_kernel(name))
    fail(fmt::format("{}: a kernel of this name is already registered (built in, or from a plugin loaded before); "
                     "kernel names must be unique",
                     where));

  const ElementwiseOp& op = *find_op(k.op);
  std::array<std::optional<Budget>, 3> claims;
  for (Format f : all_formats()) {
    if (!(k.dtypes & dtype_bit(f))) continue;
    const int i = static_cast<int>(f);
    const double ulp = k.max_ulp[i], floor = k.abs_floor[i];
    if (std::isnan(ulp)) fail(fmt::format("{}: max_ulp[{}] ({}) is NaN", where, i, ulpcheck::name(f)));
    if (std::isnan(floor) || floor < 0)
      fail(fmt::format("{}: abs_floor[{}] ({}) is {}; it must be >= 0", where, i, ulpcheck::name(f), floor));
    claims[i] = ulp < 0 ? op.default_budget_for(f) : Budget{ulp, floor};
  }
  return claims;
}

}  // namespace

std::vector<const Kernel*> load_plugin(const std::string& path) {
  std::lock_guard lock(load_mutex());
  const Fail fail{path};

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
  const auto entry = reinterpret_cast<ulpcheck_plugin_entry_fn>(sym);
  const ulpcheck_plugin* plugin = entry();
  if (!plugin) fail(ULPCHECK_PLUGIN_ENTRY " returned NULL; it must return a pointer to a static ulpcheck_plugin");
  // Only abi_version may be read before it is checked: other versions may lay out the rest
  // differently.
  if (plugin->abi_version != ULPCHECK_KERNEL_ABI_VERSION)
    fail(fmt::format("plugin ABI version mismatch: found {}, expected {}; rebuild the plugin against this ulpcheck's "
                     "include/ulpcheck/kernel_abi.h",
                     plugin->abi_version, ULPCHECK_KERNEL_ABI_VERSION));
  if (plugin->kernel_count == 0) fail("the plugin declares no kernels (kernel_count is 0)");
  if (!plugin->kernels) fail(fmt::format("kernel_count is {} but kernels is NULL", plugin->kernel_count));

  // Check everything before registering anything: a plugin loads whole or not at all.
  std::vector<std::array<std::optional<Budget>, 3>> claims;
  std::set<std::pair<std::string, std::string>> seen;
  for (std::uint32_t i = 0; i < plugin->kernel_count; ++i) {
    claims.push_back(check_desc(plugin->kernels[i], i, seen, fail));
    seen.insert({plugin->kernels[i].name, plugin->kernels[i].op});
  }

  // Descriptors of one name form one kernel, with an op each.
  std::vector<const Kernel*> out;
  std::map<std::string, PluginKernel*> by_name;
  for (std::uint32_t i = 0; i < plugin->kernel_count; ++i) {
    const ulpcheck_kernel_desc& k = plugin->kernels[i];
    PluginKernel*& kernel = by_name[k.name];
    if (!kernel) {
      kernel = &loaded_kernels().emplace_back(k.name, k.description ? k.description : "");
      out.push_back(kernel);
    }
    kernel->add(PluginOp{find_op(k.op), claims[i], k.memory, k.run});
  }
  for (const Kernel* kernel : out) add_kernel(kernel);
  handle.release();  // open for the life of the process: the kernels point into it
  return out;
}

}  // namespace ulpcheck
