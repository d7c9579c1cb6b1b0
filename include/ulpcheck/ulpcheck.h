/* ulpcheck's C API, version 1: libulpcheck.so.
 *
 * Checks a kernel against ulpcheck's exact oracle from any language that calls C: register
 * the kernel (the descriptors of kernel_abi.h, with a callback of your own), run a check, a
 * fuzz campaign or a golden check on it, and read back whether it passed, why not, and the
 * JSON document of what was measured. The Python package (python/ulpcheck) is written on
 * this API alone, with ctypes.
 *
 * Plain C: opaque handles, no C++ type crosses it, every string is UTF-8 and
 * NUL-terminated. Calls are serialized inside the library (one runs at a time per process);
 * a kernel's callback runs on the calling thread.
 *
 * Versioning: ULPCHECK_API_VERSION changes when a function below changes signature or
 * meaning; ulpcheck_api_version() says which version the loaded library implements, so a
 * client built against another can refuse it.
 *
 * Errors: every function that can fail takes `error` and `error_size` (a buffer for one
 * line; 1024 bytes is plenty) and returns a status:
 *   0  done
 *   1  a kernel could not run (its callback failed, no GPU for a CUDA-memory kernel): the
 *      message names the kernel and its reason;
 *   2  bad input: the message names what is wrong and where ("ops[0]: unknown op 'selu';
 *      expected one of ...").
 */
#ifndef ULPCHECK_H
#define ULPCHECK_H

#include "ulpcheck/kernel_abi.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ULPCHECK_API_VERSION 1

#if defined(_WIN32)
#define ULPCHECK_API __declspec(dllexport)
#else
#define ULPCHECK_API __attribute__((visibility("default")))
#endif

/* The API version this library implements (ULPCHECK_API_VERSION it was built with). */
ULPCHECK_API int ulpcheck_api_version(void);
/* The kernel plugin ABI version it reads (kernel_abi.h), and "ulpcheck <version>". */
ULPCHECK_API int ulpcheck_kernel_abi_version(void);
ULPCHECK_API const char* ulpcheck_version(void);

/* --- Kernels ---------------------------------------------------------------------------- */

/* Registers kernels for this process, checked as a plugin's are (kernel_abi.h): every
 * descriptor, all or nothing. The descriptors, their strings and callbacks must stay valid
 * until the kernels are unregistered. Returns 0, or 2 with the first problem. */
ULPCHECK_API int ulpcheck_register_kernels(const ulpcheck_elementwise_kernel* elementwise, uint32_t elementwise_count,
                                           const ulpcheck_routing_kernel* routing, uint32_t routing_count,
                                           char* error, size_t error_size);
/* Takes out a kernel registered above, by name (every op of it). Returns 0, or 2 when no
 * kernel registered through this API has that name. */
ULPCHECK_API int ulpcheck_unregister_kernel(const char* name, char* error, size_t error_size);
/* Loads a plugin, as --plugin does. Returns 0, or 2 naming what is wrong with it. */
ULPCHECK_API int ulpcheck_load_plugin(const char* path, char* error, size_t error_size);

/* --- Runs ------------------------------------------------------------------------------- */

/* What a run gave. */
typedef struct ulpcheck_result ulpcheck_result;

/* Runs the request, a JSON object (docs/c-api.md lists every key):
 *   {"command": "check", "ops": ["silu_and_mul_clamp"], "dtypes": ["bf16"],
 *    "kernels": ["mine.k"], "params": {"limit": [7.0]}, "samples": 100000, "seed": 1}
 * "check" measures like `ulpcheck report` (the routing op's options under "routing"),
 * "fuzz" runs the properties like `ulpcheck fuzz` ("cases", "seed", "properties",
 * "replay"), "golden_check" runs the golden files like `ulpcheck golden check` ("dir").
 * On 0, *result holds what was measured, to free with ulpcheck_result_free; on 1 or 2,
 * *result is NULL and `error` says why. */
ULPCHECK_API int ulpcheck_run(const char* request_json, ulpcheck_result** result, char* error, size_t error_size);

/* 1 when every case passed (every output within its budget, every property held, every
 * golden case matched), else 0. */
ULPCHECK_API int ulpcheck_result_passed(const ulpcheck_result* result);
/* Why it did not pass, as a person reads it: the first failing case, its figures against
 * the claim, and the worst input (for fuzz, the shrunk counterexample and its replay
 * token). "" when it passed. Valid until the result is freed. */
ULPCHECK_API const char* ulpcheck_result_explanation(const ulpcheck_result* result);
/* The JSON document of the run: for "check" the report document (docs/reports.md, the same
 * bytes `ulpcheck report -o` writes), for "fuzz" and "golden_check" one entry per run. */
ULPCHECK_API const char* ulpcheck_result_json(const ulpcheck_result* result);
/* The Markdown of the run (for "check", the report's). */
ULPCHECK_API const char* ulpcheck_result_markdown(const ulpcheck_result* result);
ULPCHECK_API void ulpcheck_result_free(ulpcheck_result* result);

/* --- Tensors ----------------------------------------------------------------------------- */

/* Copies src into dst, for a callback that computed its output elsewhere (a framework's
 * own tensor): same dtype and shape, any strides, host or CUDA memory on either side (the
 * device is synchronized first). Returns 0, or 2 naming what differs ("shape [4, 8],
 * expected [4, 16]"). */
ULPCHECK_API int ulpcheck_copy_tensor(const DLTensor* src, DLTensor* dst, char* error, size_t error_size);

#ifdef __cplusplus
}
#endif

#endif /* ULPCHECK_H */
