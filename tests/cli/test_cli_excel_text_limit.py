"""Issue 12, lesser item: text too long for an Excel cell stops assess and report before any
file is written (not after the CSVs or the HTML report), with the table, row and column named."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from greenscore.cli import main

JIANGXI = Path(__file__).resolve().parents[2] / "examples" / "jiangxi"


def _long_name(tmp_path: Path) -> Path:
    frame = pd.read_csv(JIANGXI / "parks_2016.csv", dtype=str, keep_default_na=False)
    frame.loc[frame["park_id"] == "JX003", "park_name"] = "园" * 40_000
    path = tmp_path / "data" / "parks.csv"
    path.parent.mkdir()
    frame.to_csv(path, index=False)
    return path


def test_lesser_long_text_stops_assess_before_any_result_file_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _long_name(tmp_path)
    out = tmp_path / "out"
    assert main(["assess", str(data), "-o", str(out), "--format", "csv", "xlsx"]) == 1
    err = capsys.readouterr().err
    assert "column 'park_name': text of 40,000 characters" in err
    assert "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]
    assert main(["assess", str(data), "-o", str(out), "--format", "csv", "parquet"]) == 0


def test_lesser_long_text_stops_report_before_the_html_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _long_name(tmp_path)
    html, xlsx = tmp_path / "report.html", tmp_path / "report.xlsx"
    assert main(["report", str(data), "-o", str(html), "--xlsx", str(xlsx), "--no-gaps"]) == 1
    assert "text of 40,000 characters" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]
