#!/usr/bin/python3
"""Cross-check the MPFR tier of ulpcheck's oracle against mpmath.

Reads the lines that tests/reference/oracle_dump.cpp prints,

    op format limit x0 x1 rounded exact_hi exact_lo

(numbers as C99 hex floats, limit "none" for ops without one, x1 "-" for unary ops), and
recomputes each element independently of the C++ code: the exact value of act(g) * u with

    silu(t)      = t / (1 + exp(-t))
    gelu(t)      = t * ncdf(t)                           (mpmath's normal CDF)
    gelu_tanh(t) = t * exp(z) / (2 cosh(z)),  z = sqrt(2/pi) (t + 0.044715 t^3)

(the last is t/2 (1 + tanh z) written without cancellation, in another form than the
oracle's t / (1 + exp(-2z))), u = 1 for the unary ops, and silu(min(g, L)) * clamp(u, -L, L)
for silu_and_mul_clamp, with mpmath at 300 bits, and its rounding to the output format
with a round-to-nearest-even written here (subnormals, overflow to inf, signed zeros),
using only mpmath's frexp/ldexp/floor. Two checks per element:

  1. the oracle's rounded value equals this script's, bit for bit (sign of zero included);
  2. the oracle's exact value hi + lo is within 2^-100 |exact| + 2^-1074 of the exact value.
     The absolute 2^-1074 term is the documented contract of to_double_double for results
     below double's normal range (|exact| < 2^-1022: hi and lo are subnormal or zero, and
     the oracle's special rules return hi = lo = 0 below 2^-1300). When the exact value is
     exactly zero (a zero gate or up), hi and lo must both be zero.

A large positive gate can make g * u an exact rounding midpoint while act(g) * u = g * u *
(1 - eps) with eps far below any working precision (eps = 1 / (1 + e^g) for silu, 1 -
ncdf(g) for gelu): the exact value then lies just inside the midpoint, so it rounds toward
zero. The script computes eps itself (mpmath's exponents are unbounded), checks that it is
positive, and settles such a case that way.

Prints "mpmath cross-check: N values, M mismatches" and the count per op, then one block
per mismatch; exits 1 on any mismatch, on a malformed line, or on empty input, and 0
otherwise.
"""

import math
import sys

import mpmath
from mpmath import mp, mpf

PREC = 300
# Escalation when a value lies so close to a rounding midpoint that PREC bits might not
# settle it (never expected for these transcendental values, but cheap to guard).
PRECS = (PREC, 1200, 4800)

# (precision p counting the implicit bit, emin, emax): normal values are m * 2^e with
# 1 <= m < 2, emin <= e <= emax.
FORMATS = {
    "bf16": (8, -126, 127),
    "fp16": (11, -14, 15),
    "fp32": (24, -126, 127),
}

REL_TOL = mpf(2) ** -100
ABS_TOL = mpf(2) ** -1074


def round_to_format(x, fmt):
    """Rounds a nonzero mpf `x` to `fmt`, ties to even.

    Returns (value as a Python float, ambiguous) where ambiguous says that x lies within
    2^-(prec-20) relative of a midpoint, so that the working precision might not settle it.
    """
    p, emin, emax = FORMATS[fmt]
    negative = x < 0
    a = -x if negative else x
    _, e = mpmath.frexp(a)  # a = m * 2^e with 1/2 <= m < 1
    binade = int(e) - 1  # floor(log2 a)
    q = max(binade, emin) - p + 1  # exponent of one ulp at a
    s = mpmath.ldexp(a, -q)  # a in ulps: exact scaling
    n = mpmath.floor(s)
    frac = s - n
    half = mpf(1) / 2
    ambiguous = abs(frac - half) <= s * mpf(2) ** -(mp.prec - 20)
    if frac > half or (frac == half and int(n) % 2 == 1):
        n += 1
    r = mpmath.ldexp(n, q)
    if r >= mpmath.ldexp(mpf(1), emax + 1):
        v = math.inf
    else:
        v = float(r)  # exact: at most p significant bits, within double's range
        if mpf(v) != r:
            raise AssertionError(f"rounded value {r} is not a double")
    return (-v if negative else v), ambiguous


def same_float(a, b):
    """Equal as IEEE values, with the sign of zero significant."""
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


def silu(t):
    return t / (1 + mpmath.exp(-t))


def gelu(t):
    return t * mpmath.ncdf(t)


def gelu_tanh(t):
    z = mpmath.sqrt(2 / mpmath.pi) * (t + mpf("0.044715") * t**3)
    return t * mpmath.exp(z) / (2 * mpmath.cosh(z))


def silu_eps(t):
    return 1 / (1 + mpmath.exp(t))


def gelu_eps(t):
    return mpmath.ncdf(-t)


def gelu_tanh_eps(t):
    z = mpmath.sqrt(2 / mpmath.pi) * (t + mpf("0.044715") * t**3)
    return 1 / (1 + mpmath.exp(2 * z))


# op: (activation, 1 - act(t)/t for t > 0, arity, takes a limit)
OPS = {
    "silu": (silu, silu_eps, 1, False),
    "silu_and_mul": (silu, silu_eps, 2, False),
    "silu_and_mul_clamp": (silu, silu_eps, 2, True),
    "gelu": (gelu, gelu_eps, 1, False),
    "gelu_and_mul": (gelu, gelu_eps, 2, False),
    "gelu_tanh": (gelu_tanh, gelu_tanh_eps, 1, False),
    "gelu_tanh_and_mul": (gelu_tanh, gelu_tanh_eps, 2, False),
}


def prepare(op, limit, g, u):
    """The exact input transform: selections, so no rounding; signed zeros as in IEEE."""
    _, _, arity, has_limit = OPS[op]
    if not has_limit:
        return g, (u if arity == 2 else 1.0)
    L = limit
    gc = L if g > L else g
    uc = L if u > L else (-L if u < -L else u)
    return gc, uc


def exact_value(op, gc, uc):
    """act(gc) * uc at the current mpmath precision (both nonzero and finite)."""
    return OPS[op][0](mpf(gc)) * mpf(uc)


def midpoint_toward_zero(op, gc, uc, fmt):
    """For gc > 0 with gc * uc exactly a rounding midpoint of fmt: the rounding of
    gc * uc * (1 - eps) toward zero, after checking eps > 0; None otherwise."""
    if gc <= 0:
        return None
    p = mpf(gc) * mpf(uc)  # exact: at most 48 significant bits
    prec, emin, emax = FORMATS[fmt]
    _, e = mpmath.frexp(abs(p))
    q = max(int(e) - 1, emin) - prec + 1
    s = mpmath.ldexp(abs(p), -q)
    if s - mpmath.floor(s) != mpf(1) / 2 or not OPS[op][1](mpf(gc)) > 0:
        return None
    r = mpmath.ldexp(mpmath.floor(s), q)
    v = math.inf if r >= mpmath.ldexp(mpf(1), emax + 1) else float(r)
    return -v if p < 0 else v


def hexf(v):
    return float.hex(v)


def check_line(fields):
    """Returns (description of the element, list of problems)."""
    op, fmt, limit_s, x0_s, x1_s, rounded_s, hi_s, lo_s = fields
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt}")
    limit = None if limit_s == "none" else float.fromhex(limit_s)
    g = float.fromhex(x0_s)
    u = None if x1_s == "-" else float.fromhex(x1_s)
    if op not in OPS:
        raise ValueError(f"unknown op {op}")
    _, _, arity, has_limit = OPS[op]
    if (arity == 1) != (u is None) or has_limit != (limit is not None):
        raise ValueError("op, limit and arity do not fit together")
    rounded = float.fromhex(rounded_s)
    hi = float.fromhex(hi_s)
    lo = float.fromhex(lo_s)

    gc, uc = prepare(op, limit, g, u if u is not None else 1.0)
    where = (f"{op} {fmt} limit={limit_s} x0={x0_s} ({g!r})"
             + ("" if u is None else f" x1={x1_s} ({u!r})")
             + f"\n    oracle: rounded={rounded_s} ({rounded!r}) exact_hi={hi_s} exact_lo={lo_s}")
    problems = []

    if gc == 0.0 or uc == 0.0:
        # act(+-0) = +-0 and IEEE sign rules for the product.
        negative = (math.copysign(1.0, gc) < 0) != (math.copysign(1.0, uc) < 0)
        want = -0.0 if negative else 0.0
        where += f"\n    mpmath: exact = {'-' if negative else '+'}0 (zero gate or up after the clamp)"
        if not same_float(rounded, want):
            problems.append(f"rounded {rounded!r} != {want!r}")
        if hi != 0.0 or lo != 0.0:
            problems.append(f"exact is 0 but hi + lo = {hi!r} + {lo!r}")
        return where, problems

    for prec in PRECS:
        with mp.workprec(prec):
            exact = exact_value(op, gc, uc)
            want, ambiguous = round_to_format(exact, fmt)
            if not ambiguous:
                break
    else:
        with mp.workprec(PREC):
            settled = midpoint_toward_zero(op, gc, uc, fmt)
        if settled is None:
            problems.append(f"mpmath could not settle the rounding at {PRECS[-1]} bits")
        else:
            want = settled
            where += "\n    settled as an exact midpoint of g * u, toward zero"

    with mp.workprec(PREC):
        exact = exact_value(op, gc, uc)
        err = abs((mpf(hi) + mpf(lo)) - exact)
        bound = REL_TOL * abs(exact) + ABS_TOL
        where += (f"\n    mpmath: rounded={hexf(want)} ({want!r}) exact={mpmath.nstr(exact, 40)}"
                  f" |hi+lo-exact|={mpmath.nstr(err, 5)} bound={mpmath.nstr(bound, 5)}")
        if not same_float(rounded, want):
            problems.append(f"rounded {rounded!r} != {want!r}")
        if not err <= bound:
            problems.append("exact value off by more than 2^-100 relative (+ 2^-1074)")
    return where, problems


def main():
    mp.prec = PREC
    count = 0
    per_op = {}
    mismatches = []
    for lineno, line in enumerate(sys.stdin, 1):
        line = line.strip()
        if not line:
            continue
        count += 1
        fields = line.split()
        per_op[fields[0]] = per_op.get(fields[0], 0) + 1
        try:
            if len(fields) != 8:
                raise ValueError(f"{len(fields)} fields, expected 8")
            where, problems = check_line(fields)
        except (ValueError, OverflowError, AssertionError) as e:
            mismatches.append((f"line {lineno}: {line!r}", [f"malformed: {e}"]))
            continue
        if problems:
            mismatches.append((where, problems))

    print(f"mpmath cross-check: {count} values, {len(mismatches)} mismatches")
    print("  per op: " + ", ".join(f"{op} {n}" for op, n in per_op.items()))
    for where, problems in mismatches[:50]:
        print(f"MISMATCH {where}\n    " + "; ".join(problems))
    if len(mismatches) > 50:
        print(f"... and {len(mismatches) - 50} more")
    if count == 0:
        print("no input lines: nothing was checked")
        return 1
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
