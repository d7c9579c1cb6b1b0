// The planted-bug kernels of planted_kernels.cpp as a plugin (include/ulpcheck/kernel_abi.h),
// so that tests can point the ulpcheck command itself at them: `ulpcheck fuzz --plugin
// libulpcheck_planted_plugin.so --kernel planted.gate_up_swapped` must fail.
#include <array>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <utility>
#include <vector>

#include "tests/properties/planted_kernels.hpp"
#include "ulpcheck/kernel_abi.h"
#include "ulpcheck/reference/registry.hpp"

namespace {

using namespace ulpcheck;

constexpr std::size_t kMaxKernels = 16;

Format format_of(const DLDataType& t) {
  if (t.code == kDLBfloat) return Format::bf16;
  return t.bits == 16 ? Format::fp16 : Format::fp32;
}

/// Runs planted kernel I on host DLTensors by way of BitTensors.
template <std::size_t I>
int run_planted(const DLTensor* input, DLTensor* output, const ulpcheck_op_params* params, void*, char* error,
                std::size_t error_size) {
  try {
    const planted::PlantedKernel& pk = planted::all()[I];
    const ElementwiseOp& op = *find_op(pk.op);
    const Format f = format_of(input->dtype);
    const std::size_t bytes = input->dtype.bits / 8;
    BitTensor in = BitTensor::zeros(f, input->shape[0], input->shape[1]);
    BitTensor out = BitTensor::zeros(f, output->shape[0], output->shape[1]);
    for (std::size_t i = 0; i < in.bits.size(); ++i) std::memcpy(&in.bits[i], static_cast<char*>(input->data) + i * bytes, bytes);
    for (std::size_t i = 0; i < out.bits.size(); ++i) std::memcpy(&out.bits[i], static_cast<char*>(output->data) + i * bytes, bytes);
    Params p = op.default_params();
    if (p.has("limit")) p.set("limit", params->limit);
    pk.kernel->run(op, p, in, out);
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
    static const auto runs = run_table(std::make_index_sequence<kMaxKernels>{});
    const auto kernels = planted::all();
    for (std::size_t i = 0; i < kernels.size() && i < kMaxKernels; ++i) {
      const planted::PlantedKernel& pk = kernels[i];
      const ElementwiseOp& op = *find_op(pk.op);
      ulpcheck_kernel_desc d{};
      d.name = pk.kernel->name().data();
      d.description = pk.bug.data();
      d.op = op.name.data();
      d.memory = ULPCHECK_MEMORY_HOST;
      d.run = runs[i];
      for (Format f : all_formats()) {
        const int k = static_cast<int>(f);
        if (const auto b = pk.kernel->claim(op, f)) {
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
