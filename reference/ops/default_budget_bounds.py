#!/usr/bin/python3
"""The bounds behind the ops' default budgets (silu.cpp, gelu.cpp): for each op and dtype,
the largest ULP error that a fused kernel computing act(g) * u in fp32 and rounding once to
the storage format can show outside the budget's floor, when every library function is
within its documented error.

Error model (absolute error of the fp32 result, per unit of |u|, E): every fp32 add and
multiply rounds to nearest (half an ulp of its result); expf, erff and tanhf are within 2
ulps of the exact value and erfcf within 4 (CUDA's documented maxima; exp_fp32, the accurate
tanh form's exp, within 1); each returns +-1 (or 0) exactly where the correctly rounded
value is +-1 (or 0), which is where the erf and tanh forms flush to -0. The forms are those
of device/math/silu.cuh and gelu.cuh: t / (1 + e^-t); t/2 (1 + erf(t c)) and t/2 erfc(-t/sqrt 2)
with the argument's rounding corrected; t/2 (1 + tanh z) and t / (1 + e^-2z).

An element fails when |y - r| > max(U ulp(r), A |u|). With |y32 - r| <= E |u| and one final
rounding (half an ulp of r), a failing element has ulp(r) > 2 (A - E) |u|, and always
ulp(r) > |r| 2^-p, so its ULP error is below 0.5 + min(E / (2 (A - E)), 2^p E / |act|).
That bound is taken over fp32 gates (dense sampling) for fp32, where the final rounding is
the last fp32 operation itself. For 16-bit dtypes the gates are enumerated, and so are the
significands of up (its exponent scales r, E |u|, A |u| and ulp(r) alike), and each element's
worst output is computed exactly: the rounding of r - E |u| or of r + E |u|.

Run with Debian's python3 (numpy), again whenever a form or a library bound changes; it prints
one line per op and dtype, the max over the forms, and takes some minutes.
"""
import math
import sys

import numpy as np

U = 2.0**-24  # fp32 unit roundoff
FORMATS = {'bf16': (8, -126), 'fp16': (11, -14), 'fp32': (24, -126)}


def ulp_in(v, p, emin):
    v = np.abs(np.asarray(v, dtype=np.float64))
    e = np.maximum(np.floor(np.log2(np.where(v > 0, v, 2.0**-1000))), emin)
    return np.ldexp(1.0, (e - p + 1).astype(int))


def ulp32(v):
    return ulp_in(v, 24, -126)


def ulp32_below(v, cap):
    """ulp of a value that lies strictly inside (-cap, cap), cap a power of two, even where its
    double approximation rounded to +-cap (erf near 1, 1 + erf near 2)."""
    v = np.asarray(v, dtype=np.float64)
    return ulp32(np.where(np.abs(v) >= cap, 0.75 * cap, v))


def round_in(v, p, emin):
    q = ulp_in(v, p, emin)
    return np.round(v / q) * q  # ties to even; v / q is exact


def erfc(x):
    return np.asarray(np.frompyfunc(math.erfc, 1, 1)(x), dtype=np.float64)


C32 = float(np.float32(1 / math.sqrt(2)))
BETA, KAPPA = math.sqrt(2 / math.pi), 0.044715
BETA32, KAPPA32 = float(np.float32(BETA)), float(np.float32(KAPPA))

# Each form returns (act, Epre, Elast): the exact activation, the absolute error of its fp32
# value before its own last rounding, and that rounding (0 where the form flushes to -0).


def silu(t, k=2):
    e = np.exp(-t)
    s = 1 + e
    act = t / s
    epre = np.abs(act) * (k * ulp32(e) + 0.5 * ulp32(s)) / s
    return act, epre, U * np.abs(act)


def gelu_erf(t, k=2):
    x = t / math.sqrt(2)
    S = erfc(-x)  # 1 + erf(x), without cancellation
    e = S - 1.0
    dx = np.abs(t) * abs(C32 - 1 / math.sqrt(2)) + 0.5 * ulp32(t * C32)
    d = (2 / math.sqrt(math.pi) * np.exp(-x * x) * dx + k * ulp32_below(e, 1.0) +
         np.where(e <= -0.5, 0.0, 0.5 * ulp32_below(S, 2.0)))  # 1 + erf is exact past -0.5 (Sterbenz)
    act = t / 2 * S
    flush = S < 2.0**-25  # erf rounds to -1
    return act, np.where(flush, np.abs(act), np.abs(t) / 2 * d), np.where(flush, 0.0, U * np.abs(act))


def gelu_erfc(t, k=4):
    x = -t / math.sqrt(2)
    E = erfc(x)
    r = 2 * np.exp(-x * x) / (math.sqrt(math.pi) * np.where(E > 0, E, 1e-300))
    half_ulp_x = 0.5 * ulp32(x)
    corrected = (x > 0) & (x < 11)  # gelu.cuh: first-order correction by 2x d
    rel_arg = np.where(corrected, np.abs(r - 2 * x) * half_ulp_x + (2 * x * half_ulp_x)**2,
                       r * (half_ulp_x + np.abs(x) * abs(C32 * math.sqrt(2) - 1)))
    d = rel_arg * E + k * ulp32_below(E, 2.0) + np.where(corrected, 0.5 * ulp32_below(E, 2.0), 0.0)
    act = t / 2 * E
    flush = E < 2.0**-150  # erfc rounds to 0
    return act, np.where(flush, np.abs(act), np.abs(t) / 2 * d), np.where(flush, 0.0, U * np.abs(act))


def gelu_tanh(t, k=2):
    z = BETA * (t + KAPPA * t**3)
    # t^3 three products, the sum of like signs, the product by beta, and the two constants.
    dz = np.abs(z) * (abs(BETA32 / BETA - 1) + abs(KAPPA32 / KAPPA - 1) + 5 * U)
    th = np.tanh(z)
    S = 2.0 / (1.0 + np.exp(-2 * z))  # 1 + tanh z, without cancellation
    d = (1 - th * th) * dz + k * ulp32_below(th, 1.0) + np.where(th <= -0.5, 0.0, 0.5 * ulp32_below(S, 2.0))
    act = t / 2 * S
    flush = S < 2.0**-25  # tanh rounds to -1
    return act, np.where(flush, np.abs(act), np.abs(t) / 2 * d), np.where(flush, 0.0, U * np.abs(act))


def gelu_tanh_exp(t, k=1):
    z = BETA * (t + KAPPA * t**3)  # carried as two floats: its error is of order u^2
    e = np.exp(-2 * z)
    s = 1 + e
    ds = k * ulp32(e) + 0.5 * ulp32(e) + 0.5 * ulp32(s)  # exp, the correcting FMA, the add
    act = t / s
    return act, np.abs(act) * ds / s, U * np.abs(act)


def sixteen_bit_values(f):
    if f == 'bf16':
        v = (np.arange(1 << 16, dtype=np.uint32) << 16).view(np.float32).astype(np.float64)
    else:
        v = np.arange(1 << 16, dtype=np.uint16).view(np.float16).astype(np.float64)
    return v[np.isfinite(v) & (v != 0)]


def worst_outside_floor(act, E, A, p, emin, u):
    r = act * u
    worst = np.maximum(np.abs(round_in(r - E * u, p, emin) - r), np.abs(round_in(r + E * u, p, emin) - r))
    return np.where(worst > A * u, worst / ulp_in(r, p, emin), 0.0)


def bound(form, A, f, gated):
    p, emin = FORMATS[f]
    with np.errstate(all='ignore'):
        if f != 'fp32':
            t = sixteen_bit_values(f)
            act, epre, elast = form(t)
            E = epre + elast + (U * np.abs(act) if gated else 0.0)
            ok = np.isfinite(act) & np.isfinite(E)
            act, E = act[ok], E[ok]
            ups = 1.0 + np.arange(1 << (p - 1)) / (1 << (p - 1)) if gated else np.array([1.0])
            return max(worst_outside_floor(act, E, A, p, emin, u).max() for u in ups)
        t = np.concatenate([np.linspace(-110, 110, 2_200_001), np.linspace(-8, 12, 2_000_001)])
        act, epre, elast = form(t)
        E = epre + (elast if gated else 0.0)  # the last fp32 rounding is the final one
        ok = np.isfinite(act) & np.isfinite(E) & (act != 0)
        act, E = act[ok], E[ok]
        m = np.minimum(np.where(E < A, E / (2 * (A - E)), np.inf), E * 2.0**p / np.abs(act))
        return 0.5 + m.max()


OPS = [  # op, forms of a correct single-rounding kernel, floor
    ('silu', [silu], 2.0**-121, False),
    ('silu_and_mul', [silu], 2.0**-121, True),
    ('gelu', [gelu_erf, gelu_erfc], 2.0**-21, False),
    ('gelu_and_mul', [gelu_erf, gelu_erfc], 2.0**-21, True),
    ('gelu_tanh', [gelu_tanh, gelu_tanh_exp], 2.0**-21, False),
    ('gelu_tanh_and_mul', [gelu_tanh, gelu_tanh_exp], 2.0**-21, True),
]

if __name__ == '__main__':
    wanted = sys.argv[1:]
    for op, forms, A, gated in OPS:
        if wanted and op not in wanted:
            continue
        for f in FORMATS:
            per_form = [bound(form, A, f, gated) for form in forms]
            print(f"{op:18} {f}: {max(per_form):.4f} ULP  (" +
                  ", ".join(f"{form.__name__} {b:.4f}" for form, b in zip(forms, per_form)) + ")", flush=True)
