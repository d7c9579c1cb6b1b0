"""The exhaustive sweeps' golden file (exhaustive.h5, golden/SCHEMA.md "Exhaustive sweeps"),
read with h5py alone: every record's attributes and datasets follow the schema, its figures
agree with each other, and the ULP error of every recorded worst input is recomputed with
mpmath (tests/reference/mpmath_crosscheck.py's activations at 300 bits) from the element's
inputs and the kernel's output bits. h5py_crosscheck.py calls check_exhaustive_file."""

import math

import mpmath
from mpmath import mp, mpf

import mpmath_crosscheck

ROOT_ATTRS = ("schema_version", "tool", "content", "oracle_method", "device", "cuda_version", "driver_version")
COUNTS = ("elements", "budget_breaches", "semantic_differences", "semantic_violations", "escalated")
FIGURES = ("budget_max_ulp", "budget_abs_floor", "max_ulp", "max_ulp_above_floor", "p50", "p99", "p999",
           "frac_correctly_rounded")
DATASETS = {"worst_index": "int64", "worst_got_bits": "uint32", "worst_ulp": "float64", "ulp_histogram": "int64"}
HISTOGRAM_BINS = 42


def ulp_error(dtype, got, exact):
    """|got - exact| in units of the format's ULP at exact (SCHEMA.md's metric)."""
    prec, emin, _ = mpmath_crosscheck.FORMATS[dtype]
    if exact == 0:
        return abs(mpf(got)) / mpmath.ldexp(mpf(1), emin - prec + 1)
    _, e = mpmath.frexp(abs(exact))
    q = max(int(e) - 1, emin) - prec + 1
    return abs(mpf(got) - exact) / mpmath.ldexp(mpf(1), q)


def worst_inputs(op, dtype, limit, index):
    """The inputs of element `index`: gated, gate = low 16 bits, up = high 16 bits (prepared
    as the op does); unary, the input's bits."""
    from h5py_crosscheck import decode
    _, _, arity, _ = mpmath_crosscheck.OPS[op]
    if arity == 2:
        g, u = decode(dtype, index & 0xFFFF), decode(dtype, index >> 16)
        return mpmath_crosscheck.prepare(op, limit, g, u)
    return decode(dtype, index), 1.0


def check_record(g, where, op, dtype, problems):
    for name in COUNTS + FIGURES + ("params", "space"):
        if name not in g.attrs:
            problems.append(f"{where}: attribute {name} is missing")
            return 0
    for name, kind in DATASETS.items():
        if name not in g or str(g[name].dtype) != kind:
            problems.append(f"{where}/{name} is missing or not {kind}")
            return 0
    index, got, ulp = g["worst_index"][()], g["worst_got_bits"][()], g["worst_ulp"][()]
    hist = g["ulp_histogram"][()]
    elements = int(g.attrs["elements"])
    if not (len(index) == len(got) == len(ulp)):
        problems.append(f"{where}: worst_index, worst_got_bits and worst_ulp differ in length")
        return 0
    if len(hist) != HISTOGRAM_BINS or int(hist.sum()) > elements:
        problems.append(f"{where}/ulp_histogram has {len(hist)} bins counting {int(hist.sum())} of {elements}")
    if not 0 <= float(g.attrs["frac_correctly_rounded"]) <= 1:
        problems.append(f"{where}: frac_correctly_rounded is outside [0, 1]")
    if not float(g.attrs["p50"]) <= float(g.attrs["p99"]) <= float(g.attrs["p999"]):
        problems.append(f"{where}: p50 <= p99 <= p999 does not hold")
    if len(ulp) and float(ulp[0]) != float(g.attrs["max_ulp_above_floor"]):
        problems.append(f"{where}: worst_ulp[0] = {ulp[0]} is not max_ulp_above_floor = {g.attrs['max_ulp_above_floor']}")
    if any(float(ulp[i]) < float(ulp[i + 1]) for i in range(len(ulp) - 1)):
        problems.append(f"{where}: worst_ulp is not largest first")
    limit = float(g.attrs["limit"]) if "limit" in g.attrs else None
    from h5py_crosscheck import decode
    mp.prec = mpmath_crosscheck.PREC
    checked = 0
    for i in range(len(index)):
        x, u = worst_inputs(op, dtype, limit, int(index[i]))
        y = decode(dtype, int(got[i]))
        if not (math.isfinite(x) and math.isfinite(u) and math.isfinite(y)) or x == 0 or u == 0:
            continue
        exact = mpmath_crosscheck.exact_value(op, x, u)
        e = float(ulp_error(dtype, y, exact))
        # The oracle's value is within its tier's bound, not correctly rounded: the double
        # tier of an fp32 input (GPU sweeps) is within about 2^-45 relative, which is a few
        # 1e-7 of a ULP of fp32. The figure is a ULP error, so that is its precision.
        if abs(e - float(ulp[i])) > 2e-6 + 1e-9 * e:
            problems.append(f"{where}: worst element {int(index[i])}: recorded {float(ulp[i])!r} ULP, mpmath {e!r}")
        checked += 1
    return checked


def check_exhaustive_file(f, path, problems):
    """Checks an open h5py File; returns (records, worst elements recomputed)."""
    records = values = 0
    for name in ROOT_ATTRS:
        if name not in f.attrs:
            problems.append(f"{path}: / attribute {name} is missing")
    if f.attrs.get("schema_version") != 1:
        problems.append(f"{path}: / schema_version is {f.attrs.get('schema_version')}, expected 1")
        return records, values
    for op in f:
        if op not in mpmath_crosscheck.OPS:
            problems.append(f"{path}: /{op} is not an op")
            continue
        for dtype in f[op]:
            if dtype not in mpmath_crosscheck.FORMATS:
                problems.append(f"{path}: /{op}/{dtype} is not a dtype")
                continue
            for case in f[op][dtype]:
                for kernel in f[op][dtype][case]:
                    where = f"{path}: /{op}/{dtype}/{case}/{kernel}"
                    values += check_record(f[op][dtype][case][kernel], where, op, dtype, problems)
                    records += 1
    return records, values
