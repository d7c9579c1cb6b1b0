#!/usr/bin/python3
"""Reads the MoE combine golden file (moe_combine.h5) with h5py alone and checks it against
golden/SCHEMA.md ("MoE combine") and against exact rational arithmetic. h5py_crosscheck.py
calls check_combine_file for it; run alone:

    h5py_combine_crosscheck.py FILE [PER_GROUP]

Every format group, case and counterexample must have the attributes, dataset types and
shapes of schema v1, with shapes that follow from its tokens and configuration, and each
kernel group its claim and figures. Then PER_GROUP outputs (default 40) of every case and
counterexample, spread evenly over it, are recomputed independently of ulpcheck's C++ code:
rsf * sum_k w_k y_k + shared summed exactly in Python's fractions (every input is a binary
float, so the sum is a rational number with a power-of-two denominator), rounded to the
format with ties to even. The recorded rounded output must equal it bit for bit,
exact_hi + exact_lo must be within 2^-100 relative of it (2^-1074 absolute), and scale must
be rsf * sum_k |w_k y_k| + |shared| evaluated in double in the oracle's order.

Prints "h5py combine cross-check: G groups, N values, M problems"; exits 1 on any problem or
when nothing was checked.
"""

import math
import struct
import sys
from fractions import Fraction

import numpy as np

ROOT_ATTRS = ("schema_version", "tool", "op", "formula", "oracle_method", "device", "cuda_version", "driver_version")
BATCH_ATTRS = ("config", "topk", "hidden", "routed_scaling_factor", "dtype", "tokens")
CASE_ATTRS = ("seed", "input")
KERNEL_ATTRS = ("budget_max_ulp", "budget_relative", "budget_absolute", "max_ulp", "max_ulp_above_floor", "p50",
                "p99", "p999", "frac_correctly_rounded", "in_floor_region", "budget_breaches", "semantic_violations")
# precision, minimum normal exponent, maximum exponent
FORMATS = {"bf16": (8, -126, 127), "fp16": (11, -14, 15), "fp32": (24, -126, 127)}
REL_TOL = Fraction(1, 2**100)
ABS_TOL = Fraction(1, 2**1074)


def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def decode(fmt, bits):
    """The value of a bit pattern of `fmt` as a Python float."""
    bits = int(bits)
    if fmt == "bf16":
        return struct.unpack("<f", struct.pack("<I", bits << 16))[0]
    if fmt == "fp16":
        return struct.unpack("<e", struct.pack("<H", bits))[0]
    return struct.unpack("<f", struct.pack("<I", bits))[0]


def round_exact(x, fmt):
    """A Fraction rounded to `fmt`, ties to even, as a Python float (inf past the range)."""
    if x == 0:
        return 0.0
    p, emin, emax = FORMATS[fmt]
    a = abs(x)
    e = a.numerator.bit_length() - a.denominator.bit_length()
    if Fraction(2) ** e > a:
        e -= 1
    q = max(e, emin) - p + 1
    s = a / Fraction(2) ** q
    n = s.numerator // s.denominator
    frac = s - n
    if frac > Fraction(1, 2) or (frac == Fraction(1, 2) and n % 2 == 1):
        n += 1
    r = Fraction(n) * Fraction(2) ** q
    v = math.inf if r >= Fraction(2) ** (emax + 1) else float(r)
    return -v if x < 0 else v


def same_float(a, b):
    """Equal as IEEE values, with the sign of zero significant."""
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


def batch(group, where, fmt, problems):
    """The configuration and data of a case or counterexample, checked against the schema; None
    when they cannot be used."""
    missing = [a for a in BATCH_ATTRS if a not in group.attrs]
    if missing:
        problems.append(f"{where}: attributes {missing} are missing")
        return None
    a = group.attrs
    if text(a["dtype"]) != fmt:
        problems.append(f"{where}: dtype {text(a['dtype'])} is not its group's {fmt}")
        return None
    K, H, T = int(a["topk"]), int(a["hidden"]), int(a["tokens"])
    rsf = float(a["routed_scaling_factor"])
    shapes = {"routed_bits": (np.uint32, (T * K, H)), "weights_bits": (np.uint32, (T, K)),
              "shared_bits": (np.uint32, (T, H)), "exact_hi": (np.float64, (T, H)), "exact_lo": (np.float64, (T, H)),
              "rounded_bits": (np.uint32, (T, H)), "scale": (np.float64, (T, H))}
    data = {}
    for name, (dtype, shape) in shapes.items():
        if name not in group:
            problems.append(f"{where}/{name} is missing")
            return None
        ds = group[name]
        if ds.dtype != dtype or ds.shape != shape:
            problems.append(f"{where}/{name} is {ds.dtype}{list(ds.shape)}, expected {np.dtype(dtype)}{list(shape)}")
            return None
        data[name] = ds[()]
    return (K, H, T, rsf), data


def crosscheck(config, fmt, data, per_group, where, problems):
    """Recomputes up to per_group outputs with finite inputs exactly; returns how many."""
    K, H, T, rsf = config
    n = T * H
    checked = 0
    for e in range(0, n, max(1, n // per_group)):
        t, h = divmod(e, H)
        shared = decode(fmt, data["shared_bits"][t][h])
        terms = [(decode("fp32", data["weights_bits"][t][k]), decode(fmt, data["routed_bits"][t * K + k][h]))
                 for k in range(K)]
        if not all(math.isfinite(v) for v in [shared] + [x for term in terms for x in term]):
            continue
        exact = Fraction(shared) + sum(Fraction(rsf) * Fraction(w) * Fraction(y) for w, y in terms)
        scale = abs(shared)
        for w, y in terms:
            scale += rsf * abs(w * y)
        found = []
        want = round_exact(exact, fmt)
        got = decode(fmt, data["rounded_bits"][t][h])
        if not same_float(got, want):
            found.append(f"rounded {got!r}, expected {want!r}")
        hi, lo = float(data["exact_hi"][t][h]), float(data["exact_lo"][t][h])
        if abs(Fraction(hi) + Fraction(lo) - exact) > REL_TOL * abs(exact) + ABS_TOL:
            found.append(f"exact {float.hex(hi)} + {float.hex(lo)}, expected {float(exact)!r}")
        if float(data["scale"][t][h]) != scale:
            found.append(f"scale {float(data['scale'][t][h])!r}, expected {scale!r}")
        if found:
            problems.append(f"{where} element {e} (token {t}, hidden {h}): " + "; ".join(found))
        checked += 1
        if checked >= per_group:
            break
    return checked


def check_kernels(group, where, elements, problems):
    if "kernels" not in group:
        problems.append(f"{where}/kernels is missing")
        return
    for kernel in group["kernels"]:
        k = group["kernels"][kernel]
        missing = [a for a in KERNEL_ATTRS if a not in k.attrs]
        if missing:
            problems.append(f"{where}/kernels/{kernel}: attributes {missing} are missing")
        if "worst_index" not in k or k["worst_index"].dtype != np.int64:
            problems.append(f"{where}/kernels/{kernel}/worst_index is missing or not int64")
            continue
        if any(i < 0 or i >= elements for i in k["worst_index"][()]):
            problems.append(f"{where}/kernels/{kernel}/worst_index holds an element outside [0, {elements})")
        if int(k.attrs.get("budget_breaches", 0)) or int(k.attrs.get("semantic_violations", 0)):
            problems.append(f"{where}/kernels/{kernel}: records a failing kernel")


def check_combine_file(f, path, per_group, problems):
    """Checks an open h5py File; returns (groups, values) checked."""
    groups = values = 0
    for name in ROOT_ATTRS:
        if name not in f.attrs:
            problems.append(f"{path}: / attribute {name} is missing")
    if int(f.attrs.get("schema_version", 0)) != 1:
        problems.append(f"{path}: / schema_version is {f.attrs.get('schema_version')}, expected 1")
        return groups, values
    for fmt in f:
        if fmt not in FORMATS:
            problems.append(f"{path}: /{fmt} is not a format group")
            continue
        for case in f[fmt]:
            g = f[fmt][case]
            where = f"{path}: /{fmt}/{case}"
            members = [(f"{where}/{n}", g[n]) for n in g] if case == "corpus" else [(where, g)]
            for w, group in members:
                b = batch(group, w, fmt, problems)
                if b is None:
                    continue
                config, data = b
                groups += 1
                if case == "corpus":
                    if "found_by" not in group.attrs:
                        problems.append(f"{w}: attribute found_by is missing")
                else:
                    missing = [a for a in CASE_ATTRS if a not in group.attrs]
                    if missing:
                        problems.append(f"{w}: attributes {missing} are missing")
                    check_kernels(group, w, config[2] * config[1], problems)
                values += crosscheck(config, fmt, data, per_group, w, problems)
    return groups, values


def main():
    import h5py

    if len(sys.argv) not in (2, 3):
        print(__doc__)
        return 2
    per_group = int(sys.argv[2]) if len(sys.argv) == 3 else 40
    problems = []
    with h5py.File(sys.argv[1], "r") as f:
        groups, values = check_combine_file(f, sys.argv[1], per_group, problems)
    print(f"h5py combine cross-check: {groups} groups, {values} values, {len(problems)} problems")
    for p in problems[:50]:
        print("PROBLEM", p)
    return 1 if problems or values == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
