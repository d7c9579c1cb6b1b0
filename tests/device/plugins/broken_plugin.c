/* Deliberately broken plugins, one per check of the loader: tests/CMakeLists.txt builds this
 * file once per defect with -DBROKEN_<defect>, and tests/device/plugin_test.cpp expects each
 * load to fail with its own message. Without a defect macro it is a valid plugin. */
#include <math.h>
#include <stddef.h>

#include "ulpcheck/kernel_abi_v1.h"

static int run_nothing(const DLTensor* input, DLTensor* output, const ulpcheck_op_params* params, void* cuda_stream,
                       char* error, size_t error_size) {
  (void)input, (void)output, (void)params, (void)cuda_stream, (void)error, (void)error_size;
  return 0;
}

#define KERNEL(name, op, dtypes, memory, ulp, floor, run) \
  { name, "a broken-plugin test kernel", op, dtypes, memory, {ulp, ulp, ulp}, {floor, floor, floor}, run }
#define GOOD(name) KERNEL(name, "silu_and_mul", ULPCHECK_DTYPE_BF16, ULPCHECK_MEMORY_HOST, 1.0, 0.0, run_nothing)

static const ulpcheck_kernel_desc kKernels[] = {
#if defined(BROKEN_null_name)
    KERNEL(NULL, "silu_and_mul", ULPCHECK_DTYPE_BF16, ULPCHECK_MEMORY_HOST, 1.0, 0.0, run_nothing),
#elif defined(BROKEN_empty_name)
    KERNEL("", "silu_and_mul", ULPCHECK_DTYPE_BF16, ULPCHECK_MEMORY_HOST, 1.0, 0.0, run_nothing),
#elif defined(BROKEN_null_op)
    KERNEL("broken.null_op", NULL, ULPCHECK_DTYPE_BF16, ULPCHECK_MEMORY_HOST, 1.0, 0.0, run_nothing),
#elif defined(BROKEN_unknown_op)
    KERNEL("broken.unknown_op", "relu_squared", ULPCHECK_DTYPE_BF16, ULPCHECK_MEMORY_HOST, 1.0, 0.0, run_nothing),
#elif defined(BROKEN_null_run)
    KERNEL("broken.null_run", "silu_and_mul", ULPCHECK_DTYPE_BF16, ULPCHECK_MEMORY_HOST, 1.0, 0.0, NULL),
#elif defined(BROKEN_zero_dtypes)
    KERNEL("broken.zero_dtypes", "silu_and_mul", 0, ULPCHECK_MEMORY_HOST, 1.0, 0.0, run_nothing),
#elif defined(BROKEN_unknown_dtype_bits)
    KERNEL("broken.unknown_dtype_bits", "silu_and_mul", ULPCHECK_DTYPE_BF16 | 8, ULPCHECK_MEMORY_HOST, 1.0, 0.0,
           run_nothing),
#elif defined(BROKEN_unknown_memory)
    KERNEL("broken.unknown_memory", "silu_and_mul", ULPCHECK_DTYPE_BF16, 2, 1.0, 0.0, run_nothing),
#elif defined(BROKEN_negative_floor)
    KERNEL("broken.negative_floor", "silu_and_mul", ULPCHECK_DTYPE_BF16, ULPCHECK_MEMORY_HOST, 1.0, -1.0,
           run_nothing),
#elif defined(BROKEN_nan_ulp)
    KERNEL("broken.nan_ulp", "silu_and_mul", ULPCHECK_DTYPE_BF16, ULPCHECK_MEMORY_HOST, NAN, 0.0, run_nothing),
#elif defined(BROKEN_duplicate_builtin)
    GOOD("host.single_rounding"),
#elif defined(BROKEN_duplicate_within)
    GOOD("broken.twice"),
    GOOD("broken.twice"),
#elif defined(BROKEN_second_bad)
    GOOD("broken.first_ok"),
    KERNEL("broken.second_bad", "relu_squared", ULPCHECK_DTYPE_BF16, ULPCHECK_MEMORY_HOST, 1.0, 0.0, run_nothing),
#else
    GOOD("broken.fine"), /* the defect, if any, is in the plugin table or the entry point */
#endif
};

/* Not static, so that no defect leaves it unused; hidden visibility keeps it unexported. */
const ulpcheck_plugin kPlugin = {
#if defined(BROKEN_wrong_abi)
    99, /* no such version */
#else
    ULPCHECK_KERNEL_ABI_VERSION,
#endif
#if defined(BROKEN_no_kernels)
    0,
#else
    (uint32_t)(sizeof kKernels / sizeof kKernels[0]),
#endif
#if defined(BROKEN_null_kernels)
    NULL,
#else
    kKernels,
#endif
};

#if defined(BROKEN_no_entry)
/* A misspelt entry point: there is no ulpcheck_plugin_entry to find. */
ULPCHECK_PLUGIN_EXPORT const ulpcheck_plugin* ulpcheck_plugin_entrypoint(void) { return &kPlugin; }
#elif defined(BROKEN_null_entry)
ULPCHECK_PLUGIN_EXPORT const ulpcheck_plugin* ulpcheck_plugin_entry(void) { return NULL; }
#else
ULPCHECK_PLUGIN_EXPORT const ulpcheck_plugin* ulpcheck_plugin_entry(void) { return &kPlugin; }
#endif
