"""DLPack across the C boundary, in pure Python: ulpcheck's tensors shown to a framework
(any whose from_dlpack takes an object with __dlpack__), and a framework's tensor read as a
DLTensor for ulpcheck_copy_tensor."""

import ctypes

from . import _capi

_new_capsule = ctypes.pythonapi.PyCapsule_New
_new_capsule.restype = ctypes.py_object
_new_capsule.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p]
_capsule_pointer = ctypes.pythonapi.PyCapsule_GetPointer
_capsule_pointer.restype = ctypes.c_void_p
_capsule_pointer.argtypes = [ctypes.py_object, ctypes.c_char_p]


class Exported:
    """A DLTensor ulpcheck owns, presented through __dlpack__ for the length of one kernel
    call. The DLManagedTensor it hands out has no deleter (ulpcheck frees the memory after
    the call); the object must outlive every framework tensor made from it, which the caller
    ensures by keeping it until the run ends."""

    def __init__(self, tensor_pointer):
        t = tensor_pointer.contents
        self._shape = (ctypes.c_int64 * t.ndim)(*[t.shape[i] for i in range(t.ndim)])
        self._managed = _capi.DLManagedTensor()
        self._managed.dl_tensor = t
        self._managed.dl_tensor.shape = ctypes.cast(self._shape, ctypes.POINTER(ctypes.c_int64))
        self._device = (t.device.device_type, t.device.device_id)

    def __dlpack__(self, stream=None, **_):
        return _new_capsule(ctypes.addressof(self._managed), b"dltensor", None)

    def __dlpack_device__(self):
        return self._device


def copy_into(value, destination, what, prepare=lambda v: v):
    """Copies a framework tensor, made ready by `prepare` (contiguous, converted), into
    ulpcheck's tensor; raises TypeError naming `what` and the difference (dtype, shape) when
    they disagree."""
    if not hasattr(value, "__dlpack__"):
        raise TypeError(f"{what}: returned {type(value).__name__}, expected a tensor (an object with __dlpack__)")
    capsule = prepare(value).__dlpack__()
    managed = _capi.DLManagedTensor.from_address(_capsule_pointer(capsule, b"dltensor"))
    error = ctypes.create_string_buffer(1024)
    status = _capi.library().ulpcheck_copy_tensor(ctypes.byref(managed.dl_tensor), destination, error,
                                                  ctypes.sizeof(error))
    del capsule  # its destructor lets the framework free what it exported
    if status != 0:
        raise TypeError(f"{what}: {error.value.decode('utf-8', 'replace')}")
