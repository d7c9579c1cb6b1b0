"""ulpcheck: check a kernel's outputs against the exact (MPFR) values of its op, from Python.

    import torch.nn.functional as F
    import ulpcheck

    def test_silu_bf16():
        ulpcheck.assert_within_budget(F.silu, op="silu", dtype="bf16")

Pure Python over libulpcheck.so (the C API, include/ulpcheck/ulpcheck.h) with ctypes and
DLPack: the callable receives framework tensors (torch by default; numpy, cupy or jax with
framework=...) on the CPU or on CUDA, and returns its output. docs/python.md is the guide.
"""

from ._capi import KernelError, UlpcheckError
from ._check import (CheckResult, FuzzResult, Result, RoutingResult, assert_routing_within_budget,
                     assert_within_budget, check, check_routing, fuzz, run_request)

__all__ = [
    "check", "assert_within_budget", "fuzz", "check_routing", "assert_routing_within_budget", "run_request",
    "load_plugin", "version", "Result", "CheckResult", "FuzzResult", "RoutingResult", "UlpcheckError", "KernelError",
]


def version():
    """"ulpcheck X.Y.Z", the version of the loaded library."""
    from ._capi import library
    return library().ulpcheck_version().decode()


def load_plugin(path):
    """Loads a plugin (kernel_abi.h) into this process, as --plugin does; its kernels can
    then be named in run_request."""
    from ._capi import call, library
    call(library().ulpcheck_load_plugin, str(path).encode())
