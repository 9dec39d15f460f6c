"""Issue 12: the commands that read tables say what they read though Excel hides it."""

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
