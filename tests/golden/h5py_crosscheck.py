#!/usr/bin/python3
"""Reads golden files with h5py alone, as a user would, and checks them against golden/SCHEMA.md
and against mpmath.

    h5py_crosscheck.py DIR [PER_GROUP]

For every DIR/<op>.h5: the root attributes, the dtype and case groups, dataset types and
lengths, and the recorded kernel figures must follow schema v1. Then PER_GROUP (default 40)
elements of every case and corpus, spread evenly over it and restricted to finite inputs,
are recomputed independently of ulpcheck's C++ code by tests/reference/mpmath_crosscheck.py
(mpmath at 300 bits, its own round-to-nearest-even): the recorded rounded output must equal
it bit for bit and exact_hi + exact_lo must be within 2^-100 relative of it.

The routing file (biased_grouped_topk.h5) has its own layout: h5py_routing_crosscheck.py checks
it, routing PER_GROUP / 4 tokens of every case and counterexample again with mpmath
(tests/reference/routing_mpmath_crosscheck.py); its tokens count among the values. So has the
exhaustive sweeps' file (exhaustive.h5): h5py_exhaustive_crosscheck.py checks every record and
recomputes the ULP error of each recorded worst input; its records count among the groups.
So has the MoE combine file (moe_combine.h5): h5py_combine_crosscheck.py checks it and
recomputes PER_GROUP outputs of every case and counterexample in exact rational arithmetic.

Prints "h5py cross-check: F files, G groups, N values, M problems"; exits 1 on any problem
or when nothing was checked.
"""

import math
import os
import struct
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reference"))
import mpmath_crosscheck  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import h5py_routing_crosscheck  # noqa: E402
import h5py_combine_crosscheck  # noqa: E402
import h5py_exhaustive_crosscheck  # noqa: E402

ROOT_ATTRS = {"schema_version": int, "tool": str, "op": str, "formula": str, "arity": int,
              "oracle_method": str, "device": str, "cuda_version": str, "driver_version": str}
CASE_ATTRS = {"dtype": str, "params": str, "seed": int, "samples": int, "input": str}
KERNEL_ATTRS = ("budget_max_ulp", "budget_abs_floor", "max_ulp", "max_ulp_above_floor", "p50", "p99", "p999",
                "frac_correctly_rounded", "budget_breaches", "semantic_violations")
DTYPES = ("bf16", "fp16", "fp32")


def decode(dtype, bits):
    """The value of a bit pattern of `dtype` as a Python float."""
    bits = int(bits)
    if dtype == "bf16":
        return struct.unpack("<f", struct.pack("<I", bits << 16))[0]
    if dtype == "fp16":
        return struct.unpack("<e", struct.pack("<H", bits))[0]
    return struct.unpack("<f", struct.pack("<I", bits))[0]


def attr(obj, name, kind, problems, where):
    if name not in obj.attrs:
        problems.append(f"{where}: attribute {name} is missing")
        return None
    v = obj.attrs[name]
    if isinstance(v, bytes):
        v = v.decode()
    ok = isinstance(v, str) if kind is str else isinstance(v, (int, np.integer)) if kind is int else \
        isinstance(v, (float, np.floating))
    if not ok:
        problems.append(f"{where}: attribute {name} is {type(v).__name__}, expected {kind.__name__}")
    return v


def elements(group, arity, where, problems):
    """The element datasets of a case or corpus group, checked for type and length."""
    want = {"x0_bits": np.uint32, "exact_hi": np.float64, "exact_lo": np.float64, "rounded_bits": np.uint32}
    if arity == 2:
        want["x1_bits"] = np.uint32
    data = {}
    for name, dtype in want.items():
        if name not in group:
            problems.append(f"{where}/{name} is missing")
            return None
        ds = group[name]
        if ds.dtype != dtype or ds.ndim != 1:
            problems.append(f"{where}/{name} is {ds.dtype}[{ds.ndim}d], expected one-dimensional {np.dtype(dtype)}")
            return None
        data[name] = ds[()]
    n = len(data["x0_bits"])
    for name, v in data.items():
        if len(v) != n:
            problems.append(f"{where}/{name} has {len(v)} elements, expected {n}")
            return None
    return data


def crosscheck(op, dtype, limit_of, data, per_group, where, problems):
    """Recomputes up to per_group finite elements with mpmath; returns how many."""
    n = len(data["x0_bits"])
    step = max(1, n // per_group)
    checked = 0
    for i in range(0, n, step):
        g = decode(dtype, data["x0_bits"][i])
        u = decode(dtype, data["x1_bits"][i]) if "x1_bits" in data else None
        if not math.isfinite(g) or (u is not None and not math.isfinite(u)):
            continue
        limit = limit_of(i)
        fields = [op, dtype, "none" if limit is None else float.hex(limit), float.hex(g),
                  "-" if u is None else float.hex(u), float.hex(decode(dtype, data["rounded_bits"][i])),
                  float.hex(float(data["exact_hi"][i])), float.hex(float(data["exact_lo"][i]))]
        description, found = mpmath_crosscheck.check_line(fields)
        if found:
            problems.append(f"{where} element {i}: {description}: " + "; ".join(found))
        checked += 1
        if checked >= per_group:
            break
    return checked


def check_file(path, per_group, problems):
    groups = values = 0
    with h5py.File(path, "r") as f:
        if f.attrs.get("op") in ("biased_grouped_topk", b"biased_grouped_topk"):
            return h5py_routing_crosscheck.check_routing_file(f, path, max(1, per_group // 4), problems)
        if f.attrs.get("op") in ("moe_combine", b"moe_combine"):
            return h5py_combine_crosscheck.check_combine_file(f, path, per_group, problems)
        if f.attrs.get("content") in ("exhaustive sweeps", b"exhaustive sweeps"):
            return h5py_exhaustive_crosscheck.check_exhaustive_file(f, path, problems)
        where = f"{path}: /"
        for name, kind in ROOT_ATTRS.items():
            attr(f, name, kind, problems, where)
        if f.attrs.get("schema_version") != 1:
            problems.append(f"{where} schema_version is {f.attrs.get('schema_version')}, expected 1")
            return groups, values
        op = attr(f, "op", str, problems, where)
        arity = int(f.attrs["arity"])
        for dtype in f:
            if dtype not in DTYPES:
                problems.append(f"{path}: /{dtype} is not a dtype group")
                continue
            for case in f[dtype]:
                g = f[dtype][case]
                where = f"{path}: /{dtype}/{case}"
                data = elements(g, arity, where, problems)
                if data is None:
                    continue
                groups += 1
                if case == "corpus":
                    names = [n for n in attr(g, "param_names", str, problems, where).split(",") if n]
                    limits = g["param_limit"][()] if "limit" in names else None
                    values += crosscheck(op, dtype, lambda i: None if limits is None else float(limits[i]), data,
                                         per_group, where, problems)
                    continue
                for name, kind in CASE_ATTRS.items():
                    attr(g, name, kind, problems, where)
                if "kernels" not in g:
                    problems.append(f"{where}/kernels is missing")
                    continue
                for kernel in g["kernels"]:
                    k = g["kernels"][kernel]
                    for name in KERNEL_ATTRS:
                        if name not in k.attrs:
                            problems.append(f"{where}/kernels/{kernel}: attribute {name} is missing")
                    if "worst_index" not in k or k["worst_index"].dtype != np.int64:
                        problems.append(f"{where}/kernels/{kernel}/worst_index is missing or not int64")
                limit = float(g.attrs["limit"]) if "limit" in g.attrs else None
                values += crosscheck(op, dtype, lambda i: limit, data, per_group, where, problems)
    return groups, values


def main():
    if len(sys.argv) not in (2, 3):
        print(__doc__)
        return 2
    directory = sys.argv[1]
    per_group = int(sys.argv[2]) if len(sys.argv) == 3 else 40
    paths = sorted(os.path.join(directory, p) for p in os.listdir(directory) if p.endswith(".h5"))
    problems = []
    groups = values = 0
    for path in paths:
        g, v = check_file(path, per_group, problems)
        groups += g
        values += v
    print(f"h5py cross-check: {len(paths)} files, {groups} groups, {values} values, {len(problems)} problems")
    for p in problems[:50]:
        print("PROBLEM", p)
    if values == 0:
        print("nothing was checked")
        return 1
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
