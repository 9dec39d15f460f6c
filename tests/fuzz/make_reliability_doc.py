"""Write docs/reliability.md from the fuzz suite's registry of case kinds and its last deep run.

    python tests/fuzz/make_reliability_doc.py                  # regenerate the document
    python tests/fuzz/make_reliability_doc.py --tallies DIR    # first record a deep run's tallies
    python tests/fuzz/make_reliability_doc.py --check          # exit 1 if the document is stale

Every kind's example is run to show what the user sees, so the document cannot drift from the
code; tests/fuzz/test_fuzz_cases.py fails when the committed document differs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from fuzz_cases import KINDS, run_example
from fuzz_run import DEEP_CASES, QUICK_CASES, ROOT, Kind

DOC = ROOT / "docs" / "reliability.md"
LAST_RUN = Path(__file__).with_name("last_deep_run.json")
TABLE_TESTS = ("csv", "excel", "parquet", "jsonl", "cli")
_INVISIBLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff]"
)
_SHOWN = 220


def merge(folder: Path) -> dict[str, Any]:
    """One summary of the tallies the pytest processes of a deep run wrote into ``folder`` (a
    run finished in parts leaves the tallies of each part there)."""
    tallies = [json.loads(p.read_text("utf-8")) for p in sorted(folder.glob("tally-*.json"))]
    if not tallies:
        raise SystemExit(f"no tally-*.json in {folder}: did the deep run write its tallies?")
    total: dict[str, Counter[str]] = {"cases": Counter(), "kinds": Counter(), "outcomes": Counter()}
    for tally in tallies:
        for key, counter in total.items():
            counter.update(tally[key])
    finished = max(t["finished"] for t in tallies)
    return {
        "date": dt.datetime.fromtimestamp(finished, dt.UTC).strftime("%Y-%m-%d"),
        "profile": ", ".join(sorted({t["profile"] for t in tallies})),
        "processes": len(tallies),
        "seconds": round(_busy([(t["started"], t["finished"]) for t in tallies])),
        "cpu_seconds": round(sum(t["cpu_seconds"] for t in tallies)),
        **{key: dict(sorted(counter.items())) for key, counter in total.items()},
    }


def _busy(spans: list[tuple[float, float]]) -> float:
    """Seconds during which at least one process ran (runs one after another add up)."""
    total, end = 0.0, float("-inf")
    for start, finish in sorted(spans):
        total += max(0.0, finish - max(start, end))
        end = max(end, finish)
    return total


def _visible(text: str) -> str:
    return _INVISIBLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _code(text: str) -> str:
    """Text as a Markdown code span inside a table cell."""
    shown = _visible(text).replace("|", "\\|")
    if len(shown) > _SHOWN:
        shown = shown[: _SHOWN - 20] + " … " + shown[-15:]
    fence = "``" if "`" in shown else "`"
    return f"{fence}{shown}{fence}" if shown.strip() else "(empty)"


def _message(outcome_text: str, folder: Path) -> str:
    text = outcome_text.replace(f"{folder}/", "").replace(str(folder), ".")
    return " ⏎ ".join(line.strip() for line in text.splitlines() if line.strip())


def _seen(kind: Kind, run: dict[str, Any]) -> str:
    count = run.get("kinds", {}).get(kind.id)
    return f"{count:,}" if count else "example only"


def _section(title: str, kinds: list[Kind], run: dict[str, Any]) -> list[str]:
    lines = [
        f"### {title}",
        "",
        "| case | what is tried | example | what the user sees | message (the example's) | deep-run cases |",
        "|---|---|---|---|---|---|",
    ]
    for kind in kinds:
        with tempfile.TemporaryDirectory() as name:
            folder = Path(name)
            outcome = run_example(kind, folder)
            message = _message(outcome.text, folder)
        sees = f"**{outcome.kind}**" + (" (open item)" if kind.known else "")
        lines.append(
            f"| `{kind.id}` | {kind.description} | {_code(kind.example)} | {sees} | "
            f"{_code(message)} | {_seen(kind, run)} |"
        )
    return [*lines, ""]


def _last_run(run: dict[str, Any]) -> list[str]:
    if not run:
        return ["No deep run recorded yet: run `make fuzz`.", ""]
    cases = run["cases"]
    tables = sum(v for k, v in cases.items() if k in TABLE_TESTS)
    rubrics = sum(v for k, v in cases.items() if k.startswith("rubric"))
    planned_tables = sum(v for k, v in DEEP_CASES.items() if k in TABLE_TESTS)
    planned_rubrics = sum(v for k, v in DEEP_CASES.items() if k.startswith("rubric"))
    lines = [
        f"- date: {run['date']}; profile: {run['profile']}; {run['processes']} pytest processes",
        f"- cases run: **{tables:,} tables** and **{rubrics:,} rubrics** "
        f"(`make fuzz` asks for {planned_tables:,} and {planned_rubrics:,})",
        f"- time: {run['seconds']:,} s wall clock, {run['cpu_seconds']:,} s of CPU "
        f"({1000 * run['cpu_seconds'] / max(tables + rubrics, 1):.0f} ms per case)",
        "- cases per test: " + ", ".join(f"{k} {v:,}" for k, v in sorted(cases.items())),
        "- outcomes: " + ", ".join(f"{k} {v:,}" for k, v in sorted(run["outcomes"].items())),
    ]
    errors = sorted(k for k in run["outcomes"] if k.endswith("Error"))
    lines.append(
        "- exception types seen: "
        + ", ".join(f"`{e}`" for e in errors)
        + " — all GreenscoreError subclasses; any other type fails the run"
    )
    note = run.get("note")
    return [*lines, *([f"- note: {note}"] if note else []), ""]


def render(run: dict[str, Any]) -> str:
    """The whole document."""
    quick = sum(QUICK_CASES.values())
    lines = [
        "# Reliability: what greenscore does with bad input",
        "",
        "<!-- Generated by tests/fuzz/make_reliability_doc.py from the case registry in "
        "tests/fuzz; do not edit by hand. -->",
        "",
        "greenscore reads tables and rubrics from strangers. Every kind of bad input below is tried "
        "by the fuzz suite in `tests/fuzz/`, with hypothesis drawing thousands of variations of it "
        "and of its combinations, and each case must end in one of two ways:",
        "",
        "- **a valid result** that accounts for every input row (scored + flagged + other periods "
        "= rows in the file), with every total on the rubric's scale; or",
        "- **a `GreenscoreError`** that says where: a rubric problem its `file:line:column`, a data "
        "problem its row and field, a file its name and the line, column or cell.",
        "",
        "Never another exception type, a traceback, a hang, a leaked warning (cases run with "
        "warnings as errors), text that reads differently from the file, or a half-written "
        "results folder. What is read is checked against independent readers: an RFC 4180 reader "
        "written in the suite for CSV, the cells written for Excel, the records written for JSON "
        "Lines.",
        "",
        f"`make test` runs a quick profile ({quick} cases, fixed seeds); `make fuzz` runs the deep "
        "one (`GREENSCORE_FUZZ=deep`, at least 20,000 tables and 20,000 rubrics) and regenerates "
        "this page with its figures. `GREENSCORE_FUZZ_SHRINK=0` skips shrinking when only a quick "
        "look at a failure is wanted.",
        "",
        "## What the user sees",
        "",
        "For each kind: what is tried, one example, what the user sees for it (a result, rows "
        "flagged with a problem, or an error) and the example's message. The table kinds are "
        "drawn in every file format; their examples are CSV files of the worked-example rubric's "
        "columns (`examples/rubrics/worked-example.yaml`), two valid parks and the example row.",
        "",
    ]
    sections = {
        "Any table": "Cells, rows and columns (every format)",
        "CSV": "CSV and TSV files",
        "Excel": "Excel workbooks",
        "Parquet": "Parquet files",
        "JSON Lines": "JSON Lines files",
        "Rubric": "Rubrics",
        "Command line": "The command line",
    }
    for key, title in sections.items():
        lines += _section(title, [k for k in KINDS if k.input == key], run)
    open_items = [k for k in KINDS if k.known]
    lines += ["## Open items", ""]
    lines += [f"- `{k.id}`: {k.known}" for k in open_items] + [""]
    lines += ["## Last deep run", "", *_last_run(run)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tallies", type=Path, help="folder of a deep run's tally-*.json files")
    parser.add_argument("--note", help="a note on the run for the figures (e.g. why it was cut)")
    parser.add_argument("--check", action="store_true", help="exit 1 if the document is stale")
    args = parser.parse_args(argv)
    if args.tallies is not None:
        run = merge(args.tallies)
        if args.note:
            run["note"] = args.note
        LAST_RUN.write_text(json.dumps(run, indent=1) + "\n", encoding="utf-8")
    run = json.loads(LAST_RUN.read_text("utf-8")) if LAST_RUN.exists() else {}
    text = render(run)
    if args.check:
        if DOC.read_text("utf-8") != text:
            print(f"{DOC} is stale: run python {Path(__file__).relative_to(ROOT)}", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(text, encoding="utf-8")
    print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
