// Elementwise kernels of kernel_abi.h: one Kernel per name, with an entry per op its
// descriptors declare.
#include <cmath>
#include <map>
#include <set>

#include "device/abi/abi_support.hpp"
#include "device/abi/descriptors.hpp"
#include "ulpcheck/device/table_kernel.hpp"
#include "ulpcheck/reference/registry.hpp"

namespace ulpcheck::abi {

namespace {

/// One op of an ABI kernel.
struct AbiOp {
  const ElementwiseOp* op;
  std::array<std::optional<Budget>, 3> claims;
  std::vector<ulpcheck_param_range> ranges;
  const ulpcheck_elementwise_kernel* desc;
};

class AbiElementwiseKernel final : public Kernel {
 public:
  AbiElementwiseKernel(std::string name, std::string description, const Isolation& isolation)
      : name_(std::move(name)), description_(std::move(description)), isolation_(isolation) {}

  void add(AbiOp op) { ops_.push_back(std::move(op)); }

  std::string_view name() const override { return name_; }
  std::string_view description() const override { return description_; }

  std::optional<Budget> claim(const ElementwiseOp& op, Format f) const override {
    const AbiOp* row = find(op);
    return row ? row->claims[static_cast<int>(f)] : std::nullopt;
  }

  std::string unsupported_params(const ElementwiseOp& op, Format, const Params& params) const override {
    const AbiOp* row = find(op);
    if (!row) return {};
    for (const ulpcheck_param_range& r : row->ranges) {
      if (!params.has(r.name)) continue;
      const double v = params.get(r.name);
      if (!(v >= r.lowest && v <= r.highest))
        return fmt::format("{} takes {} in [{:g}, {:g}] only, not {:g}", name_, r.name, r.lowest, r.highest, v);
    }
    return {};
  }

  DeviceRun device_run(const ElementwiseOp& op, Format f, const Params& params) const override {
    const AbiOp* row = find(op);
    if (!row || !row->claims[static_cast<int>(f)] || row->desc->memory != ULPCHECK_MEMORY_CUDA) return {};
    return [this, &op, f, values = param_values(op, params), &k = *row->desc](const DeviceCall& c) {
      const Tensor in_t(const_cast<void*>(c.input), dl_dtype(f), {c.rows, op.arity * c.d}, k.memory);
      Tensor out_t(c.output, dl_dtype(f), {c.rows, c.d}, k.memory);
      char error[1024] = {};
      const int code = k.run(op.name.data(), values.data(), static_cast<std::uint32_t>(values.size()), &in_t.t,
                             &out_t.t, nullptr, k.user_data, error, sizeof error);
      if (code != 0) throw_run_failed(name_, code, error, sizeof error);
    };
  }

  void run(const ElementwiseOp& op, const Params& params, const BitTensor& input, BitTensor& output) const override {
    const Format f = input.format;
    const AbiOp* row = find(op);
    if (!row || !row->claims[static_cast<int>(f)]) throw_not_implemented(name_, op);
    if (output.format != f || output.rows != input.rows || input.cols != op.arity * output.cols)
      throw_shape_mismatch(name_, op, input, output);
    const ulpcheck_elementwise_kernel& k = *row->desc;
    require_memory(name_, k.memory);

    const std::vector<ulpcheck_param> values = param_values(op, params);
    const std::string call =
        fmt::format("its run of {} in {} on [{} x {}]", op.name, ulpcheck::name(f), input.rows, input.cols);
    const cuda::CallScope scope(name_, call);
    Staging in(k.memory, to_storage_bytes(input));
    Staging out(k.memory, output.bits.size() * element_bytes(f), isolation_);
    const Tensor in_t(in.data(), dl_dtype(f), {input.rows, input.cols}, k.memory);
    Tensor out_t(out.data(), dl_dtype(f), {output.rows, output.cols}, k.memory);
    RunOutcome outcome = call_run(isolation_, name_, call, [&](char* error, std::size_t size) {
      return k.run(op.name.data(), values.data(), static_cast<std::uint32_t>(values.size()), &in_t.t, &out_t.t,
                   nullptr, k.user_data, error, size);
    });
    check_outcome(name_, outcome);
    finish(name_, k.memory);
    from_storage_bytes(out.fetch(), output);
  }

 private:
  /// Every parameter the op declares, in its order, by name.
  static std::vector<ulpcheck_param> param_values(const ElementwiseOp& op, const Params& params) {
    std::vector<ulpcheck_param> values;
    for (const ParamSpec& spec : op.params) values.push_back({spec.name.data(), params.get(spec.name)});
    return values;
  }

  const AbiOp* find(const ElementwiseOp& op) const {
    for (const AbiOp& row : ops_)
      if (row.op == &op) return &row;
    return nullptr;
  }

  std::string name_;
  std::string description_;
  Isolation isolation_;
  std::vector<AbiOp> ops_;
};

/// Checks one descriptor; returns its op, or throws DescriptorError.
AbiOp check_elementwise(const ulpcheck_elementwise_kernel& k, const std::string& where) {
  if (!k.op) fail(where, fmt::format("op is NULL; expected one of {}", op_names()));
  const ElementwiseOp* op = find_op(k.op);
  if (!op) fail(where, fmt::format("unknown op '{}'; expected one of {}", k.op, op_names()));
  if (!k.run) fail(where, "run is NULL");
  if (std::string why = check_dtypes("dtypes", k.dtypes); !why.empty()) fail(where, why);
  if (std::string why = check_memory(k.memory); !why.empty()) fail(where, why);

  AbiOp out{op, {}, {}, &k};
  for (Format f : all_formats()) {
    if (!(k.dtypes & dtype_bit(f))) continue;
    const int i = static_cast<int>(f);
    const double ulp = k.max_ulp[i], floor = k.abs_floor[i];
    if (std::isnan(ulp)) fail(where, fmt::format("max_ulp[{}] ({}) is NaN", i, name(f)));
    if (std::isnan(floor) || floor < 0)
      fail(where, fmt::format("abs_floor[{}] ({}) is {}; it must be >= 0", i, name(f), floor));
    out.claims[i] = ulp < 0 ? op->default_budget_for(f) : Budget{ulp, floor};
  }

  if (k.param_range_count > 0 && !k.param_ranges)
    fail(where, fmt::format("param_range_count is {} but param_ranges is NULL", k.param_range_count));
  std::set<std::string> seen;
  for (std::uint32_t i = 0; i < k.param_range_count; ++i) {
    const ulpcheck_param_range& r = k.param_ranges[i];
    const std::string at = fmt::format("param_ranges[{}]", i);
    if (!r.name) fail(where, at + ": name is NULL");
    bool known = false;
    std::string names;
    for (const ParamSpec& spec : op->params) {
      known = known || spec.name == r.name;
      names += (names.empty() ? "" : ", ") + std::string(spec.name);
    }
    if (!known)
      fail(where, fmt::format("{}: {} takes no parameter '{}'{}", at, op->name, r.name,
                              names.empty() ? "" : "; its parameters: " + names));
    if (!seen.insert(r.name).second) fail(where, fmt::format("{}: a second range for '{}'", at, r.name));
    if (std::isnan(r.lowest) || std::isnan(r.highest) || r.lowest > r.highest)
      fail(where, fmt::format("{}: [{}, {}] is not a range (lowest <= highest, neither NaN)", at, r.lowest, r.highest));
    out.ranges.push_back(r);
  }
  return out;
}

}  // namespace

void add_elementwise_kernels(std::span<const ulpcheck_elementwise_kernel> descs, const Isolation& isolation,
                             AbiKernels& out) {
  std::set<std::pair<std::string, std::string>> ops_seen;
  std::map<std::string, AbiElementwiseKernel*> by_name;
  for (std::size_t i = 0; i < descs.size(); ++i) {
    const ulpcheck_elementwise_kernel& k = descs[i];
    const std::string where = check_name("elementwise kernel", i, k.name, by_name.contains(k.name ? k.name : ""));
    AbiOp op = check_elementwise(k, where);
    if (!ops_seen.insert({k.name, k.op}).second)
      fail(where, fmt::format("this name is declared for op {} twice; a kernel has one descriptor per op", k.op));
    AbiElementwiseKernel*& kernel = by_name[k.name];
    if (!kernel) {
      auto made = std::make_unique<AbiElementwiseKernel>(k.name, k.description ? k.description : "", isolation);
      kernel = made.get();
      out.elementwise.push_back(std::move(made));
    }
    kernel->add(std::move(op));
  }
}

}  // namespace ulpcheck::abi
