#!/usr/bin/python3
"""The Markdown table of the exhaustive sweeps recorded in a golden file (golden/SCHEMA.md,
"Exhaustive sweeps"), one row per sweep: what docs/exhaustive.md shows.

    scripts/exhaustive-table.py [golden/data/exhaustive.h5]
"""
import sys

import h5py


def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "golden/data/exhaustive.h5"
    f = h5py.File(path, "r")
    print(f"Recorded on {text(f.attrs['device'])} (CUDA {text(f.attrs['cuda_version'])}) by {text(f.attrs['tool'])}.\n")
    print("| op | case | dtype | kernel | elements | max ULP | max ULP above floor | p99 | correctly rounded | "
          "breaches | semantic differences | to MPFR |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for op in f:
        for dtype in f[op]:
            for case in f[op][dtype]:
                for kernel in f[op][dtype][case]:
                    a = f[op][dtype][case][kernel].attrs
                    print(f"| {op} | {case} | {dtype} | {kernel} | {int(a['elements'])} | {a['max_ulp']:.4g} | "
                          f"{a['max_ulp_above_floor']:.4g} | {a['p99']:.3g} | {100 * a['frac_correctly_rounded']:.4f}% | "
                          f"{int(a['budget_breaches'])} | {int(a['semantic_differences'])} | {int(a['escalated'])} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
