/* ulpcheck kernel plugin ABI, version 2.
 *
 * A plugin is a shared library that exports one function, ulpcheck_plugin_entry, which
 * returns a table of kernels. `ulpcheck ... --plugin ./libmine.so` loads it, checks the
 * table, and measures its kernels like the built-in ones: elementwise kernels (the SiLU and
 * GELU ops) and routing kernels (biased grouped top-k). The library needs nothing from
 * ulpcheck at link time: this header and <dlpack/dlpack.h> are all it includes. Plain C
 * (C99 and later) and C++ both compile it. docs/writing-a-plugin.md is the guide.
 *
 * The same descriptors register a kernel in-process through the C API (ulpcheck.h), which
 * is how the Python package hands ulpcheck a torch op.
 *
 * Versioning: ULPCHECK_KERNEL_ABI_VERSION changes whenever a struct below changes layout
 * or a rule changes meaning. ulpcheck reads abi_version, the first field of the table in
 * every version, and then the table of that version: plugins built against version 1
 * (kernel_abi_v1.h) still load, unchanged; other versions are refused. Tensors are
 * DLPack's DLTensor, whose layout is the same in DLPack 0.6 to 1.x.
 */
#ifndef ULPCHECK_KERNEL_ABI_H
#define ULPCHECK_KERNEL_ABI_H

#include "ulpcheck/kernel_abi_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The version this header describes; a plugin puts it in ulpcheck_plugin_v2.abi_version. */
#define ULPCHECK_KERNEL_ABI_VERSION 2

/* One parameter of an op, by the name 'ulpcheck list' shows (silu_and_mul_clamp: "limit").
 * Values are the exact values the oracle uses (the clamp limit is an fp32 value, or +inf
 * for no clamp). */
typedef struct ulpcheck_param {
  const char* name;
  double value;
} ulpcheck_param;

/* The values of one parameter a kernel takes: lowest <= value <= highest (either may be
 * infinite). A parameter the kernel lists no range for: it takes every value the op
 * allows. ulpcheck never runs a kernel on a value outside its range; reports say that case
 * was not measured, and fuzzing draws only values inside it. */
typedef struct ulpcheck_param_range {
  const char* name;
  double lowest;
  double highest;
} ulpcheck_param_range;

/* Error reporting, for every run function below: a buffer for a message on failure
 * (error_size >= 256). A run function returns 0 on success; on failure it returns nonzero
 * (ulpcheck prints it as "code N") and writes a NUL-terminated one-line message into
 * `error`. It must not throw (C++) or exit. It is called from one thread at a time,
 * possibly many times per process. cuda_stream: for ULPCHECK_MEMORY_CUDA kernels, the
 * cudaStream_t to launch on (NULL, the legacy default stream, in this version); ulpcheck
 * synchronizes the device after the call and reports an asynchronous failure itself. NULL
 * for host kernels. user_data: the descriptor's user_data, as given. */

/* --- Elementwise kernels ----------------------------------------------------------------- */

/* Runs `op` once.
 * op:     the op's ulpcheck name, one the kernel declared (a kernel may implement several).
 * params: the op's parameters, every one the op declares, in the op's order (silu_and_mul_clamp:
 *         "limit"); param_count of them (0 for ops without parameters).
 * input:  2-D [tokens, arity * d]: the op's inputs row by row; for a gated op (arity 2)
 *         each row is the d gate values followed by the d up values.
 * output: 2-D [tokens, d]; every element must be written (ulpcheck fills it with 0xff
 *         bytes, a NaN in every dtype, before the call, so a missed element shows).
 * Both:   dtype {kDLBfloat, 16, 1} (bf16), {kDLFloat, 16, 1} (fp16) or {kDLFloat, 32, 1}
 *         (fp32), the same for input and output and always one the kernel declared;
 *         contiguous row-major (strides == NULL, byte_offset == 0); device kDLCPU or kDLCUDA
 *         according to the kernel's memory kind. Values are arbitrary bit patterns: NaN,
 *         infinities and subnormals included. */
typedef int (*ulpcheck_elementwise_run_fn)(const char* op, const ulpcheck_param* params, uint32_t param_count,
                                           const DLTensor* input, DLTensor* output, void* cuda_stream,
                                           void* user_data, char* error, size_t error_size);

/* One elementwise kernel's one op. A kernel that implements several ops (say silu_and_mul
 * and silu_and_mul_clamp, so that ulpcheck can check that limit = inf equals the unclamped
 * op) lists one descriptor per op under the same name; a name may not repeat with the same
 * op. All pointers must stay valid while the kernel is registered (string literals and
 * static tables are right). */
typedef struct ulpcheck_elementwise_kernel {
  /* By convention "<team>.<variant>" (e.g. "mine.silu_family"); it is what --kernel takes.
   * Not NULL or empty, and not the name of a kernel already registered. */
  const char* name;
  /* One line for 'ulpcheck list': what arithmetic it does. NULL is taken as "". */
  const char* description;
  /* The op, by its ulpcheck name ('ulpcheck list' shows them). */
  const char* op;
  /* Bitwise OR of ulpcheck_dtype_bits: the dtypes implemented; not 0, no other bits. */
  uint32_t dtypes;
  /* An ulpcheck_memory_kind. */
  int32_t memory;
  /* The claimed error budget per dtype, in the order bf16, fp16, fp32 (entries of dtypes
   * not declared are ignored). An output y with exact value r passes when
   * |y - r| <= max(max_ulp * ulp(r), abs_floor * s), s = |up| for gated ops, 1 otherwise.
   * max_ulp < 0 means "the op's default budget" (its abs_floor is then used too and this
   * abs_floor ignored; docs/ops.md lists the defaults). abs_floor >= 0; neither NaN. */
  double max_ulp[3];
  double abs_floor[3];
  /* The parameter values the kernel takes, one range per parameter it restricts (names the
   * op declares, each at most once); NULL when param_range_count is 0. */
  uint32_t param_range_count;
  const ulpcheck_param_range* param_ranges;
  /* The kernel itself; not NULL. */
  ulpcheck_elementwise_run_fn run;
  void* user_data;
} ulpcheck_elementwise_kernel;

/* --- Routing kernels (op "biased_grouped_topk") ------------------------------------------- */

enum ulpcheck_scoring { ULPCHECK_SCORING_SIGMOID = 0, ULPCHECK_SCORING_SOFTMAX = 1 };

/* DeepSeek-V3's grouped top-k, as docs/routing.md defines it: scores s = sigmoid(logit)
 * (or softmax over the experts), biased scores s + bias choose; the experts fall in n_group
 * groups, a group scores the sum of its two best biased scores, the topk_group best groups
 * are kept, and the topk best experts among them are picked; their weights are their
 * scores s, divided by the sum over the picked (renormalize), times routed_scaling_factor. */
typedef struct ulpcheck_routing_config {
  int32_t experts;
  int32_t n_group;
  int32_t topk_group;
  int32_t topk;
  int32_t scoring;     /* an ulpcheck_scoring */
  int32_t renormalize; /* 0 or 1 */
  float routed_scaling_factor;
} ulpcheck_routing_config;

/* What a routing kernel declares about its arithmetic and its output, so that the checks
 * tell a legitimate near-tie flip from a routing error. */
typedef struct ulpcheck_routing_claim {
  /* The format scores, biased scores and group sums are computed and kept in:
   * ULPCHECK_DTYPE_FP32, or 0 for the logits' own dtype. A flip at a boundary whose exact
   * margin lies within what this arithmetic resolves is a near-tie, not an error. */
  uint32_t arithmetic;
  /* A bound on each score's absolute error beyond the arithmetic's rounding (a sigmoid
   * through tanh is off by up to 2^-22); widens the tie band the same way. >= 0. */
  double score_abs_error;
  /* Each fp32 weight w with exact value r passes when
   * |w - r| <= max(weight_max_ulp ulp(r), weight_abs_floor * routed_scaling_factor).
   * weight_max_ulp < 0: the default budget (16 ULP, floor 0). */
  double weight_max_ulp;
  double weight_abs_floor;
  /* Weights whose exact score, or whose token's picked scores summed, is below this are not
   * held to the weight budget (counted apart). < 0: the default, 2^-120. */
  double min_score_sum;
  /* 1 when renormalising without an epsilon gives NaN weights where every picked score is
   * 0 in the kernel's arithmetic: the checks then expect NaN there. */
  int32_t nan_weights_when_scores_vanish;
  /* 1 when ids come out best first (decreasing biased score); 0: only the set counts. */
  int32_t sorted;
} ulpcheck_routing_claim;

/* The kernel's claim for one configuration with logits and bias of these dtypes (one
 * ulpcheck_dtype_bits each, among those it declared): `claim` arrives holding the
 * descriptor's claim, to change where the configuration asks for it (a weight budget that
 * grows with topk, say). Returns 0 when the kernel does not take the configuration,
 * nonzero when it does, with the claim as it leaves it. */
typedef int (*ulpcheck_routing_claim_fn)(const ulpcheck_routing_config* config, uint32_t logits_dtype,
                                         uint32_t bias_dtype, ulpcheck_routing_claim* claim, void* user_data);

/* Routes one batch.
 * logits:  2-D [tokens, experts], a dtype the kernel declared in logits_dtypes.
 * bias:    1-D [experts], a dtype declared in bias_dtypes.
 * ids:     2-D [tokens, topk] int32 ({kDLInt, 32, 1}); weights: 2-D [tokens, topk] fp32.
 *          Every element must be written (poisoned with 0xff bytes before the call).
 * All contiguous row-major, on the kernel's memory kind, as for elementwise kernels. */
typedef int (*ulpcheck_routing_run_fn)(const ulpcheck_routing_config* config, const DLTensor* logits,
                                       const DLTensor* bias, DLTensor* ids, DLTensor* weights, void* cuda_stream,
                                       void* user_data, char* error, size_t error_size);

/* One routing kernel. The name rules are those of elementwise kernels (the two share one
 * namespace). */
typedef struct ulpcheck_routing_kernel {
  const char* name;
  const char* description;
  uint32_t logits_dtypes; /* bitwise OR of ulpcheck_dtype_bits, not 0 */
  uint32_t bias_dtypes;   /* likewise */
  int32_t memory;         /* an ulpcheck_memory_kind */
  ulpcheck_routing_claim claim;
  /* NULL: the kernel takes every valid configuration, with `claim`. */
  ulpcheck_routing_claim_fn claim_for;
  ulpcheck_routing_run_fn run; /* not NULL */
  void* user_data;
} ulpcheck_routing_kernel;

/* --- The plugin table ---------------------------------------------------------------------- */

typedef struct ulpcheck_plugin_v2 {
  uint32_t abi_version; /* ULPCHECK_KERNEL_ABI_VERSION (2); always the first field */
  uint32_t elementwise_count;
  const ulpcheck_elementwise_kernel* elementwise; /* NULL when elementwise_count is 0 */
  uint32_t routing_count;
  const ulpcheck_routing_kernel* routing; /* NULL when routing_count is 0 */
} ulpcheck_plugin_v2;

#ifndef ULPCHECK_NO_ENTRY_DECLARATION
/* The one symbol a plugin exports, defined as
 *   ULPCHECK_PLUGIN_EXPORT const ulpcheck_plugin_v2* ulpcheck_plugin_entry(void) { ... }
 * It returns a pointer to a static table (never NULL) holding at least one kernel; ulpcheck
 * calls it once per load and keeps the library loaded until the process exits. */
ULPCHECK_PLUGIN_VISIBILITY const ulpcheck_plugin_v2* ulpcheck_plugin_entry(void);
#endif

#ifdef __cplusplus
}
#endif

#endif /* ULPCHECK_KERNEL_ABI_H */
