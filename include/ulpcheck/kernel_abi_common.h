/* What every version of the ulpcheck kernel plugin ABI shares: the dtype bits, the memory
 * kinds, the entry point's name and how it is exported. kernel_abi.h (version 2) and
 * kernel_abi_v1.h include it; a plugin includes one of those, not this. */
#ifndef ULPCHECK_KERNEL_ABI_COMMON_H
#define ULPCHECK_KERNEL_ABI_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include <dlpack/dlpack.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The name of the exported entry point, for dlsym. */
#define ULPCHECK_PLUGIN_ENTRY "ulpcheck_plugin_entry"

/* Storage formats a kernel implements: a kernel's dtypes are a bitwise OR of these.
 * Per-dtype arrays (max_ulp, abs_floor) are indexed 0, 1, 2 in this order. */
enum ulpcheck_dtype_bits {
  ULPCHECK_DTYPE_BF16 = 1, /* bfloat16: DLDataType {kDLBfloat, 16, 1}, index 0 */
  ULPCHECK_DTYPE_FP16 = 2, /* IEEE binary16: DLDataType {kDLFloat, 16, 1}, index 1 */
  ULPCHECK_DTYPE_FP32 = 4  /* IEEE binary32: DLDataType {kDLFloat, 32, 1}, index 2 */
};

/* Where a kernel wants its tensors: ulpcheck copies the inputs there and the outputs back. */
enum ulpcheck_memory_kind {
  ULPCHECK_MEMORY_HOST = 0, /* host memory, DLDevice {kDLCPU, 0}; cuda_stream is NULL */
  ULPCHECK_MEMORY_CUDA = 1  /* device memory of the current CUDA device, DLDevice {kDLCUDA, 0} */
};

/* Marks the entry point for export: C linkage and default visibility, so that it is found
 * even when the library is built with -fvisibility=hidden. */
#if defined(_WIN32)
#define ULPCHECK_PLUGIN_VISIBILITY __declspec(dllexport)
#else
#define ULPCHECK_PLUGIN_VISIBILITY __attribute__((visibility("default")))
#endif
#ifdef __cplusplus
#define ULPCHECK_PLUGIN_EXPORT extern "C" ULPCHECK_PLUGIN_VISIBILITY
#else
#define ULPCHECK_PLUGIN_EXPORT ULPCHECK_PLUGIN_VISIBILITY
#endif

/* The entry point of every version returns a table whose first field is a uint32_t
 * abi_version; ulpcheck reads it, and nothing else, before it knows the table's layout. */
typedef const void* (*ulpcheck_plugin_entry_fn)(void);

#ifdef __cplusplus
}
#endif

#endif /* ULPCHECK_KERNEL_ABI_COMMON_H */
