// The same kernels as a plugin, for the ulpcheck command:
//   ulpcheck report --plugin ./libmykernels_ulpcheck.so --op silu_and_mul --dtype bf16 --kernel mykernels.silu_and_mul
#include "check/silu_and_mul_kernels.hpp"

namespace {

constexpr ulpcheck_elementwise_kernel kKernels[] = {mykernels::check::kFp32OneRounding,
                                                    mykernels::check::kBitTrickExp};
constexpr ulpcheck_plugin_v2 kPlugin = {
    .abi_version = ULPCHECK_KERNEL_ABI_VERSION,
    .elementwise_count = 2,
    .elementwise = kKernels,
    .routing_count = 0,
    .routing = nullptr,
};

}  // namespace

ULPCHECK_PLUGIN_EXPORT const ulpcheck_plugin_v2* ulpcheck_plugin_entry(void) { return &kPlugin; }
