/* A plugin that checks what ulpcheck hands it against kernel_abi.h's promises and reports
 * any difference as an error, so that tests/device/plugin_test.cpp can pin the contract:
 * DLTensor fields, dtype codes, the gate-then-up layout, the poisoned output, params.limit,
 * and how failures come back. */
#include <stdio.h>
#include <string.h>

#include "ulpcheck/kernel_abi_v1.h"

/* Returns 0 when input and output are what the ABI promises for a kernel of `memory`
 * memory and op arity `arity`; otherwise writes why into error and returns 10. */
static int check_contract(const DLTensor* in, const DLTensor* out, const ulpcheck_op_params* params,
                          void* cuda_stream, int arity, int memory, char* error, size_t error_size) {
  const int device = memory == ULPCHECK_MEMORY_CUDA ? kDLCUDA : kDLCPU;
  const char* problem = NULL;
  if (error_size < 256) problem = "error_size < 256";
  else if (!params) problem = "params is NULL";
  else if (in->ndim != 2 || out->ndim != 2) problem = "ndim is not 2";
  else if (in->strides || out->strides) problem = "strides are not NULL";
  else if (in->byte_offset || out->byte_offset) problem = "byte_offset is not 0";
  else if (!in->data || !out->data) problem = "data is NULL";
  else if (in->device.device_type != device || out->device.device_type != device) problem = "wrong device type";
  else if (in->device.device_id != 0 || out->device.device_id != 0) problem = "device_id is not 0";
  else if (memory == ULPCHECK_MEMORY_HOST && cuda_stream) problem = "cuda_stream is not NULL for a host kernel";
  else if (in->dtype.code != out->dtype.code || in->dtype.bits != out->dtype.bits) problem = "dtypes differ";
  else if (in->dtype.lanes != 1 || out->dtype.lanes != 1) problem = "lanes is not 1";
  else if (!(in->dtype.code == kDLBfloat && in->dtype.bits == 16) && !(in->dtype.code == kDLFloat && in->dtype.bits == 16) &&
           !(in->dtype.code == kDLFloat && in->dtype.bits == 32))
    problem = "dtype is none of bf16, fp16, fp32";
  else if (in->shape[0] != out->shape[0] || in->shape[1] != arity * out->shape[1])
    problem = "shapes are not [t, arity * d] and [t, d]";
  if (problem) {
    snprintf(error, error_size, "probe: %s", problem);
    return 10;
  }
  return 0;
}

static size_t elements(const DLTensor* t) { return (size_t)(t->shape[0] * t->shape[1]); }

/* Poisoned output: every byte 0xff. */
static int poisoned(const DLTensor* out) {
  const unsigned char* p = (const unsigned char*)out->data;
  size_t i, n = elements(out) * (out->dtype.bits / 8);
  for (i = 0; i < n; ++i)
    if (p[i] != 0xff) return 0;
  return 1;
}

/* silu_and_mul_clamp, every dtype: checks the contract, then copies each up value to the
 * output, which shows the element width and the [gate | up] row layout. */
static int run_contract(const DLTensor* in, DLTensor* out, const ulpcheck_op_params* params, void* cuda_stream,
                        char* error, size_t error_size) {
  const int64_t tokens = out->shape[0], d = out->shape[1];
  const size_t width = out->dtype.bits / 8;
  int64_t t;
  int rc = check_contract(in, out, params, cuda_stream, 2, ULPCHECK_MEMORY_HOST, error, error_size);
  if (rc) return rc;
  if (!poisoned(out)) {
    snprintf(error, error_size, "probe: the output was not poisoned with 0xff bytes");
    return 11;
  }
  for (t = 0; t < tokens; ++t)
    memcpy((char*)out->data + (size_t)(t * d) * width, (const char*)in->data + (size_t)(t * 2 * d + d) * width,
           (size_t)d * width);
  return 0;
}

/* fp32: writes params->limit into every output element. */
static int run_limit(const DLTensor* in, DLTensor* out, const ulpcheck_op_params* params, void* cuda_stream,
                     char* error, size_t error_size) {
  size_t i;
  (void)in, (void)cuda_stream, (void)error, (void)error_size;
  for (i = 0; i < elements(out); ++i) ((float*)out->data)[i] = params->limit;
  return 0;
}

/* Writes nothing: the poison must come back. */
static int run_nothing(const DLTensor* in, DLTensor* out, const ulpcheck_op_params* params, void* cuda_stream,
                       char* error, size_t error_size) {
  (void)in, (void)out, (void)params, (void)cuda_stream, (void)error, (void)error_size;
  return 0;
}

/* A CUDA-memory kernel: checks the contract (device pointers), writes nothing. */
static int run_cuda(const DLTensor* in, DLTensor* out, const ulpcheck_op_params* params, void* cuda_stream,
                    char* error, size_t error_size) {
  return check_contract(in, out, params, cuda_stream, 1, ULPCHECK_MEMORY_CUDA, error, error_size);
}

/* Fills the whole error buffer without a terminating NUL. */
static int run_unterminated(const DLTensor* in, DLTensor* out, const ulpcheck_op_params* params, void* cuda_stream,
                            char* error, size_t error_size) {
  (void)in, (void)out, (void)params, (void)cuda_stream;
  memset(error, 'x', error_size);
  return 5;
}

/* Fails without a message. */
static int run_silent(const DLTensor* in, DLTensor* out, const ulpcheck_op_params* params, void* cuda_stream,
                      char* error, size_t error_size) {
  (void)in, (void)out, (void)params, (void)cuda_stream, (void)error, (void)error_size;
  return -7;
}

#define ALL (ULPCHECK_DTYPE_BF16 | ULPCHECK_DTYPE_FP16 | ULPCHECK_DTYPE_FP32)
#define DEFAULT_BUDGET {-1.0, -1.0, -1.0}, {0.0, 0.0, 0.0}

static const ulpcheck_kernel_desc kKernels[] = {
    {"probe.contract", "checks the ABI contract", "silu_and_mul_clamp", ALL, ULPCHECK_MEMORY_HOST, DEFAULT_BUDGET,
     run_contract},
    {"probe.limit_clamp", "writes params.limit", "silu_and_mul_clamp", ULPCHECK_DTYPE_FP32, ULPCHECK_MEMORY_HOST,
     DEFAULT_BUDGET, run_limit},
    {"probe.limit_silu", "writes params.limit", "silu", ULPCHECK_DTYPE_FP32, ULPCHECK_MEMORY_HOST, DEFAULT_BUDGET,
     run_limit},
    {"probe.writes_nothing", NULL, "silu", ALL, ULPCHECK_MEMORY_HOST, {2.0, 3.0, 4.0}, {0.0, 0x1p-24, 0.5},
     run_nothing},
    {"probe.cuda", "device memory", "silu", ULPCHECK_DTYPE_BF16, ULPCHECK_MEMORY_CUDA, DEFAULT_BUDGET, run_cuda},
    {"probe.unterminated", "error without NUL", "silu", ULPCHECK_DTYPE_BF16, ULPCHECK_MEMORY_HOST, DEFAULT_BUDGET,
     run_unterminated},
    {"probe.silent", "error without message", "silu", ULPCHECK_DTYPE_BF16, ULPCHECK_MEMORY_HOST, DEFAULT_BUDGET,
     run_silent},
};

static const ulpcheck_plugin kPlugin = {ULPCHECK_KERNEL_ABI_VERSION, sizeof kKernels / sizeof kKernels[0], kKernels};

ULPCHECK_PLUGIN_EXPORT const ulpcheck_plugin* ulpcheck_plugin_entry(void) { return &kPlugin; }
