#!/usr/bin/python3
"""Reads the routing golden file (biased_grouped_topk.h5) with h5py alone and checks it against
golden/SCHEMA.md ("Routing") and against mpmath. h5py_crosscheck.py calls check_routing_file for
it; run alone:

    h5py_routing_crosscheck.py FILE [TOKENS_PER_GROUP]

Every format-pair group, case and counterexample must have the attributes, dataset types and
shapes of schema v1, with shapes that follow from its tokens and configuration, and each
kernel group its claim and figures. Then TOKENS_PER_GROUP tokens (default 5) of every case and
counterexample, spread evenly over it, are routed again independently of ulpcheck's C++ code
by tests/reference/routing_mpmath_crosscheck.py (mpmath at 300 bits): the recorded ids and
groups must equal its answer in order, each weight hi + lo must be within 2^-100 relative of
its exact weight, and the margins must be what routing.hpp defines.

Prints "h5py routing cross-check: G groups, N tokens, M problems"; exits 1 on any problem or
when nothing was checked.
"""

import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reference"))
import routing_mpmath_crosscheck as routing  # noqa: E402
from mpmath import mp, mpf  # noqa: E402

ROOT_ATTRS = ("schema_version", "tool", "op", "formula", "oracle_method", "device", "cuda_version", "driver_version")
CONFIG_ATTRS = ("config", "experts", "n_group", "topk_group", "topk", "scoring", "renormalize",
                "routed_scaling_factor", "logits_dtype", "bias_dtype", "tokens")
CASE_ATTRS = ("seed", "logits_distribution", "logits_kind", "logits_mean", "logits_sd", "bias_distribution",
              "bias_kind", "bias_mean", "bias_sd")
KERNEL_ATTRS = ("arithmetic", "score_abs_error", "budget_max_ulp", "budget_abs_floor", "min_score_sum",
                "nan_weights_when_scores_vanish", "sorted", "matches", "near_ties", "mismatches", "invalid",
                "weight_tokens_checked", "weights_in_floor", "weight_breaches", "bad_weights", "max_weight_ulp",
                "p50_weight_ulp", "p99_weight_ulp", "max_weight_sum_error")
DTYPES = ("bf16", "fp16", "fp32")


def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def batch(group, where, pair, problems):
    """The configuration, inputs and answers of a case or counterexample, checked against the
    schema; None when they cannot be used."""
    missing = [a for a in CONFIG_ATTRS if a not in group.attrs]
    if missing:
        problems.append(f"{where}: attributes {missing} are missing")
        return None
    a = group.attrs
    logits_fmt, bias_fmt = text(a["logits_dtype"]), text(a["bias_dtype"])
    if f"{logits_fmt}+{bias_fmt}" != pair:
        problems.append(f"{where}: dtypes {logits_fmt}+{bias_fmt} are not its group's {pair}")
        return None
    E, G, KG, K, T = (int(a[n]) for n in ("experts", "n_group", "topk_group", "topk", "tokens"))
    config = (E, G, KG, K, text(a["scoring"]), int(a["renormalize"]) == 1, float(a["routed_scaling_factor"]))
    shapes = {"logits_bits": (np.uint32, (T, E)), "bias_bits": (np.uint32, (E,)), "ids": (np.int32, (T, K)),
              "weights_hi": (np.float64, (T, K)), "weights_lo": (np.float64, (T, K)),
              "groups": (np.int32, (T, KG)), "group_margin": (np.float64, (T,)),
              "expert_margin": (np.float64, (T,))}
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
    return config, logits_fmt, bias_fmt, data


def crosscheck(config, logits_fmt, bias_fmt, data, per_group, where, problems):
    """Routes up to per_group tokens again with mpmath; returns how many."""
    tokens = len(data["group_margin"])
    sample = range(0, tokens, max(1, tokens // per_group))[:per_group]
    bias = [int(b) for b in data["bias_bits"]]
    for t in sample:
        with mp.workprec(routing.PREC):
            ids, groups, weights, gm, em = routing.route(config, logits_fmt, bias_fmt, bias,
                                                         [int(x) for x in data["logits_bits"][t]])
            found = []
            got_ids = [int(i) for i in data["ids"][t]]
            got_groups = [int(g) for g in data["groups"][t]]
            if got_ids != ids:
                found.append(f"ids {got_ids}, expected {ids}")
            if got_groups != groups:
                found.append(f"groups {got_groups}, expected {groups}")
            for k, want in enumerate(weights):
                hi, lo = float(data["weights_hi"][t][k]), float(data["weights_lo"][t][k])
                if want == 0:
                    if hi != 0.0 or lo != 0.0:
                        found.append(f"weight {k} {hi!r} + {lo!r}, expected exactly 0")
                elif not abs(mpf(hi) + mpf(lo) - want) <= routing.WEIGHT_TOL * want + mpf(routing.SMALLEST):
                    found.append(f"weight {k} {float.hex(hi)} + {float.hex(lo)}, expected {mp.nstr(want, 40)}")
            tally = {"infinite": 0, "ties": 0, "gaps": 0}
            routing.check_margin("group margin", float(data["group_margin"][t]), gm, found, tally)
            routing.check_margin("expert margin", float(data["expert_margin"][t]), em, found, tally)
        if found:
            problems.append(f"{where} token {t}: " + "; ".join(found))
    return len(sample)


def check_kernels(group, where, tokens, problems):
    if "kernels" not in group:
        problems.append(f"{where}/kernels is missing")
        return
    for kernel in group["kernels"]:
        k = group["kernels"][kernel]
        missing = [a for a in KERNEL_ATTRS if a not in k.attrs]
        if missing:
            problems.append(f"{where}/kernels/{kernel}: attributes {missing} are missing")
        if text(k.attrs.get("arithmetic", "")) not in DTYPES:
            problems.append(f"{where}/kernels/{kernel}: arithmetic is not one of {DTYPES}")
        if "near_tie_tokens" not in k or k["near_tie_tokens"].dtype != np.int64:
            problems.append(f"{where}/kernels/{kernel}/near_tie_tokens is missing or not int64")
            continue
        if any(t < 0 or t >= tokens for t in k["near_tie_tokens"][()]):
            problems.append(f"{where}/kernels/{kernel}/near_tie_tokens holds a token outside [0, {tokens})")
        counted = sum(int(k.attrs[n]) for n in ("matches", "near_ties", "mismatches", "invalid") if n in k.attrs)
        if counted != tokens:
            problems.append(f"{where}/kernels/{kernel}: matches + near_ties + mismatches + invalid = {counted}, "
                            f"expected {tokens} tokens")


def check_routing_file(f, path, per_group, problems):
    """Checks an open h5py File; returns (groups, tokens) checked."""
    groups = values = 0
    for name in ROOT_ATTRS:
        if name not in f.attrs:
            problems.append(f"{path}: / attribute {name} is missing")
    for pair in f:
        parts = pair.split("+")
        if len(parts) != 2 or any(p not in DTYPES for p in parts):
            problems.append(f"{path}: /{pair} is not a format-pair group")
            continue
        for case in f[pair]:
            g = f[pair][case]
            where = f"{path}: /{pair}/{case}"
            members = [(f"{where}/{n}", g[n]) for n in g] if case == "corpus" else [(where, g)]
            for w, group in members:
                b = batch(group, w, pair, problems)
                if b is None:
                    continue
                config, logits_fmt, bias_fmt, data = b
                groups += 1
                if case == "corpus":
                    if "found_by" not in group.attrs:
                        problems.append(f"{w}: attribute found_by is missing")
                else:
                    missing = [a for a in CASE_ATTRS if a not in group.attrs]
                    if missing:
                        problems.append(f"{w}: attributes {missing} are missing")
                    check_kernels(group, w, len(data["group_margin"]), problems)
                values += crosscheck(config, logits_fmt, bias_fmt, data, per_group, w, problems)
    return groups, values


def main():
    import h5py

    if len(sys.argv) not in (2, 3):
        print(__doc__)
        return 2
    per_group = int(sys.argv[2]) if len(sys.argv) == 3 else 5
    problems = []
    with h5py.File(sys.argv[1], "r") as f:
        groups, tokens = check_routing_file(f, sys.argv[1], per_group, problems)
    print(f"h5py routing cross-check: {groups} groups, {tokens} tokens, {len(problems)} problems")
    for p in problems[:50]:
        print("PROBLEM", p)
    return 1 if problems or tokens == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
