"""check, fuzz and check_routing: a Python callable registered as a kernel through the C
API, run by ulpcheck on its own inputs against the exact oracle, then unregistered."""

import ctypes
import inspect
import json
import math
import re

from . import _capi
from ._dlpack import Exported, copy_into
from ._frameworks import framework as _framework


class Result:
    """What a run gave: whether it passed, why not, the JSON document and its Markdown."""

    def __init__(self, passed, explanation, document, markdown):
        self.passed = passed
        self.explanation = explanation
        self.document = document
        self.markdown = markdown

    def __bool__(self):
        return self.passed

    def __repr__(self):
        return f"<ulpcheck.{type(self).__name__} {'passed' if self.passed else 'FAILED'}>"


class CheckResult(Result):
    """A check of an elementwise kernel: the report document's cases (one per dtype and
    parameter set), their figures summed up, and the worst inputs."""

    @property
    def cases(self):
        return self.document.get("cases", [])

    @property
    def max_ulp(self):
        return max((_number(c["max_ulp"]) for c in self.cases), default=0.0)

    @property
    def max_ulp_above_floor(self):
        return max((_number(c["max_ulp_above_floor"]) for c in self.cases), default=0.0)

    @property
    def breaches(self):
        return sum(c["budget_breaches"] for c in self.cases)

    @property
    def worst(self):
        """The elements with the largest ULP errors outside the floor region, worst first."""
        return [e for c in self.cases for e in c.get("worst", [])]


class RoutingResult(Result):
    """A check of a routing kernel: the report document's routing section."""

    @property
    def batches(self):
        return (self.document.get("routing") or {}).get("batches", [])


class FuzzResult(Result):
    """A fuzz campaign: one entry per property run; the first failure's replay token."""

    @property
    def runs(self):
        return self.document["runs"]

    @property
    def replay_token(self):
        return next((r["replay_token"] for r in self.runs if not r["passed"]), None)


def _number(v):
    return float(v)  # the document writes NaN and infinities as "nan", "inf", "-inf"


def _kernel_name(fn, name):
    if name:
        return name
    # "<lambda>" -> "lambda": a name --kernel and the reports can show.
    base = re.sub(r"[^A-Za-z0-9_]+", "_", getattr(fn, "__name__", "kernel")).strip("_") or "kernel"
    return f"python.{base}"


def _accepts(fn, keyword):
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.name == keyword or p.kind == p.VAR_KEYWORD for p in params)


def _write_error(buffer, size, message):
    data = message.encode("utf-8", "replace")[: size - 1] + b"\0"
    ctypes.memmove(buffer, data, len(data))


class _Session:
    """One registration: the callback, what it keeps alive, and the exception it caught."""

    def __init__(self, name):
        self.name = name
        self.exception = None
        self.keep = []  # Exported tensors and ctypes objects the C side points into

    def guard(self, body):
        """Wraps a callback body: an exception becomes the kernel's error (code 1)."""

        def run(*args):
            error, size = args[-2], args[-1]
            try:
                body(*args[:-2])
                return 0
            except BaseException as e:  # noqa: B902: everything must stop at the C boundary
                self.exception = e
                _write_error(error, size, f"{type(e).__name__}: {e}")
                return 1

        return run

    def register(self, elementwise=None, routing=None):
        lib = _capi.library()
        self.keep.extend(x for x in (elementwise, routing) if x is not None)
        _capi.call(lib.ulpcheck_register_kernels, ctypes.byref(elementwise) if elementwise else None,
                   1 if elementwise else 0, ctypes.byref(routing) if routing else None, 1 if routing else 0)

    def run(self, request, result_type):
        try:
            return run_request(request, result_type)
        except _capi.KernelError as e:
            raise _capi.KernelError(str(e)) from self.exception
        finally:
            _capi.call(_capi.library().ulpcheck_unregister_kernel, self.name.encode())
            self.keep.clear()


def run_request(request, result_type=Result):
    """Runs a C API request (a dict, see docs/c-api.md) and returns its result."""
    lib = _capi.library()
    handle = ctypes.c_void_p()
    _capi.call(lib.ulpcheck_run, json.dumps(request).encode(), ctypes.byref(handle))
    try:
        text = lib.ulpcheck_result_json(handle).decode()
        return result_type(bool(lib.ulpcheck_result_passed(handle)), lib.ulpcheck_result_explanation(handle).decode(),
                           json.loads(text), lib.ulpcheck_result_markdown(handle).decode())
    finally:
        lib.ulpcheck_result_free(handle)


def _param_text(value):
    if isinstance(value, float) and math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return value


def _elementwise_kernel(session, fn, op, dtype, device, max_ulp, abs_floor, param_ranges, gate_up, out, fw):
    """The descriptor of `fn` as a kernel of `op` in `dtype`."""
    if dtype not in _capi.DTYPE_BITS:
        raise ValueError(f"dtype={dtype!r}: expected one of {', '.join(_capi.DTYPE_BITS)}")
    if device not in _capi.MEMORY:
        raise ValueError(f"device={device!r}: expected 'cpu' or 'cuda'")

    def body(op_name, params, count, input_t, output_t, stream, user_data):
        values = {params[i].name.decode(): params[i].value for i in range(count)}
        kwargs = {k: v for k, v in values.items() if _accepts(fn, k)}
        x_exp, y_exp = Exported(input_t), Exported(output_t)
        session.keep.extend((x_exp, y_exp))
        x = fw.from_dlpack(x_exp)
        if out:
            fn(fw.from_dlpack(y_exp), x, **kwargs)
            return
        args = (x,)
        if gate_up:
            d = x.shape[1] // 2
            args = (x[:, :d], x[:, d:])
        y = fn(*args, **kwargs)
        if y is None:
            raise TypeError(f"returned None, expected a tensor of shape [{output_t.contents.shape[0]}, "
                            f"{output_t.contents.shape[1]}] and dtype {dtype} (or pass out=True for a kernel that "
                            "writes its output argument)")
        copy_into(y, output_t, "the result", fw.prepare)

    k = _capi.ElementwiseKernel()
    k.name = session.name.encode()
    k.description = f"Python callable {getattr(fn, '__qualname__', repr(fn))}".encode()
    k.op = op.encode()
    k.dtypes = _capi.DTYPE_BITS[dtype]
    k.memory = _capi.MEMORY[device]
    i = _capi.DTYPE_INDEX[dtype]
    for j in range(3):
        k.max_ulp[j] = -1.0
    if max_ulp is not None:
        k.max_ulp[i] = max_ulp
        k.abs_floor[i] = abs_floor or 0.0
    elif abs_floor is not None:
        raise ValueError("abs_floor is given without max_ulp; give both, or neither for the op's default budget")
    ranges = [(n.encode(), lo, hi) for n, (lo, hi) in (param_ranges or {}).items()]
    if ranges:
        array = (_capi.ParamRange * len(ranges))(*[_capi.ParamRange(*r) for r in ranges])
        session.keep.append(array)
        k.param_range_count, k.param_ranges = len(ranges), array
    k.run = _capi.ELEMENTWISE_RUN(session.guard(body))
    session.keep.append(k.run)
    return k


def _common(fn, op, dtype, device, name, framework, max_ulp, abs_floor, param_ranges, gate_up, out):
    session = _Session(_kernel_name(fn, name))
    fw = _framework(framework)
    kernel = _elementwise_kernel(session, fn, op, dtype, device, max_ulp, abs_floor, param_ranges, gate_up, out, fw)
    session.register(elementwise=kernel)
    return session


def check(fn, op, dtype="bf16", device="cpu", *, samples=None, seed=1, tokens=None, d=None, max_ulp=None,
          abs_floor=None, param_ranges=None, gate_up=False, out=False, name=None, framework="torch", **params):
    """Measures `fn` as a kernel of `op` in `dtype` against the exact oracle.

    fn(x) receives ulpcheck's inputs as one framework tensor [tokens, arity * d] on `device`
    (a gated op's row is the d gate values, then the d up values: vLLM's layout) and returns
    the output [tokens, d] in the same dtype. gate_up=True calls fn(gate, up) instead;
    out=True calls fn(out, x) for a kernel that writes its output argument
    (torch.ops._C.silu_and_mul). The op's parameters (limit=7.0) are checked values and are
    handed to fn as keyword arguments when it takes them. The claim is the op's default
    budget unless max_ulp (and abs_floor) are given. Returns a CheckResult; raises
    KernelError when fn raised or returned the wrong thing, UlpcheckError for a bad request.
    """
    session = _common(fn, op, dtype, device, name, framework, max_ulp, abs_floor, param_ranges, gate_up, out)
    request = {"command": "check", "ops": [op], "dtypes": [dtype], "kernels": [session.name], "seed": seed,
               "params": {k: _param_text(v) for k, v in params.items()}}
    for key, value in (("samples", samples), ("tokens", tokens), ("d", d)):
        if value is not None:
            request[key] = value
    return session.run(request, CheckResult)


def assert_within_budget(fn, op, dtype="bf16", device="cpu", **kwargs):
    """check(...), for pytest: raises AssertionError carrying the explanation when a case
    fails. Returns the CheckResult otherwise."""
    result = check(fn, op, dtype, device, **kwargs)
    if not result.passed:
        raise AssertionError(f"{op} {dtype} on {device}: not within budget\n{result.explanation}")
    return result


def fuzz(fn, op, dtype="bf16", device="cpu", *, cases=100, seed=1, properties=None, replay=None, max_ulp=None,
         abs_floor=None, param_ranges=None, gate_up=False, out=False, name=None, framework="torch", quiet=False):
    """Runs every property that applies to `fn` as a kernel of `op` in `dtype` on `cases`
    generated cases each; a failure is shrunk to a minimal case, and its replay token (give
    it back as replay=... to run that case alone) is printed unless quiet. Returns a
    FuzzResult."""
    session = _common(fn, op, dtype, device, name, framework, max_ulp, abs_floor, param_ranges, gate_up, out)
    request = {"command": "fuzz", "ops": [op], "dtypes": [dtype], "kernels": [session.name], "cases": cases,
               "seed": seed}
    if properties:
        request["properties"] = list(properties)
    if replay:
        request = {"command": "fuzz", "replay": replay, "seed": seed}
    result = session.run(request, FuzzResult)
    if not result.passed and not quiet:
        print(f"ulpcheck.fuzz: {result.explanation}\nreplay with ulpcheck.fuzz(..., replay={result.replay_token!r})")
    return result


_CLAIM_DEFAULTS = {"arithmetic": "fp32", "score_abs_error": 0.0, "weight_max_ulp": -1.0, "weight_abs_floor": 0.0,
                   "min_score_sum": -1.0, "nan_weights_when_scores_vanish": False, "sorted": True}
_CONFIG_KEYS = {"experts", "n_group", "topk_group", "topk", "scoring", "renormalize", "routed_scaling_factor"}


def check_routing(fn, config=None, logits_dtype="bf16", bias_dtype="fp32", device="cpu", *, tokens=4096, seed=1,
                  claim=None, logits=None, biases=None, precision_study=False, name=None, framework="torch"):
    """Measures `fn` as a biased grouped top-k router against the exact oracle.

    fn(logits, bias) receives logits [tokens, experts] in logits_dtype and bias [experts] in
    bias_dtype on `device` (and config=... when it takes it) and returns (ids, weights), each
    [tokens, topk]: ids of any integer dtype, weights of any float dtype (widened to fp32).
    config: DeepSeek-V3's unless given (keys experts, n_group, topk_group, topk, scoring,
    renormalize, routed_scaling_factor). claim: what the router's arithmetic promises
    (arithmetic "fp32" or "logits", weight_max_ulp, weight_abs_floor, score_abs_error,
    min_score_sum, nan_weights_when_scores_vanish, sorted). Returns a RoutingResult.
    """
    config = dict(config or {})
    unknown = set(config) - _CONFIG_KEYS
    if unknown:
        raise ValueError(f"config: unknown keys {sorted(unknown)}; expected {sorted(_CONFIG_KEYS)}")
    claim_values = dict(_CLAIM_DEFAULTS)
    for key, value in (claim or {}).items():
        if key not in claim_values:
            raise ValueError(f"claim: unknown key {key!r}; expected {sorted(claim_values)}")
        claim_values[key] = value
    for label, value in (("logits_dtype", logits_dtype), ("bias_dtype", bias_dtype)):
        if value not in _capi.DTYPE_BITS:
            raise ValueError(f"{label}={value!r}: expected one of {', '.join(_capi.DTYPE_BITS)}")
    if device not in _capi.MEMORY:
        raise ValueError(f"device={device!r}: expected 'cpu' or 'cuda'")

    session = _Session(_kernel_name(fn, name))
    fw = _framework(framework)

    def body(cfg, logits_t, bias_t, ids_t, weights_t, stream, user_data):
        c = cfg.contents
        exported = [Exported(logits_t), Exported(bias_t)]
        session.keep.extend(exported)
        kwargs = {}
        if _accepts(fn, "config"):
            kwargs["config"] = {"experts": c.experts, "n_group": c.n_group, "topk_group": c.topk_group, "topk": c.topk,
                                "scoring": "softmax" if c.scoring else "sigmoid", "renormalize": bool(c.renormalize),
                                "routed_scaling_factor": c.routed_scaling_factor}
        got = fn(*[fw.from_dlpack(e) for e in exported], **kwargs)
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            raise TypeError(f"returned {type(got).__name__}, expected a pair (ids, weights), each [tokens, {c.topk}]")
        copy_into(got[0], ids_t, "ids", lambda v: fw.prepare(v, "int32"))
        copy_into(got[1], weights_t, "weights", lambda v: fw.prepare(v, "float32"))

    k = _capi.RoutingKernel()
    k.name = session.name.encode()
    k.description = f"Python callable {getattr(fn, '__qualname__', repr(fn))}".encode()
    k.logits_dtypes = _capi.DTYPE_BITS[logits_dtype]
    k.bias_dtypes = _capi.DTYPE_BITS[bias_dtype]
    k.memory = _capi.MEMORY[device]
    arithmetic = claim_values["arithmetic"]
    if arithmetic not in ("fp32", "logits"):
        raise ValueError(f"claim arithmetic={arithmetic!r}: expected 'fp32' or 'logits'")
    k.claim = _capi.RoutingClaim(_capi.DTYPE_BITS["fp32"] if arithmetic == "fp32" else 0,
                                 claim_values["score_abs_error"], claim_values["weight_max_ulp"],
                                 claim_values["weight_abs_floor"], claim_values["min_score_sum"],
                                 int(bool(claim_values["nan_weights_when_scores_vanish"])),
                                 int(bool(claim_values["sorted"])))
    k.claim_for = _capi.ROUTING_CLAIM_FOR()  # NULL: the claim above for every configuration
    k.run = _capi.ROUTING_RUN(session.guard(body))
    session.keep.append(k.run)
    session.register(routing=k)

    routing = {"precision_study": precision_study}
    for key, value in config.items():
        routing["scale" if key == "routed_scaling_factor" else key] = value
    if logits is not None:
        routing["logits"] = logits
    if biases is not None:
        routing["biases"] = list(biases)
    request = {"command": "check", "ops": ["biased_grouped_topk"], "dtypes": [logits_dtype], "kernels": [session.name],
               "samples": tokens, "seed": seed, "routing": routing}
    return session.run(request, RoutingResult)


def assert_routing_within_budget(fn, **kwargs):
    """check_routing(...), for pytest: raises AssertionError carrying the explanation."""
    result = check_routing(fn, **kwargs)
    if not result.passed:
        raise AssertionError(f"biased_grouped_topk: routing errors\n{result.explanation}")
    return result
