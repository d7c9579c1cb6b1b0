/* ulpcheck kernel plugin ABI, version 1: frozen.
 *
 * ulpcheck still loads plugins built against this version, unchanged; new plugins use
 * version 2 (kernel_abi.h), which adds routing kernels, parameters by name and the op a
 * run is for. A version 1 source builds against this header by including it instead of
 * kernel_abi.h; nothing else changes. docs/writing-a-plugin.md describes both.
 */
#ifndef ULPCHECK_KERNEL_ABI_V1_H
#define ULPCHECK_KERNEL_ABI_V1_H

#include "ulpcheck/kernel_abi_common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ULPCHECK_KERNEL_ABI_V1 1
/* A version 1 source puts ULPCHECK_KERNEL_ABI_VERSION in abi_version. */
#ifndef ULPCHECK_KERNEL_ABI_VERSION
#define ULPCHECK_KERNEL_ABI_VERSION ULPCHECK_KERNEL_ABI_V1
#endif

/* The op's parameters, already validated by ulpcheck. */
typedef struct ulpcheck_op_params {
  /* The clamp limit L of silu_and_mul_clamp, as the fp32 value the oracle uses exactly;
   * +inf when the op has no limit (or no clamp was asked for). Never NaN or negative. */
  float limit;
} ulpcheck_op_params;

/* Runs the kernel's op once, synchronously from ulpcheck's point of view.
 *
 * input:  2-D [tokens, arity * d]: the op's inputs row by row; for a gated op (arity 2)
 *         each row is the d gate values followed by the d up values.
 * output: 2-D [tokens, d]; every element must be written (ulpcheck fills it with 0xff
 *         bytes, a NaN in every dtype, before the call, so a missed element shows).
 * Both:   dtype {kDLBfloat, 16, 1} (bf16), {kDLFloat, 16, 1} (fp16) or {kDLFloat, 32, 1}
 *         (fp32), the same for input and output and always one the kernel declared;
 *         contiguous row-major (strides == NULL, byte_offset == 0); shape points to two
 *         int64_t; device kDLCPU or kDLCUDA according to the kernel's memory kind. Values
 *         are arbitrary bit patterns: NaN, infinities and subnormals included.
 * params: the op's parameters (see ulpcheck_op_params).
 * cuda_stream: for ULPCHECK_MEMORY_CUDA, the cudaStream_t to launch on (NULL, the legacy
 *         default stream, in this version); ulpcheck synchronizes the device after the
 *         call returns and reports an asynchronous failure itself. NULL for host kernels.
 * error, error_size: a buffer for a message on failure (error_size >= 256).
 *
 * Returns 0 on success. On failure returns nonzero (any value: ulpcheck prints it as
 * "code N") and writes a NUL-terminated one-line message into `error`, e.g. with
 * snprintf(error, error_size, ...). Must not throw (C++) or exit. Called from one thread
 * at a time, possibly several times per process. */
typedef int (*ulpcheck_run_fn)(const DLTensor* input, DLTensor* output, const ulpcheck_op_params* params,
                               void* cuda_stream, char* error, size_t error_size);

/* One kernel: one op in one or more dtypes. All pointers must stay valid while the library
 * is loaded (string literals and static tables are right). */
typedef struct ulpcheck_kernel_desc {
  /* Kernel name, by convention "<team>.<variant>" (e.g. "mine.silu_family"); it is what
   * --kernel takes. Must not be NULL or empty, nor clash with a kernel already registered
   * (built-in or from an earlier plugin). A kernel that implements several ops (say
   * silu_and_mul and silu_and_mul_clamp, so that ulpcheck can check that limit = inf equals
   * the unclamped op) lists one descriptor per op under the same name; a name may not
   * repeat with the same op. */
  const char* name;
  /* One line for 'ulpcheck list': what arithmetic it does. NULL is taken as "". */
  const char* description;
  /* The op it implements, by its ulpcheck name: "silu", "silu_and_mul",
   * "silu_and_mul_clamp" ('ulpcheck list' shows them). */
  const char* op;
  /* Bitwise OR of ulpcheck_dtype_bits: the dtypes implemented; not 0, no other bits. */
  uint32_t dtypes;
  /* An ulpcheck_memory_kind. */
  int32_t memory;
  /* The claimed error budget per dtype, in the order bf16, fp16, fp32 (entries of dtypes
   * not declared are ignored). An output y with exact value r passes when
   * |y - r| <= max(max_ulp * ulp(r), abs_floor * s), s = |up| for gated ops, 1 otherwise.
   * max_ulp < 0 means "the op's default budget" (its abs_floor is then used too and this
   * abs_floor ignored). abs_floor must be >= 0; neither may be NaN. */
  double max_ulp[3];
  double abs_floor[3];
  /* The kernel itself; not NULL. */
  ulpcheck_run_fn run;
} ulpcheck_kernel_desc;

/* What the entry point returns. */
typedef struct ulpcheck_plugin {
  uint32_t abi_version;               /* ULPCHECK_KERNEL_ABI_VERSION (1); always the first field */
  uint32_t kernel_count;              /* entries in `kernels`, at least 1 */
  const ulpcheck_kernel_desc* kernels; /* kernel_count descriptors */
} ulpcheck_plugin;

#ifndef ULPCHECK_NO_ENTRY_DECLARATION
/* The one symbol a plugin exports, defined as
 *   ULPCHECK_PLUGIN_EXPORT const ulpcheck_plugin* ulpcheck_plugin_entry(void) { ... }
 * It returns a pointer to a static table (never NULL); ulpcheck calls it once per load,
 * and keeps the library loaded until the process exits. */
ULPCHECK_PLUGIN_VISIBILITY const ulpcheck_plugin* ulpcheck_plugin_entry(void);
#endif

#ifdef __cplusplus
}
#endif

#endif /* ULPCHECK_KERNEL_ABI_V1_H */
