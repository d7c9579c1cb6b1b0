"""The Python package's tests run from the source tree: the package from python/, the
library from the build (ULPCHECK_LIBRARY, set by CTest)."""

import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "python"))


def _cuda_reason():
    try:
        import torch
    except ImportError:
        return "torch is not installed"
    if not torch.cuda.is_available():
        return f"no CUDA device (torch {torch.__version__})"
    return None


CUDA_SKIP = _cuda_reason()

#: Devices a torch kernel is checked on: the CPU always, CUDA where there is a GPU (skipped
#: with the reason otherwise, so that pytest -rs shows it).
DEVICES = ["cpu", pytest.param("cuda", marks=pytest.mark.skipif(CUDA_SKIP is not None, reason=f"CUDA: {CUDA_SKIP}"))]
