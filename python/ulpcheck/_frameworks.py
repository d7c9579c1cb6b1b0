"""What ulpcheck asks of an array framework: make a tensor of a DLPack object, make a result
contiguous, and convert routing outputs (ids to int32, weights to float32)."""

import importlib


class Framework:
    def __init__(self, name):
        self.name = name
        try:
            self.module = importlib.import_module({"jax": "jax.numpy"}.get(name, name))
        except ImportError as e:
            raise ImportError(f"framework={name!r}: {e}") from e
        if name == "torch":
            self._from = self.module.from_dlpack if hasattr(self.module, "from_dlpack") else \
                importlib.import_module("torch.utils.dlpack").from_dlpack
        elif name == "jax":
            self._from = importlib.import_module("jax.dlpack").from_dlpack
        else:
            self._from = self.module.from_dlpack

    def from_dlpack(self, exported):
        return self._from(exported)

    def prepare(self, value, dtype=None):
        """`value` contiguous and, when `dtype` ("int32" or "float32") is given, of that type."""
        m = self.module
        if self.name == "torch":
            if dtype is not None:
                value = value.to(getattr(m, dtype))
            return value.contiguous()
        if self.name == "jax":
            return m.asarray(value, dtype=dtype) if dtype else value
        return m.ascontiguousarray(value, dtype=dtype) if dtype else m.ascontiguousarray(value)


SUPPORTED = ("torch", "numpy", "cupy", "jax")


def framework(name):
    if name not in SUPPORTED:
        raise ValueError(f"framework={name!r}: expected one of {', '.join(SUPPORTED)}")
    return Framework(name)
