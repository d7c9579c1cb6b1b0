"""ctypes bindings of libulpcheck.so (include/ulpcheck/ulpcheck.h and kernel_abi.h).

Pure Python: one copy works on any CPython 3.9+; the library it loads is the only native
part. Structures mirror the C headers field for field.
"""

import ctypes
import os
import pathlib

API_VERSION = 1  # ULPCHECK_API_VERSION this module is written against
KERNEL_ABI_VERSION = 2

DTYPE_BITS = {"bf16": 1, "fp16": 2, "fp32": 4}
DTYPE_INDEX = {"bf16": 0, "fp16": 1, "fp32": 2}
MEMORY = {"cpu": 0, "cuda": 1}

# DLPack (dlpack.h): device types and type codes.
KDL_CPU, KDL_CUDA = 1, 2
KDL_INT, KDL_UINT, KDL_FLOAT, KDL_BFLOAT = 0, 1, 2, 4


class DLDevice(ctypes.Structure):
    _fields_ = [("device_type", ctypes.c_int), ("device_id", ctypes.c_int32)]


class DLDataType(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint8), ("bits", ctypes.c_uint8), ("lanes", ctypes.c_uint16)]


class DLTensor(ctypes.Structure):
    _fields_ = [
        ("data", ctypes.c_void_p),
        ("device", DLDevice),
        ("ndim", ctypes.c_int32),
        ("dtype", DLDataType),
        ("shape", ctypes.POINTER(ctypes.c_int64)),
        ("strides", ctypes.POINTER(ctypes.c_int64)),
        ("byte_offset", ctypes.c_uint64),
    ]


class DLManagedTensor(ctypes.Structure):
    pass


DLManagedTensor._fields_ = [
    ("dl_tensor", DLTensor),
    ("manager_ctx", ctypes.c_void_p),
    ("deleter", ctypes.CFUNCTYPE(None, ctypes.POINTER(DLManagedTensor))),
]


class Param(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("value", ctypes.c_double)]


class ParamRange(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("lowest", ctypes.c_double), ("highest", ctypes.c_double)]


ELEMENTWISE_RUN = ctypes.CFUNCTYPE(
    ctypes.c_int,
    ctypes.c_char_p,  # op
    ctypes.POINTER(Param),
    ctypes.c_uint32,
    ctypes.POINTER(DLTensor),  # input
    ctypes.POINTER(DLTensor),  # output
    ctypes.c_void_p,  # cuda_stream
    ctypes.c_void_p,  # user_data
    ctypes.POINTER(ctypes.c_char),  # error
    ctypes.c_size_t,
)


class ElementwiseKernel(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("description", ctypes.c_char_p),
        ("op", ctypes.c_char_p),
        ("dtypes", ctypes.c_uint32),
        ("memory", ctypes.c_int32),
        ("max_ulp", ctypes.c_double * 3),
        ("abs_floor", ctypes.c_double * 3),
        ("param_range_count", ctypes.c_uint32),
        ("param_ranges", ctypes.POINTER(ParamRange)),
        ("run", ELEMENTWISE_RUN),
        ("user_data", ctypes.c_void_p),
    ]


class RoutingConfig(ctypes.Structure):
    _fields_ = [
        ("experts", ctypes.c_int32),
        ("n_group", ctypes.c_int32),
        ("topk_group", ctypes.c_int32),
        ("topk", ctypes.c_int32),
        ("scoring", ctypes.c_int32),
        ("renormalize", ctypes.c_int32),
        ("routed_scaling_factor", ctypes.c_float),
    ]


class RoutingClaim(ctypes.Structure):
    _fields_ = [
        ("arithmetic", ctypes.c_uint32),
        ("score_abs_error", ctypes.c_double),
        ("weight_max_ulp", ctypes.c_double),
        ("weight_abs_floor", ctypes.c_double),
        ("min_score_sum", ctypes.c_double),
        ("nan_weights_when_scores_vanish", ctypes.c_int32),
        ("sorted", ctypes.c_int32),
    ]


ROUTING_CLAIM_FOR = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(RoutingConfig), ctypes.c_uint32, ctypes.c_uint32, ctypes.POINTER(RoutingClaim),
    ctypes.c_void_p)

ROUTING_RUN = ctypes.CFUNCTYPE(
    ctypes.c_int,
    ctypes.POINTER(RoutingConfig),
    ctypes.POINTER(DLTensor),  # logits
    ctypes.POINTER(DLTensor),  # bias
    ctypes.POINTER(DLTensor),  # ids
    ctypes.POINTER(DLTensor),  # weights
    ctypes.c_void_p,
    ctypes.c_void_p,
    ctypes.POINTER(ctypes.c_char),
    ctypes.c_size_t,
)


class RoutingKernel(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("description", ctypes.c_char_p),
        ("logits_dtypes", ctypes.c_uint32),
        ("bias_dtypes", ctypes.c_uint32),
        ("memory", ctypes.c_int32),
        ("claim", RoutingClaim),
        ("claim_for", ROUTING_CLAIM_FOR),
        ("run", ROUTING_RUN),
        ("user_data", ctypes.c_void_p),
    ]


def _candidates():
    """Where libulpcheck.so may be, in the order tried."""
    here = pathlib.Path(__file__).resolve().parent
    if os.environ.get("ULPCHECK_LIBRARY"):
        yield pathlib.Path(os.environ["ULPCHECK_LIBRARY"])
    # Installed: <prefix>/lib/python3/dist-packages/ulpcheck beside <prefix>/lib/libulpcheck.so.
    lib = here.parent.parent.parent
    yield lib / "libulpcheck.so"
    yield from sorted(lib.glob("*-linux-gnu/libulpcheck.so"))
    # The source tree: python/ulpcheck beside build/capi.
    yield here.parent.parent / "build" / "capi" / "libulpcheck.so"


_library = None


def library():
    """The loaded C library (loaded on first use)."""
    global _library
    if _library is not None:
        return _library
    tried = []
    for path in _candidates():
        tried.append(str(path))
        if path.is_file():
            lib = ctypes.CDLL(str(path))
            _declare(lib)
            if lib.ulpcheck_api_version() != API_VERSION:
                raise ImportError(
                    f"{path}: C API version {lib.ulpcheck_api_version()}, but this package speaks version "
                    f"{API_VERSION}; install the package and the library of one ulpcheck")
            _library = lib
            return lib
    raise ImportError("libulpcheck.so not found; build it (scripts/build.sh) or set ULPCHECK_LIBRARY to its path. "
                      "Tried: " + ", ".join(tried))


def _declare(lib):
    c = ctypes
    lib.ulpcheck_api_version.restype = c.c_int
    lib.ulpcheck_kernel_abi_version.restype = c.c_int
    lib.ulpcheck_version.restype = c.c_char_p
    lib.ulpcheck_register_kernels.argtypes = [c.POINTER(ElementwiseKernel), c.c_uint32, c.POINTER(RoutingKernel),
                                              c.c_uint32, c.c_char_p, c.c_size_t]
    lib.ulpcheck_unregister_kernel.argtypes = [c.c_char_p, c.c_char_p, c.c_size_t]
    lib.ulpcheck_load_plugin.argtypes = [c.c_char_p, c.c_char_p, c.c_size_t]
    lib.ulpcheck_run.argtypes = [c.c_char_p, c.POINTER(c.c_void_p), c.c_char_p, c.c_size_t]
    for name in ("explanation", "json", "markdown"):
        f = getattr(lib, f"ulpcheck_result_{name}")
        f.argtypes, f.restype = [c.c_void_p], c.c_char_p
    lib.ulpcheck_result_passed.argtypes = [c.c_void_p]
    lib.ulpcheck_result_free.argtypes = [c.c_void_p]
    lib.ulpcheck_copy_tensor.argtypes = [c.POINTER(DLTensor), c.POINTER(DLTensor), c.c_char_p, c.c_size_t]
    for f in (lib.ulpcheck_register_kernels, lib.ulpcheck_unregister_kernel, lib.ulpcheck_load_plugin, lib.ulpcheck_run,
              lib.ulpcheck_result_passed, lib.ulpcheck_copy_tensor):
        f.restype = c.c_int


class UlpcheckError(Exception):
    """A request ulpcheck refused: the message names what is wrong and where."""


class KernelError(UlpcheckError):
    """The kernel under test could not run (it raised, returned the wrong thing, or needs a
    GPU that is not there); the message names the kernel and what was expected."""


def call(function, *args):
    """Calls a C function that takes (..., error, error_size) and raises on a nonzero status."""
    error = ctypes.create_string_buffer(2048)
    status = function(*args, error, ctypes.sizeof(error))
    if status == 0:
        return
    message = error.value.decode("utf-8", "replace")
    raise (KernelError if status == 1 else UlpcheckError)(message)
