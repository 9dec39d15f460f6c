"""Errors of the operating system are printed as their reason and the file, never '[Errno N]'."""

from __future__ import annotations

from pathlib import Path

import pytest

from greenscore.cli import main

ROOT = Path(__file__).resolve().parents[2]
PARKS = ROOT / "examples" / "jiangxi" / "parks_2016.csv"


def test_lesser_output_naming_an_existing_file_says_so_without_an_errno(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "results"
    target.write_text("not a folder")
    assert main(["assess", str(PARKS), "-o", str(target)]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"greenscore assess: error: {target} is a file, not a folder; give a folder to write "
        "the results into, or one file ending in .csv, .xlsx, .parquet or .json\n"
    )
    assert target.read_text() == "not a folder"
