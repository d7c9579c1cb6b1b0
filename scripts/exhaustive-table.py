#!/usr/bin/python3
"""The Markdown table of exhaustive sweeps from their JSON reports (`ulpcheck exhaustive
--format json`), one row per case: what docs/exhaustive.md shows.

    scripts/exhaustive-table.py REPORT.json...
"""
import json
import sys


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    print("| op | params | dtype | kernel | max ULP | max ULP above floor | correctly rounded | p99 ULP | breaches | semantic differences |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for path in sys.argv[1:]:
        for c in json.load(open(path))["cases"]:
            print(f"| {c['op']} | {c.get('params_label') or '-'} | {c['dtype']} | {c['kernel']} | {c['max_ulp']:.4g} | "
                  f"{c['max_ulp_above_floor']:.4g} | {100 * c['fraction_correctly_rounded']:.4f}% | {c['p99_ulp']:.3g} | "
                  f"{c['budget_breaches']} | {c['semantic_differences']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
