// The planted-bug kernels of planted_kernels.cpp as a plugin (include/ulpcheck/kernel_abi.h),
// so that tests can point the ulpcheck command itself at them: `ulpcheck fuzz --plugin
// libulpcheck_planted_plugin.so --kernel planted.gate_up_swapped` must fail.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <utility>
#include <vector>

#include "tests/properties/planted_kernels.hpp"
#include "ulpcheck/kernel_abi_v1.h"
#include "ulpcheck/reference/registry.hpp"

namespace {

using namespace ulpcheck;

constexpr std::size_t kMaxEntries = 32;

Format format_of(const DLDataType& t) {
  if (t.code == kDLBfloat) return Format::bf16;
  return t.bits == 16 ? Format::fp16 : Format::fp32;
}

/// Every (planted kernel, op it implements): one descriptor each.
struct Entry {
  const Kernel* kernel;
  const ElementwiseOp* op;
};
const std::vector<Entry>& entries() {
  static const std::vector<Entry> all = [] {
    std::vector<const Kernel*> kernels;
    for (auto list : {planted::all(), planted::layout_bugs()})
      for (const planted::PlantedKernel& pk : list)
        if (std::find(kernels.begin(), kernels.end(), pk.kernel) == kernels.end()) kernels.push_back(pk.kernel);
    std::vector<Entry> e;
    for (const Kernel* kernel : kernels)
      for (const ElementwiseOp* op : all_ops())
        if (kernel->supports(*op, Format::bf16) || kernel->supports(*op, Format::fp16) ||
            kernel->supports(*op, Format::fp32))
          e.push_back({kernel, op});
    return e;
  }();
  return all;
}

/// Runs entry I on host DLTensors by way of BitTensors.
template <std::size_t I>
int run_planted(const DLTensor* input, DLTensor* output, const ulpcheck_op_params* params, void*, char* error,
                std::size_t error_size) {
  try {
    const Entry& entry = entries()[I];
    const ElementwiseOp& op = *entry.op;
    const Format f = format_of(input->dtype);
    const std::size_t bytes = input->dtype.bits / 8;
    BitTensor in = BitTensor::zeros(f, input->shape[0], input->shape[1]);
    BitTensor out = BitTensor::zeros(f, output->shape[0], output->shape[1]);
    for (std::size_t i = 0; i < in.bits.size(); ++i) std::memcpy(&in.bits[i], static_cast<char*>(input->data) + i * bytes, bytes);
    for (std::size_t i = 0; i < out.bits.size(); ++i) std::memcpy(&out.bits[i], static_cast<char*>(output->data) + i * bytes, bytes);
    Params p = op.default_params();
    if (p.has("limit")) p.set("limit", params->limit);
    entry.kernel->run(op, p, in, out);
    for (std::size_t i = 0; i < out.bits.size(); ++i) std::memcpy(static_cast<char*>(output->data) + i * bytes, &out.bits[i], bytes);
    return 0;
  } catch (const std::exception& e) {
    std::snprintf(error, error_size, "%s", e.what());
    return 1;
  }
}

template <std::size_t... I>
constexpr std::array<ulpcheck_run_fn, sizeof...(I)> run_table(std::index_sequence<I...>) {
  return {&run_planted<I>...};
}

}  // namespace

ULPCHECK_PLUGIN_EXPORT const ulpcheck_plugin* ulpcheck_plugin_entry(void) {
  static std::vector<ulpcheck_kernel_desc> descs;
  static ulpcheck_plugin plugin{};
  if (descs.empty()) {
    static const auto runs = run_table(std::make_index_sequence<kMaxEntries>{});
    for (std::size_t i = 0; i < entries().size() && i < kMaxEntries; ++i) {
      const Kernel* kernel = entries()[i].kernel;
      const ElementwiseOp& op = *entries()[i].op;
      ulpcheck_kernel_desc d{};
      d.name = kernel->name().data();
      d.description = "planted bug";
      d.op = op.name.data();
      d.memory = ULPCHECK_MEMORY_HOST;
      d.run = runs[i];
      for (Format f : all_formats()) {
        const int k = static_cast<int>(f);
        if (const auto b = kernel->claim(op, f)) {
          d.dtypes |= 1u << k;
          d.max_ulp[k] = b->max_ulp;
          d.abs_floor[k] = b->abs_floor;
        }
      }
      descs.push_back(d);
    }
    plugin = {ULPCHECK_KERNEL_ABI_VERSION, static_cast<std::uint32_t>(descs.size()), descs.data()};
  }
  return &plugin;
}
