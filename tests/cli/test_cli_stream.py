"""greenscore assess --chunk-rows (issue 11 item 4): the files a streamed run writes are those of
a whole-table run, byte for byte, flagged rows included."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from greenscore.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "jiangxi"


@pytest.mark.parametrize("name", ["parks_2016.csv", "parks_2016_bad_cells.csv"])
def test_streamed_csv_results_are_the_whole_run_byte_for_byte(tmp_path: Path, name: str) -> None:
    data = str(EXAMPLES / name)
    assert (
        main(["assess", data, "--errors", "flag", "-o", str(tmp_path / "whole"), "--format", "csv"])
        == 0
    )
    assert (
        main(
            [
                "assess",
                data,
                "--errors",
                "flag",
                "--chunk-rows",
                "7",
                "-o",
                str(tmp_path / "s"),
                "--format",
                "csv",
                "parquet",
            ]
        )
        == 0
    )
    for table in ("results.csv", "flagged.csv"):
        assert (tmp_path / "s" / table).read_bytes() == (tmp_path / "whole" / table).read_bytes()
    parts = sorted((tmp_path / "s" / "results").glob("part-*.parquet"))
    assert len(parts) >= 14
    merged = pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True)
    whole = pd.read_csv(tmp_path / "whole" / "results.csv", encoding="utf-8-sig")
    assert merged["total"].tolist() == pytest.approx(whole["total"].tolist(), rel=0, abs=0)


def test_a_folder_is_streamed_file_by_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    frame = pd.read_csv(EXAMPLES / "parks_2016.csv", dtype=str)
    frame.iloc[:50].to_parquet(folder / "a.parquet")
    frame.iloc[50:].to_parquet(folder / "b.parquet")
    assert main(["assess", str(folder), "-o", str(tmp_path / "out"), "--format", "parquet"]) == 0
    assert "94 rows, 94 scored, 0 flagged" in capsys.readouterr().out


def test_streaming_refuses_what_needs_the_whole_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = str(EXAMPLES / "parks_2016.csv")
    code = main(
        ["assess", data, "--chunk-rows", "5", "--previous", str(EXAMPLES / "parks_2015.csv")]
    )
    assert code == 2
    assert (
        "--previous cannot be used when the table is assessed in chunks" in capsys.readouterr().err
    )
