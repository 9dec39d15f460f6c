"""Issue 12: the commands that read tables say what they read though Excel hides it, and read
CSV text in the encoding named with --encoding."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from greenscore.cli import main

ROOT = Path(__file__).resolve().parents[2]
JIANGXI = ROOT / "examples" / "jiangxi"


def _workbook(csv: Path, target: Path, *, hide_row: int | None = None) -> Path:
    frame = pd.read_csv(csv, dtype=str, keep_default_na=False)
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "parks"
    sheet.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        sheet.append(list(row))
    if hide_row is not None:
        sheet.row_dimensions[hide_row].hidden = True
    book.save(target)
    return target


@pytest.mark.parametrize("command", ["assess", "report", "calibrate"])
def test_hidden_excel_rows_are_named_by_every_command_reading_a_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    data = _workbook(JIANGXI / "parks_2016.csv", tmp_path / "parks.xlsx", hide_row=5)
    outputs = {
        "assess": [],
        "report": ["--markdown", str(tmp_path / "summary.md")],
        "calibrate": ["-o", str(tmp_path / "calibrated.yaml")],
    }[command]
    assert main([command, str(data), *outputs]) == 0
    err = capsys.readouterr().err
    assert (
        f"note: {data}: row 5 of sheet 'parks' is hidden in Excel (filtered out or hidden by "
        "hand) but read like the others"
    ) in err


def test_a_hidden_row_in_last_years_workbook_is_named_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _workbook(JIANGXI / "parks_2016.csv", tmp_path / "2016.xlsx")
    previous = _workbook(JIANGXI / "parks_2015.csv", tmp_path / "2015.xlsx", hide_row=9)
    assert main(["assess", str(data), "--previous", str(previous)]) == 0
    err = capsys.readouterr().err
    assert f"note: {previous}: row 9 of sheet 'parks' is hidden" in err
    assert f"note: {data}" not in err


def _big5(csv: Path, target: Path) -> Path:
    """The table with Traditional Chinese park names, saved as Big5 (as offices in Taiwan do)."""
    frame = pd.read_csv(csv, dtype=str, keep_default_na=False)
    frame["park_name"] = [f"臺灣第{n}號園區" for n in range(len(frame))]
    target.write_bytes(frame.to_csv(index=False).encode("big5"))
    return target


def test_defect9_encoding_option_reads_big5_data_and_last_year_as_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _big5(JIANGXI / "parks_2016.csv", tmp_path / "2016.csv")
    previous = _big5(JIANGXI / "parks_2015.csv", tmp_path / "2015.csv")
    assert main(["assess", str(data), "--previous", str(previous)]) == 1
    assert "--encoding cp950" in capsys.readouterr().err
    out = tmp_path / "out"
    argv = ["assess", str(data), "--previous", str(previous), "-o", str(out), "--format", "csv"]
    assert main([*argv, "--encoding", "cp950"]) == 0
    results = pd.read_csv(out / "results.csv", encoding="utf-8-sig", dtype=str)
    assert set(results["park_name"]) == {f"臺灣第{n}號園區" for n in range(len(results))}


@pytest.mark.parametrize("command", ["report", "calibrate"])
def test_encoding_option_reaches_the_reader_in_report_and_calibrate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    data = _big5(JIANGXI / "parks_2016.csv", tmp_path / "2016.csv")
    output = {
        "report": ["--markdown", str(tmp_path / "summary.md")],
        "calibrate": ["-o", str(tmp_path / "calibrated.yaml")],
    }[command]
    assert main([command, str(data), *output]) == 1
    assert "looks like Big5" in capsys.readouterr().err
    assert main([command, str(data), *output, "--encoding", "big5"]) == 0


def test_an_unknown_encoding_name_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["assess", str(JIANGXI / "parks_2016.csv"), "--encoding", "klingon"])
    assert code == 2
    err = capsys.readouterr().err
    assert "argument --encoding: unknown encoding 'klingon'" in err
    assert "Traceback" not in err


def test_an_encoding_for_tables_that_are_not_text_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _workbook(JIANGXI / "parks_2016.csv", tmp_path / "parks.xlsx")
    assert main(["assess", str(data), "--encoding", "cp950"]) == 2
    assert "no table given is one" in capsys.readouterr().err
    previous = _big5(JIANGXI / "parks_2015.csv", tmp_path / "2015.csv")
    assert main(["assess", str(data), "--previous", str(previous), "--encoding", "cp950"]) == 0
