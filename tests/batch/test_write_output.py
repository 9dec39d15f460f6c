"""Writing results: every output checked before anything is written, and a folder replaced as
one set (old or new, never a mix), with interrupted runs cleaned up and concurrent runs refused."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

import greenscore
from greenscore.batch.assess import assess
from greenscore.batch.result import BatchResult
from greenscore.batch.write import RESULT_TABLES
from greenscore.cli import main
from greenscore.errors import OutputError
from greenscore.io import atomic_folder
from greenscore.rubric.load import load_rubric

ROOT = Path(__file__).resolve().parents[2]
JIANGXI = ROOT / "examples" / "jiangxi"

RUBRIC = """
name: Output test rubric
version: "1"
inputs:
  - {id: x, min: 0, max: 100}
dimensions:
  - id: main
    indicators:
      - {id: x_score, input: x, method: linear, goalposts: {worst: 0, best: 100}}
tiers:
  - {id: top, min_score: 50}
  - {id: low, min_score: 0}
"""


@pytest.fixture(scope="module")
def rubric() -> greenscore.Rubric:
    return load_rubric(RUBRIC)


def batch(rubric: greenscore.Rubric, xs: list[float]) -> BatchResult:
    ids = [f"P{i}" for i in range(len(xs))]
    return assess(pd.DataFrame({"park_id": ids, "year": 2016, "x": xs}), rubric)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def leftovers(parent: Path, *keep: str) -> list[str]:
    """Entries of ``parent`` and its folders named ``keep`` that no run should leave behind."""
    names = [p.name for p in parent.iterdir() if p.name not in keep]
    for folder in keep:
        names += [f"{folder}/{p.name}" for p in (parent / folder).iterdir() if p.name[0] == "."]
    return sorted(names)


# --- defect 7: Excel's row limit and contradictory options ---------------------------------------


def test_excel_row_limit_is_refused_before_any_file_is_written(
    tmp_path: Path, rubric: greenscore.Rubric
) -> None:
    """1,048,576 flagged rows plus a header exceed Excel's 1,048,576-row sheet: refused, with the
    table, its rows and the limit named, before the CSVs replace last run's files."""
    out = tmp_path / "out"
    batch(rubric, [80.0, 20.0]).write(out)
    before = snapshot(out)
    n = 1_048_576
    flagged = pd.DataFrame(
        {"row": np.arange(2, n + 2), "entity": "P0", "field": "x", "value": "?", "problem": "p"}
    )
    huge = dataclasses.replace(batch(rubric, [10.0]), flagged=flagged)
    with pytest.raises(OutputError) as info:
        huge.write(out)
    text = str(info.value)
    assert "'flagged'" in text and "1,048,576 rows" in text and "1,048,575" in text
    assert "csv" in text and "parquet" in text
    assert snapshot(out) == before
    assert leftovers(tmp_path, "out") == []


def test_one_csv_file_with_format_xlsx_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "x.csv"
    code = main(["assess", str(JIANGXI / "parks_2016.csv"), "-o", str(target), "--format", "xlsx"])
    err = capsys.readouterr().err
    assert code == 2
    assert "x.csv" in err and "xlsx" in err and "folder" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_contradictory_formats_raise_output_error(
    tmp_path: Path, rubric: greenscore.Rubric
) -> None:
    with pytest.raises(OutputError, match="give a folder instead"):
        batch(rubric, [1.0]).write(tmp_path / "one.csv", formats=["xlsx"])
    with pytest.raises(OutputError, match="unknown format"):
        batch(rubric, [1.0]).write(tmp_path / "folder", formats=["pdf"])
    assert list(tmp_path.iterdir()) == []


# --- defect 8: the output folder replaced as a whole ---------------------------------------------


def test_failed_write_leaves_the_previous_set_and_the_next_run_cleans_up(
    tmp_path: Path, rubric: greenscore.Rubric, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The workbook is written after the CSVs; a failure there must not leave new CSVs beside
    last run's workbook. Debris of killed runs (a temporary folder beside the target, an old
    per-file temporary inside it) is removed by the next run, and files of others are kept."""
    out = tmp_path / "out"
    batch(rubric, [80.0, 20.0]).write(out)
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    before = snapshot(out)

    real_save = openpyxl.Workbook.save

    def broken_save(self: openpyxl.Workbook, filename: str) -> None:
        real_save(self, filename)
        Path(filename).write_bytes(Path(filename).read_bytes()[:100])
        raise OSError("disk full")

    monkeypatch.setattr(openpyxl.Workbook, "save", broken_save)
    with pytest.raises(OSError, match="disk full"):
        batch(rubric, [10.0, 90.0, 50.0]).write(out)
    monkeypatch.undo()
    assert snapshot(out) == before
    assert leftovers(tmp_path, "out") == []

    (tmp_path / ".out.greenscore-tmp-0123abcd").mkdir()
    (tmp_path / ".out.greenscore-tmp-0123abcd" / "results.csv").write_text("x", encoding="utf-8")
    (out / ".results.csv.0badf00d.tmp.csv").write_text("half", encoding="utf-8")
    written = batch(rubric, [10.0, 90.0, 50.0]).write(out)
    assert out / "results.csv" in written and out / "assessment.xlsx" in written
    assert leftovers(tmp_path, "out") == []
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"
    ids = pd.read_csv(out / "results.csv", encoding="utf-8-sig")["park_id"].tolist()
    assert sorted(ids) == ["P0", "P1", "P2"]


KILLED_WRITER = """
import os, sys, time
from pathlib import Path
import openpyxl, pandas as pd
from greenscore.batch.assess import assess
from greenscore.rubric.load import load_rubric

def stall(self, filename):
    Path(sys.argv[2]).write_text("writing", encoding="utf-8")
    time.sleep(120)

openpyxl.Workbook.save = stall
frame = pd.DataFrame({"park_id": ["Q0", "Q1", "Q2"], "year": 2016, "x": [5.0, 55.0, 95.0]})
assess(frame, load_rubric(sys.stdin.read())).write(sys.argv[1])
"""


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL")
def test_killed_run_leaves_the_previous_set_and_the_next_run_succeeds(
    tmp_path: Path, rubric: greenscore.Rubric
) -> None:
    out = tmp_path / "out"
    batch(rubric, [80.0, 20.0]).write(out)
    before = snapshot(out)
    flag = tmp_path.parent / f"{tmp_path.name}.flag"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, str(out), str(flag)],
        stdin=subprocess.PIPE,
        env=env,
    )
    assert child.stdin is not None
    child.stdin.write(RUBRIC.encode())
    child.stdin.close()
    deadline = time.monotonic() + 60
    while not flag.exists() and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert flag.exists(), "the child never reached the workbook"
    child.send_signal(signal.SIGKILL)
    child.wait()
    flag.unlink()
    assert snapshot(out) == before
    batch(rubric, [10.0, 90.0, 50.0]).write(out)
    assert leftovers(tmp_path, "out") == []
    assert sorted(pd.read_csv(out / "results.csv", encoding="utf-8-sig")["park_id"]) == [
        "P0",
        "P1",
        "P2",
    ]


def test_a_second_run_into_a_folder_in_use_is_refused(
    tmp_path: Path, rubric: greenscore.Rubric
) -> None:
    out = tmp_path / "out"
    with (
        atomic_folder(out),
        pytest.raises(OutputError, match="another greenscore run is writing"),
    ):
        batch(rubric, [1.0]).write(out)
    assert leftovers(tmp_path, "out") == []


def _set_of(folder: Path) -> set[tuple[float, ...]]:
    """The totals the CSV and the workbook of a folder hold (one tuple when the set is whole)."""
    csv = pd.read_csv(folder / "results.csv", encoding="utf-8-sig")
    book = openpyxl.load_workbook(folder / "assessment.xlsx", read_only=True)
    rows = list(book["results"].iter_rows(values_only=True))
    book.close()
    column = list(rows[0]).index("total")
    return {tuple(csv["total"]), tuple(float(row[column]) for row in rows[1:])}


def test_concurrent_runs_end_with_one_complete_set(
    tmp_path: Path, rubric: greenscore.Rubric
) -> None:
    results = [batch(rubric, [float(i), 50.0, 99.0 - i]) for i in range(4)]
    out = tmp_path / "out"
    for _ in range(3):
        outcomes: list[str] = []
        gate = threading.Barrier(len(results))

        def run(result: BatchResult, gate: threading.Barrier, outcomes: list[str]) -> None:
            gate.wait()
            try:
                result.write(out)
                outcomes.append("wrote")
            except OutputError as error:
                assert "another greenscore run is writing" in str(error)
                outcomes.append("refused")

        threads = [threading.Thread(target=run, args=(r, gate, outcomes)) for r in results]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert "wrote" in outcomes and len(outcomes) == len(results)
        assert len(_set_of(out)) == 1
        assert len(list(out.glob("*.csv"))) == 4
        assert leftovers(tmp_path, "out") == []


def test_a_folder_set_aside_by_a_killed_swap_is_put_back(
    tmp_path: Path, rubric: greenscore.Rubric
) -> None:
    """Without an atomic exchange a swap is two renames; killed between them, the old folder
    waits beside the target, and the next run restores it instead of deleting it."""
    aside = tmp_path / ".out.greenscore-old-0123abcd"
    aside.mkdir()
    (aside / "notes.txt").write_text("mine", encoding="utf-8")
    batch(rubric, [1.0]).write(tmp_path / "out")
    assert (tmp_path / "out" / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert leftovers(tmp_path, "out") == []


def test_defect8_a_run_writing_fewer_tables_or_formats_leaves_none_of_the_last_run(
    tmp_path: Path,
) -> None:
    """Files the new set lacks were carried over, so last run's workbook and transitions stayed
    beside this run's CSVs: a mixed set. Only files that are not results are carried over."""
    out = tmp_path / "out"
    previous = JIANGXI / "parks_2015.csv"
    first = greenscore.assess(JIANGXI / "parks_2016.csv", previous=previous)
    assert set(first.tables()) == set(RESULT_TABLES) - {"track"}
    first.write(out)
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    assert {"transitions.csv", "assessment.xlsx"} <= set(os.listdir(out))
    greenscore.assess(JIANGXI / "parks_2016.csv").write(out, ["csv"])
    tables = ["results", "flagged", "summary", "rubric"]
    assert sorted(os.listdir(out)) == sorted(
        ["notes.txt"] + [f"{t}.csv" for t in tables] + [f"{t}.csv.provenance.json" for t in tables]
    )
    assert leftovers(tmp_path, "out") == []
