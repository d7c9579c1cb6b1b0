#!/usr/bin/python3
"""Check real report documents against the JSON Schemas of reports/schema/.

Usage: report_schema_check.py ULPCHECK SCHEMA_DIR [PLANTED_PLUGIN]

Runs `ULPCHECK report --format json` several times into a temporary directory, and
`ULPCHECK report --diff OLD NEW --format json` over pairs of the results, then validates
each report against SCHEMA_DIR/report.schema.json and each diff against
SCHEMA_DIR/report_diff.schema.json (JSON Schema draft 2020-12, python3-jsonschema). The
reports between them hold every section: one case; every op (approximation sections, the
routing section with its precision study); silu_and_mul_clamp in every dtype and limit;
gelu and gelu_tanh in every dtype (the 16-bit dtypes on all 65536 inputs, an approximation
section per dtype); routing without the study. With PLANTED_PLUGIN (the plugin of
planted-bug kernels) they also hold failing cases, budget breaches, semantic differences and
cases not measured, and the diffs a regression and a fix.

Each document gets one line: how it was made, its counts, and whether it is valid; then its
errors, each with the JSON path of the value it is about. The check must also be able to
fail: damaged copies of a report and of a diff (a number turned into a string, a
required key deleted, a key added, a value outside its set) must each fail validation, at
the damaged value. Finally the documents together must still show every part listed in
COVERAGE, so that a change to ulpcheck's defaults cannot leave parts of the schema
unexercised without notice.

Exits 0 when every document validates and every damaged copy fails, 1 otherwise, 2 on
wrong arguments.
"""

import copy
import json
import pathlib
import subprocess
import sys
import tempfile
import time
import warnings

try:
    import jsonschema
    from jsonschema import Draft202012Validator
except ImportError:
    sys.exit("report_schema_check: python3-jsonschema is missing (scripts/install-deps.sh installs it)")

# Printing stops after this many errors per document (the count is still given): a schema
# that is wrong about a table row is wrong about thousands of them.
MAX_ERRORS_SHOWN = 50

# (name, arguments of `ulpcheck report`, needs the planted plugin)
REPORTS = [
    ("one", ["--op", "silu_and_mul", "--dtype", "bf16", "--samples", "2000"], False),
    # Every op: cases, approximation sections, routing with the precision study. Routing
    # takes --samples as tokens per batch; 64 holds every part and keeps the run short.
    ("every", ["--samples", "64"], False),
    ("clamp", ["--dtype", "all", "--op", "silu_and_mul_clamp", "--samples", "1000"], False),
    ("unary", ["--dtype", "all", "--op", "gelu", "--op", "gelu_tanh", "--samples", "1000"], False),
    ("routing", ["--no-precision-study", "--op", "biased_grouped_topk", "--samples", "256"], False),
    # Failing cases (breaches, NaN handling) and cases not measured (a kernel named for an
    # op it does not implement).
    ("planted", ["--op", "silu_and_mul_clamp", "--op", "silu_and_mul", "--kernel", "planted.nan_clamped_to_limit",
                 "--kernel", "planted.truncating_conversion", "--kernel", "planted.clamp_path_rounds_twice",
                 "--samples", "2000"], True),
    # The same case passing on 64 tokens and failing on 256: a regression and a fix.
    ("tokens64", ["--op", "silu_and_mul", "--kernel", "planted.truncates_above_128_tokens",
                  "--tokens", "64", "--d", "8"], True),
    ("tokens256", ["--op", "silu_and_mul", "--kernel", "planted.truncates_above_128_tokens",
                   "--tokens", "256", "--d", "8"], True),
]

# (name, old report, new report)
DIFFS = [
    ("one_to_every", "one", "every"),        # changed, only_new; routing, combine and MoE block only_new
    ("every_to_one", "every", "one"),        # only_old; routing, combine and MoE block only_old
    ("routing_to_every", "routing", "every"),  # routing changed
    ("every_to_every", "every", "every"),    # unchanged, combine and MoE block stages too
    ("regression", "tokens64", "tokens256"),
    ("fix", "tokens256", "tokens64"),
]

# Parts that the documents together must show: (name, needs the planted plugin).
COVERAGE = [
    ("report: a unary case", False), ("report: a gated case", False),
    ("report: an fp32 case", False), ("report: a 16-bit case", False),
    ("report: a case with parameters", False), ("report: a case of several kernel calls", False),
    ("report: an element row with a non-finite value", False),
    ("report: a binade row that is not a binade", False), ("report: a range row that is not a binade", False),
    ("report: a unary approximation section", False), ("report: a gated approximation section", False),
    ("report: an fp32 approximation entry", False),
    ("report: a routing section with its precision study", False),
    ("report: a routing section without its precision study", False),
    ("report: a failing case", True), ("report: a budget breach", True), ("report: a semantic difference", True),
    ("report: a case not measured", True),
    ("diff: changed", False), ("diff: unchanged", False), ("diff: only_old", False), ("diff: only_new", False),
    ("diff: a figure that moved", False), ("diff: a note", False), ("diff: a new worst input", False),
    ("diff: a routing case changed", False), ("diff: a routing case only in one report", False),
    ("diff: a combine case unchanged", False), ("diff: a combine case only in one report", False),
    ("diff: a MoE block stage unchanged", False), ("diff: a MoE block only in one report", False),
    ("diff: regression", True), ("diff: fixed", True),
]


def json_path(path):
    out = "$"
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else f".{p}"
    return out


def short(text, limit=300):
    return text if len(text) <= limit else text[:limit] + "..."


def reject_constant(name):
    raise ValueError(f"{name} is not JSON (non-finite numbers must be the strings \"nan\", \"inf\", \"-inf\")")


def load(path):
    return json.loads(pathlib.Path(path).read_text(encoding="utf-8"), parse_constant=reject_constant)


def validators(schema_dir):
    """The report and diff validators; the diff schema's references into report.schema.json
    resolve to the file beside it."""
    paths = {name: (schema_dir / f"{name}.schema.json").resolve() for name in ("report", "report_diff")}
    schemas = {name: load(p) for name, p in paths.items()}
    for name, schema in schemas.items():
        Draft202012Validator.check_schema(schema)
    store = {p.as_uri(): schemas[name] for name, p in paths.items()}
    out = {}
    with warnings.catch_warnings():
        # Newer jsonschema releases deprecate RefResolver; Debian 12's 4.10 has nothing else.
        warnings.simplefilter("ignore", DeprecationWarning)
        for name, p in paths.items():
            resolver = jsonschema.RefResolver(base_uri=p.as_uri(), referrer=schemas[name], store=store)
            out[name] = Draft202012Validator(schemas[name], resolver=resolver)
    return out


def errors_of(validator, doc):
    """Every error of `doc`, in document order."""
    return sorted(validator.iter_errors(doc),
                  key=lambda e: [(0, p, "") if isinstance(p, int) else (1, 0, p) for p in e.absolute_path])


def run(cmd, cwd):
    """Runs ulpcheck; its exit status is 0 (pass) or 1 (a failing case, a regression) for a
    document written. Returns an error text, or None."""
    try:
        r = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    except OSError as e:
        return f"cannot run {cmd[0]}: {e}"
    if r.returncode not in (0, 1):
        return f"exit status {r.returncode}: {' '.join(cmd)}\n{short(r.stderr.strip(), 2000)}"
    return None


def covered(reports, diffs):
    """The COVERAGE names that the documents show."""
    seen = set()
    for doc in reports.values():
        for c in doc["cases"]:
            seen.add("report: a gated case" if c["arity"] == 2 else "report: a unary case")
            seen.add("report: an fp32 case" if c["dtype"] == "fp32" else "report: a 16-bit case")
            if c["params"]:
                seen.add("report: a case with parameters")
            if len(c.get("calls", [])) > 1:
                seen.add("report: a case of several kernel calls")
            for key in ("worst", "worst_in_floor", "semantic", "breaches"):
                for e in c[key]:
                    if any(isinstance(v, str) and v in ("nan", "inf", "-inf") for v in e.values()):
                        seen.add("report: an element row with a non-finite value")
            if any(isinstance(r["binade"], str) for r in c["binades_input"] + c["binades_result"]):
                seen.add("report: a binade row that is not a binade")
            if any("binade" in r for r in c["ranges_input"] + c["ranges_result"]):
                seen.add("report: a range row that is not a binade")
            if not c["pass"]:
                seen.add("report: a failing case")
            if c["breaches"]:
                seen.add("report: a budget breach")
            if c["semantic"]:
                seen.add("report: a semantic difference")
        for a in doc.get("approximations", []):
            seen.add("report: a gated approximation section" if a["arity"] == 2
                     else "report: a unary approximation section")
            if any(d["dtype"] == "fp32" for d in a["dtypes"]):
                seen.add("report: an fp32 approximation entry")
        if isinstance(doc.get("routing"), dict):
            seen.add("report: a routing section " +
                     ("without its precision study" if doc["routing"]["precision_study"] is None
                      else "with its precision study"))
        if doc["skipped"]:
            seen.add("report: a case not measured")
    for doc in diffs.values():
        for c in doc["cases"]:
            seen.add("diff: " + c["status"])
            if c.get("figures"):
                seen.add("diff: a figure that moved")
            if c.get("notes"):
                seen.add("diff: a note")
            if c.get("new_worst"):
                seen.add("diff: a new worst input")
        for r in doc.get("routing", []):
            if r["status"] == "changed":
                seen.add("diff: a routing case changed")
            if r["status"] in ("only_old", "only_new"):
                seen.add("diff: a routing case only in one report")
        for c in doc.get("combine", []):
            if c["status"] == "unchanged":
                seen.add("diff: a combine case unchanged")
            if c["status"] in ("only_old", "only_new"):
                seen.add("diff: a combine case only in one report")
        for b in doc.get("moe_blocks", []):
            if b["status"] in ("only_old", "only_new"):
                seen.add("diff: a MoE block only in one report")
            if any(s["status"] == "unchanged" for s in b["stages"]):
                seen.add("diff: a MoE block stage unchanged")
    return seen


def first_case(doc, arity):
    return next(i for i, c in enumerate(doc["cases"]) if c["arity"] == arity)


def first_element_case(doc, arity):
    return next(i for i, c in enumerate(doc["cases"]) if c["arity"] == arity and c["worst"])


def trimmed_report(doc):
    """A short copy of a report of every op for the damaged copies, which are validated many
    times: one unary case, one gated case with element rows, the first approximation
    section and routing batch, each table cut to a few rows."""
    d = copy.deepcopy(doc)
    d["cases"] = [d["cases"][first_case(d, 1)], d["cases"][first_element_case(d, 2)]]
    for c in d["cases"]:
        for key in ("binades_input", "binades_result", "ranges_input", "ranges_result", "ulp_histogram"):
            c[key] = c[key][:4]
    d["approximations"] = d["approximations"][:1]
    for a in d["approximations"]:
        a["dtypes"] = a["dtypes"][:1]
        for t in a["dtypes"]:
            t["rounded"]["binades_input"] = t["rounded"]["binades_input"][:4]
            t["kernel_pairs"] = t["kernel_pairs"][:2]
    d["routing"]["batches"] = d["routing"]["batches"][:1]
    d["routing"]["precision_study"]["biases"] = d["routing"]["precision_study"]["biases"][:1]
    return d


def trimmed_diff(doc):
    """A short copy of a diff: its first changed case and two others, three routing cases,
    two combine cases, one MoE block with two stages."""
    d = copy.deepcopy(doc)
    changed = next(i for i, c in enumerate(d["cases"]) if c["status"] == "changed")
    d["cases"] = [d["cases"][changed]] + [c for i, c in enumerate(d["cases"]) if i != changed][:2]
    d["routing"] = d["routing"][:3]
    d["combine"] = d["combine"][:2]
    d["moe_blocks"] = d["moe_blocks"][:1]
    for b in d["moe_blocks"]:
        b["stages"] = b["stages"][:2]
    return d


def damages(every, diff):
    """(what, document, schema, path of the damaged value, function that damages a copy)."""
    unary, gated = first_case(every, 1), first_element_case(every, 2)
    changed = next(i for i, c in enumerate(diff["cases"]) if c["status"] == "changed")

    def put(path, value):
        def f(d):
            obj = d
            for p in path[:-1]:
                obj = obj[p]
            obj[path[-1]] = value
        return f

    def delete(path):
        def f(d):
            obj = d
            for p in path[:-1]:
                obj = obj[p]
            del obj[path[-1]]
        return f

    return [
        ("a case's \"max_ulp\" turned into a string", every, "report", ["cases", unary, "max_ulp"],
         put(["cases", unary, "max_ulp"], "large")),
        ("a case's \"worst\" deleted", every, "report", ["cases", unary], delete(["cases", unary, "worst"])),
        ("a key added to a case", every, "report", ["cases", unary], put(["cases", unary, "comment"], "")),
        ("the summary's \"verdict\" outside PASS/FAIL", every, "report", ["summary", "verdict"],
         put(["summary", "verdict"], "MAYBE")),
        ("a gated case's element without \"x1\"", every, "report", ["cases", gated, "worst", 0],
         delete(["cases", gated, "worst", 0, "x1"])),
        ("a unary case's special value with \"up\"", every, "report", ["cases", unary, "special_values", 0, "up"],
         put(["cases", unary, "special_values", 0, "up"], "normal")),
        ("an approximation element without \"exact_lo\"", every, "report",
         ["approximations", 0, "dtypes", 0, "rounded", "worst", 0],
         delete(["approximations", 0, "dtypes", 0, "rounded", "worst", 0, "exact_lo"])),
        ("the routing section without \"precision_study\"", every, "report", ["routing"],
         delete(["routing", "precision_study"])),
        ("a routing case's \"tokens\" negative", every, "report", ["routing", "batches", 0, "cases", 0, "tokens"],
         put(["routing", "batches", 0, "cases", 0, "tokens"], -1)),
        ("a diff case's \"status\" outside its set", diff, "report_diff", ["cases", changed, "status"],
         put(["cases", changed, "status"], "worse")),
        ("a changed diff case without \"old\"", diff, "report_diff", ["cases", changed],
         delete(["cases", changed, "old"])),
        ("the diff summary without \"regressions\"", diff, "report_diff", ["summary"],
         delete(["summary", "regressions"])),
        ("a diff combine case without \"kernel\"", diff, "report_diff", ["combine", 0],
         delete(["combine", 0, "kernel"])),
        ("a diff MoE block stage's \"status\" outside its set", diff, "report_diff",
         ["moe_blocks", 0, "stages", 0, "status"], put(["moe_blocks", 0, "stages", 0, "status"], "worse")),
    ]


def main(argv):
    if len(argv) not in (3, 4):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    ulpcheck = str(pathlib.Path(argv[1]).resolve())
    schema_dir = pathlib.Path(argv[2])
    plugin = str(pathlib.Path(argv[3]).resolve()) if len(argv) == 4 else None
    start = time.monotonic()
    v = validators(schema_dir)
    failed = False

    def check(line, validator, doc):
        """Prints `line` with the verdict, then every error; True when `doc` is valid."""
        nonlocal failed
        t = time.monotonic()
        errors = errors_of(validator, doc)
        seconds = time.monotonic() - t
        if not errors:
            print(f"{line}; valid ({seconds:.1f} s)")
            return True
        failed = True
        print(f"{line}; INVALID: {len(errors)} schema error{'s' if len(errors) != 1 else ''}")
        for e in errors[:MAX_ERRORS_SHOWN]:
            print(f"  {json_path(e.absolute_path)}: {short(e.message)}")
        if len(errors) > MAX_ERRORS_SHOWN:
            print(f"  ... and {len(errors) - MAX_ERRORS_SHOWN} more")
        return False

    def produce(what, cmd, out, cwd):
        """Runs `cmd`, which writes the JSON document `out`; the document, or None (said)."""
        nonlocal failed
        if err := run(cmd, cwd):
            print(f"{what}: {err}")
            failed = True
            return None
        try:
            return load(out)
        except (OSError, ValueError) as e:
            print(f"{what}: not a JSON document: {e}")
            failed = True
            return None

    # The documents as written, and those of them that are valid.
    written, reports, diffs = {}, {}, {}
    with tempfile.TemporaryDirectory(prefix="ulpcheck-schema-") as tmp:
        for name, args, needs_plugin in REPORTS:
            if needs_plugin and not plugin:
                continue
            out = pathlib.Path(tmp) / f"{name}.json"
            cmd = [ulpcheck, "report", *(["--plugin", plugin] if needs_plugin else []), *args, "--format", "json",
                   "-o", str(out)]
            t = time.monotonic()
            doc = produce(f"report {name}", cmd, out, tmp)
            if doc is None:
                continue
            written[name] = doc
            line = f"report {name} ({' '.join(args)}): written in {time.monotonic() - t:.1f} s"
            if isinstance(doc, dict) and isinstance(doc.get("summary"), dict):
                line += f", {doc['summary'].get('cases')} cases, {doc['summary'].get('verdict')}"
            if check(line, v["report"], doc):
                reports[name] = doc
        for name, old, new in DIFFS:
            if old not in written or new not in written:
                continue
            out = pathlib.Path(tmp) / f"diff_{name}.json"
            cmd = [ulpcheck, "report", "--diff", str(pathlib.Path(tmp) / f"{old}.json"),
                   str(pathlib.Path(tmp) / f"{new}.json"), "--format", "json", "-o", str(out)]
            doc = produce(f"diff {name}", cmd, out, tmp)
            if doc is None:
                continue
            line = f"diff {name} ({old} -> {new})"
            if isinstance(doc, dict) and isinstance(doc.get("summary"), dict):
                line += ": " + ", ".join(f"{k} {n}" for k, n in doc["summary"].items())
            if check(line, v["report_diff"], doc):
                diffs[name] = doc

    if "every" in reports and "one_to_every" in diffs:
        try:
            every, diff = trimmed_report(reports["every"]), trimmed_diff(diffs["one_to_every"])
            damaged = damages(every, diff)
        except (KeyError, IndexError, TypeError, StopIteration) as e:
            failed = True
            print(f"damaged copies: the documents lack a part to damage ({type(e).__name__} {e})")
            damaged = []
        else:
            if not (check("trimmed copy of report every", v["report"], every) and
                    check("trimmed copy of diff one_to_every", v["report_diff"], diff)):
                damaged = []
        for what, doc, schema, path, damage in damaged:
            bad = copy.deepcopy(doc)
            try:
                damage(bad)
            except (KeyError, IndexError, TypeError) as e:
                failed = True
                print(f"damaged copy, {what}: the document has no {json_path(path)} ({type(e).__name__} {e})")
                continue
            errors = errors_of(v[schema], bad)
            # At the damaged value, or at the object holding it (newer jsonschema releases
            # place a "false" subschema's error there).
            at = [e for e in errors if list(e.absolute_path) in (path, path[:-1])]
            if at:
                print(f"damaged copy, {what}: fails as it must: {json_path(path)}: {short(at[0].message, 160)}")
            elif errors:
                failed = True
                print(f"damaged copy, {what}: fails, but not at {json_path(path)}:")
                for e in errors[:MAX_ERRORS_SHOWN]:
                    print(f"  {json_path(e.absolute_path)}: {short(e.message)}")
            else:
                failed = True
                print(f"damaged copy, {what}: PASSES the schema; it must fail at {json_path(path)}")

    seen = covered(reports, diffs)
    missing = [name for name, needs_plugin in COVERAGE if (plugin or not needs_plugin) and name not in seen]
    if failed and missing:
        print("coverage: not checked, since documents above failed")
    elif missing:
        failed = True
        print("the documents no longer show: " + "; ".join(missing))
    else:
        print(f"coverage: the documents show all {sum(1 for _, p in COVERAGE if plugin or not p)} parts listed"
              + ("" if plugin else " (without the planted plugin: no failing case, diff regression or fix)"))

    print(f"{'FAILED' if failed else 'passed'}: {len(reports)} valid reports, {len(diffs)} valid diffs "
          f"in {time.monotonic() - start:.1f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
