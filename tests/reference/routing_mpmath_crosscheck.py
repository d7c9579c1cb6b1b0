#!/usr/bin/python3
"""Cross-check ulpcheck's routing oracle against mpmath.

Reads the lines that tests/reference/routing_dump.cpp prints, one token each,

    config=E,n_group,topk_group,topk,scoring,renorm,scale formats=LOGITS,BIAS bias=BITS,...
    logits=BITS,... ids=... groups=... w_hi=... w_lo=... margins=GROUP,EXPERT

(bit patterns as hex integers, numbers as C99 hex floats), and routes each token again,
independently of the C++ code: the inputs decoded from their bits with Python's struct
(bf16 as the top half of an fp32), s = 1 / (1 + e^-x) or the softmax over the valid experts
with mpmath at 300 bits, b = s + bias, group score = sum of the two largest b, the
topk_group best groups, the topk best experts among them, weights from the unbiased s. The
semantics of non-finite inputs are those of include/ulpcheck/reference/routing.hpp: a NaN
logit or a NaN or infinite bias makes an expert invalid (ranked below every valid one,
s = 0, left out of the softmax), sigmoid(+-inf) = 1 and 0, +inf logits share a softmax of 1,
a group with fewer than two valid experts is invalid, and weights are 0 when the picked s
sum to 0. Two values within 2^-250 relative of each other count as a tie (lower index
first): the inputs hold exact ties on purpose (repeated logits, sigmoid(x) + sigmoid(-x) = 1,
rational softmax values), and 300-bit arithmetic cannot prove equality; no near-tie that
close arises from these random inputs.

Checks per token: ids and groups equal, in order; each weight within 2^-100 relative
(+ 2^-1074) of the exact one, and exactly 0 where the exact one is; each margin +inf, 0 or
within 2^-50 relative of the exact gap as routing.hpp defines them (a positive gap below
2^-1074 is 2^-1074).

Prints "routing mpmath cross-check: N tokens, ..." and one block per mismatch; exits 1 on
any mismatch, a malformed line, or empty input.
"""

import functools
import math
import struct
import sys

from mpmath import mp, mpf

PREC = 300
TIE = mpf(2) ** -250
WEIGHT_TOL = mpf(2) ** -100
MARGIN_TOL = mpf(2) ** -50
SMALLEST = 2.0 ** -1074


def decode(fmt, bits):
    if fmt == "fp32":
        return struct.unpack("<f", struct.pack("<I", bits))[0]
    if fmt == "fp16":
        return struct.unpack("<e", struct.pack("<H", bits))[0]
    if fmt == "bf16":
        return struct.unpack("<f", struct.pack("<I", bits << 16))[0]
    raise ValueError(f"unknown format {fmt}")


def tie(a, b):
    return abs(a - b) <= TIE * max(mpf(1), abs(a), abs(b))


def scores(scoring, x, valid):
    """The unbiased scores s, as mpf (exact zeros where the spec says 0)."""
    n = len(x)
    s = [mpf(0)] * n
    if scoring == "sigmoid":
        for e in range(n):
            if not valid[e]:
                continue
            if x[e] == math.inf:
                s[e] = mpf(1)
            elif x[e] != -math.inf:
                s[e] = 1 / (1 + mp.exp(-mpf(x[e])))
        return s
    plus_inf = [e for e in range(n) if valid[e] and x[e] == math.inf]
    if plus_inf:
        for e in plus_inf:
            s[e] = mpf(1) / len(plus_inf)
        return s
    finite = [e for e in range(n) if valid[e] and math.isfinite(x[e])]
    if not finite:
        return s
    m = max(x[e] for e in finite)
    z = sum(mp.exp(mpf(x[e]) - mpf(m)) for e in finite)
    for e in finite:
        s[e] = mp.exp(mpf(x[e]) - mpf(m)) / z
    return s


def ranked(items, valid, value):
    """items sorted best first: valid before invalid, then larger value, ties by index."""

    def cmp(i, j):
        if valid(i) != valid(j):
            return -1 if valid(i) else 1
        if valid(i) and not tie(value(i), value(j)):
            return -1 if value(i) > value(j) else 1
        return (i > j) - (i < j)

    return sorted(items, key=functools.cmp_to_key(cmp))


def expected_margin(last_valid, last_value, next_valid, next_value):
    """The margin routing.hpp defines: +inf, 0, or the exact gap (mpf)."""
    if not next_valid:
        return math.inf if last_valid else mpf(0)
    gap = last_value - next_value
    return mpf(0) if tie(last_value, next_value) else gap


def route(config, logits_fmt, bias_fmt, bias_bits, logit_bits):
    E, n_group, topk_group, topk, scoring, renorm, scale = config
    per = E // n_group
    x = [decode(logits_fmt, b) for b in logit_bits]
    bias = [decode(bias_fmt, b) for b in bias_bits]
    valid = [not math.isnan(x[e]) and math.isfinite(bias[e]) for e in range(E)]
    s = scores(scoring, x, valid)
    b = [s[e] + mpf(bias[e]) if valid[e] else None for e in range(E)]

    expert_valid = lambda e: valid[e]
    expert_value = lambda e: b[e]
    tops, gvalid, gscore = [], [], []
    for g in range(n_group):
        members = ranked(list(range(g * per, (g + 1) * per)), expert_valid, expert_value)
        tops.append(members[:2])
        gvalid.append(valid[members[1]])
        gscore.append(b[members[0]] + b[members[1]] if gvalid[-1] else None)
    order = ranked(list(range(n_group)), lambda g: gvalid[g], lambda g: gscore[g])
    groups = order[:topk_group]
    candidates = [e for g in sorted(groups) for e in range(g * per, (g + 1) * per)]
    picked_order = ranked(candidates, expert_valid, expert_value)
    ids = picked_order[:topk]

    if topk_group == n_group:
        group_margin = math.inf
    else:
        last, nxt = order[topk_group - 1], order[topk_group]
        group_margin = expected_margin(gvalid[last], gscore[last], gvalid[nxt], gscore[nxt])
    if len(candidates) == topk:
        expert_margin = math.inf
    else:
        last, nxt = picked_order[topk - 1], picked_order[topk]
        expert_margin = expected_margin(valid[last], b[last], valid[nxt], b[nxt])

    picked = [s[e] for e in ids]
    total = sum(picked)
    if renorm:
        weights = [mpf(0) if total == 0 else p / total * mpf(scale) for p in picked]
    else:
        weights = [p * mpf(scale) for p in picked]
    return ids, groups, weights, group_margin, expert_margin


def parse(line):
    fields = dict(f.split("=", 1) for f in line.split())
    keys = {"config", "formats", "bias", "logits", "ids", "groups", "w_hi", "w_lo", "margins"}
    if set(fields) != keys:
        raise ValueError(f"fields {sorted(fields)}, expected {sorted(keys)}")
    c = fields["config"].split(",")
    config = (int(c[0]), int(c[1]), int(c[2]), int(c[3]), c[4], c[5] == "1", float.fromhex(c[6]))
    logits_fmt, bias_fmt = fields["formats"].split(",")
    ints = lambda text: [int(v, 0) for v in text.split(",")] if text else []
    floats = lambda text: [float.fromhex(v) for v in text.split(",")] if text else []
    got = {
        "ids": ints(fields["ids"]),
        "groups": ints(fields["groups"]),
        "w_hi": floats(fields["w_hi"]),
        "w_lo": floats(fields["w_lo"]),
        "margins": floats(fields["margins"]),
    }
    if len(got["margins"]) != 2 or len(got["w_hi"]) != len(got["w_lo"]):
        raise ValueError("margins or weights malformed")
    return config, logits_fmt, bias_fmt, ints(fields["bias"]), ints(fields["logits"]), got


def check_margin(name, got, want, problems, tally):
    if want == math.inf:
        tally["infinite"] += 1
        if got != math.inf:
            problems.append(f"{name} {got!r}, expected +inf")
    elif want == 0:
        tally["ties"] += 1
        if got != 0.0:
            problems.append(f"{name} {got!r}, expected 0 (an exact tie)")
    else:
        tally["gaps"] += 1
        if want < SMALLEST:
            if got != SMALLEST:
                problems.append(f"{name} {got!r}, expected 2^-1074 for the gap {mp.nstr(want, 10)}")
        elif not (got > 0 and abs(mpf(got) - want) <= MARGIN_TOL * want):
            problems.append(f"{name} {got!r} ({float.hex(got)}), expected {mp.nstr(want, 25)}")


def main():
    mp.prec = PREC
    tally = {"tokens": 0, "weights": 0, "zero_weights": 0, "ties": 0, "infinite": 0, "gaps": 0}
    mismatches = []
    for lineno, line in enumerate(sys.stdin, 1):
        line = line.strip()
        if not line:
            continue
        tally["tokens"] += 1
        try:
            config, lf, bf, bias_bits, logit_bits, got = parse(line)
            if len(logit_bits) != config[0] or len(bias_bits) != config[0]:
                raise ValueError("row length does not match E")
            ids, groups, weights, gm, em = route(config, lf, bf, bias_bits, logit_bits)
        except (ValueError, KeyError, IndexError, struct.error) as e:
            mismatches.append((f"line {lineno}", [f"malformed: {e}"]))
            continue
        problems = []
        if got["ids"] != ids:
            problems.append(f"ids {got['ids']}, expected {ids}")
        if got["groups"] != groups:
            problems.append(f"groups {got['groups']}, expected {groups}")
        if len(got["w_hi"]) != len(weights):
            problems.append(f"{len(got['w_hi'])} weights, expected {len(weights)}")
        for k, (hi, lo, want) in enumerate(zip(got["w_hi"], got["w_lo"], weights)):
            tally["weights"] += 1
            if want == 0:
                tally["zero_weights"] += 1
                if hi != 0.0 or lo != 0.0:
                    problems.append(f"weight {k} {hi!r} + {lo!r}, expected exactly 0")
            elif not abs(mpf(hi) + mpf(lo) - want) <= WEIGHT_TOL * want + mpf(SMALLEST):
                problems.append(f"weight {k} {float.hex(hi)} + {float.hex(lo)}, expected {mp.nstr(want, 40)}")
        check_margin("group margin", got["margins"][0], gm, problems, tally)
        check_margin("expert margin", got["margins"][1], em, problems, tally)
        if problems:
            mismatches.append((f"line {lineno}: {line[:160]}...", problems))

    print(
        f"routing mpmath cross-check: {tally['tokens']} tokens, {tally['weights']} weights "
        f"({tally['zero_weights']} exactly 0), margins: {tally['gaps']} gaps, {tally['ties']} exact ties, "
        f"{tally['infinite']} infinite; {len(mismatches)} mismatches"
    )
    for where, problems in mismatches[:30]:
        print(f"MISMATCH {where}\n    " + "\n    ".join(problems))
    if len(mismatches) > 30:
        print(f"... and {len(mismatches) - 30} more")
    if tally["tokens"] == 0:
        print("no input lines: nothing was checked")
        return 1
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
