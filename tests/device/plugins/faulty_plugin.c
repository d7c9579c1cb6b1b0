/* A version 2 plugin whose kernels fail the way no check of a table can prevent: each
 * host-memory silu_and_mul kernel crashes, aborts, exits, hangs or throws away its process in
 * its own way, and a routing kernel crashes in claim_for. tests/device/isolation_test.cpp
 * runs them under --isolate, where each must end as that kernel's failure with the signal
 * named while ulpcheck goes on. faulty.copies_up, the one kernel that runs, stands for
 * the good kernels beside them.
 *
 * Built with -DFAULTY_data_entry, the entry point is a data symbol instead (calling it
 * faults); with -DFAULTY_count_past_end, the table declares far more kernels than its array
 * holds; with -DFAULTY_hang_in_entry, the entry point never returns; with
 * -DFAULTY_cuda_memory, faulty.copies_up takes CUDA memory (which --isolate refuses). */
#include <stdlib.h>

#if defined(FAULTY_data_entry)
#define ULPCHECK_NO_ENTRY_DECLARATION
#define TABLE /* exported nowhere (hidden), but not static: nothing here refers to it */
#else
#define TABLE static
#endif
#include "ulpcheck/kernel_abi.h"

/* The CUDA-memory build's kernels take names of their own, so that it loads beside the
 * others in one process. */
#if defined(FAULTY_cuda_memory)
#define NAME(n) "faulty_cuda." n
#else
#define NAME(n) "faulty." n
#endif

#if defined(FAULTY_data_entry)
/* What a mistyped declaration exports: the loader calls it as a function. */
ULPCHECK_PLUGIN_EXPORT const unsigned char ulpcheck_plugin_entry[64] = {0};
#endif

static int segv(const char* op, const ulpcheck_param* params, uint32_t count, const DLTensor* in, DLTensor* out,
                void* stream, void* user_data, char* error, size_t error_size) {
  (void)op, (void)params, (void)count, (void)in, (void)out, (void)stream, (void)error, (void)error_size;
  *(volatile int*)user_data = 1; /* user_data is NULL */
  return 0;
}

static int aborts(const char* op, const ulpcheck_param* params, uint32_t count, const DLTensor* in, DLTensor* out,
                  void* stream, void* user_data, char* error, size_t error_size) {
  (void)op, (void)params, (void)count, (void)in, (void)out, (void)stream, (void)user_data, (void)error, (void)error_size;
  abort();
}

static int exits(const char* op, const ulpcheck_param* params, uint32_t count, const DLTensor* in, DLTensor* out,
                 void* stream, void* user_data, char* error, size_t error_size) {
  (void)op, (void)params, (void)count, (void)in, (void)out, (void)stream, (void)user_data, (void)error, (void)error_size;
  exit(3);
}

static int hangs(const char* op, const ulpcheck_param* params, uint32_t count, const DLTensor* in, DLTensor* out,
                 void* stream, void* user_data, char* error, size_t error_size) {
  volatile int spin = 1;
  (void)op, (void)params, (void)count, (void)in, (void)out, (void)stream, (void)user_data, (void)error, (void)error_size;
  while (spin) {
  }
  return 0;
}

/* Crashes on inputs of more than 4 rows only: fuzzing shrinks the crash to 5 rows. */
static int segv_on_long_inputs(const char* op, const ulpcheck_param* params, uint32_t count, const DLTensor* in,
                               DLTensor* out, void* stream, void* user_data, char* error, size_t error_size) {
  int64_t i, n = out->shape[0] * out->shape[1];
  (void)op, (void)params, (void)count, (void)stream, (void)error, (void)error_size;
  if (in->shape[0] > 4) *(volatile int*)user_data = 1;
  for (i = 0; i < n; ++i) ((float*)out->data)[i] = 0.0f;
  return 0;
}

/* Writes each row's up values: wrong as silu_and_mul, but it runs, and what it writes must
 * come back from its child process. */
static int copies_up(const char* op, const ulpcheck_param* params, uint32_t count, const DLTensor* in, DLTensor* out,
                     void* stream, void* user_data, char* error, size_t error_size) {
  int64_t r, c, rows = out->shape[0], d = out->shape[1];
  (void)op, (void)params, (void)count, (void)stream, (void)user_data, (void)error, (void)error_size;
  for (r = 0; r < rows; ++r)
    for (c = 0; c < d; ++c) ((float*)out->data)[r * d + c] = ((const float*)in->data)[r * 2 * d + d + c];
  return 0;
}

static int routing_run(const ulpcheck_routing_config* config, const DLTensor* logits, const DLTensor* bias,
                       DLTensor* ids, DLTensor* weights, void* stream, void* user_data, char* error,
                       size_t error_size) {
  (void)config, (void)logits, (void)bias, (void)ids, (void)weights, (void)stream, (void)user_data, (void)error,
      (void)error_size;
  return 0;
}

static int claim_segv(const ulpcheck_routing_config* config, uint32_t logits, uint32_t bias,
                      ulpcheck_routing_claim* claim, void* user_data) {
  (void)config, (void)logits, (void)bias, (void)claim;
  *(volatile int*)user_data = 1;
  return 1;
}

#define FP32_HOST(name, run) \
  {name, NULL, "silu_and_mul", ULPCHECK_DTYPE_FP32, ULPCHECK_MEMORY_HOST, {-1, -1, -1}, {0, 0, 0}, 0, NULL, run, NULL}

static const ulpcheck_elementwise_kernel kElementwise[] = {
    FP32_HOST(NAME("segv"), segv),
    FP32_HOST(NAME("abort"), aborts),
    FP32_HOST(NAME("exit"), exits),
    FP32_HOST(NAME("hang"), hangs),
    FP32_HOST(NAME("segv_on_long_inputs"), segv_on_long_inputs),
#if defined(FAULTY_cuda_memory)
    {NAME("copies_up"), NULL, "silu_and_mul", ULPCHECK_DTYPE_FP32, ULPCHECK_MEMORY_CUDA, {-1, -1, -1}, {0, 0, 0}, 0,
     NULL, copies_up, NULL},
#else
    FP32_HOST(NAME("copies_up"), copies_up),
#endif
};

static const ulpcheck_routing_kernel kRouting[] = {
    {NAME("claim_segv"), NULL, ULPCHECK_DTYPE_FP32, ULPCHECK_DTYPE_FP32, ULPCHECK_MEMORY_HOST,
     {0, 0.0, -1.0, 0.0, -1.0, 0, 0}, claim_segv, routing_run, NULL},
};

TABLE const ulpcheck_plugin_v2 kPlugin = {
    ULPCHECK_KERNEL_ABI_VERSION,
#if defined(FAULTY_count_past_end)
    1u << 24, /* the array holds 6 */
#else
    sizeof kElementwise / sizeof kElementwise[0],
#endif
    kElementwise, 1, kRouting};

#if !defined(FAULTY_data_entry)
ULPCHECK_PLUGIN_EXPORT const ulpcheck_plugin_v2* ulpcheck_plugin_entry(void) {
#if defined(FAULTY_hang_in_entry)
  volatile int spin = 1;
  while (spin) {
  }
#endif
  return &kPlugin;
}
#endif
