"""Reading back what the writers wrote: each format's provenance record and its tables as text."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from greenscore.errors import InputFileError
from greenscore.io import (
    Provenance,
    cell_text,
    make_provenance,
    read_output_record,
    read_output_tables,
    write_csv,
    write_excel,
    write_json,
    write_parquet,
)

FRAME = pd.DataFrame(
    {
        "park_id": ["P1", "P2"],
        "total": [0.1 + 0.2, math.nan],
        "rank": [1, 2],
        "note": ["=SUM(A1)", None],
    }
)


@pytest.fixture(scope="module")
def provenance() -> Provenance:
    return make_provenance(
        rubric_name="r",
        rubric_version="1",
        rubric_sha256="ab" * 32,
        input_sha256="cd" * 32,
        input_path="parks.csv",
        previous_path="last.csv",
        previous_sha256="ef" * 32,
        period=2016,
    )


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".json", ".xlsx"])
def test_each_format_gives_back_its_record_and_its_values(
    tmp_path: Path, provenance: Provenance, suffix: str
) -> None:
    target = tmp_path / f"results{suffix}"
    writer = {
        ".csv": write_csv,
        ".parquet": write_parquet,
        ".json": write_json,
        ".xlsx": lambda path, frame, prov: write_excel(path, {"results": frame}, prov),
    }[suffix]
    writer(target, FRAME, provenance)
    record = read_output_record(target)
    assert record is not None
    assert record["previous_sha256"] == "ef" * 32 and record["period"] == "2016"
    (table,) = read_output_tables(target).values()
    assert list(table.columns) == ["park_id", "total", "rank", "note"]
    assert table["park_id"].tolist() == ["P1", "P2"]
    assert table["total"].iloc[1] == ""
    if suffix == ".xlsx":
        assert float(table["total"].iloc[0]) == pytest.approx(0.3, abs=1e-15)
    else:
        assert float(table["total"].iloc[0]) == 0.1 + 0.2
    assert table["note"].iloc[1] == ""


def test_no_record_where_there_is_none(tmp_path: Path) -> None:
    bare = tmp_path / "results.csv"
    bare.write_text("a\n1\n", encoding="utf-8")
    assert read_output_record(bare) is None
    (tmp_path / "results.csv.provenance.json").write_text("{broken", encoding="utf-8")
    assert read_output_record(bare) is None
    (tmp_path / "results.json").write_text("[1, 2]", encoding="utf-8")
    assert read_output_record(tmp_path / "results.json") is None
    assert read_output_record(tmp_path / "results.txt") is None


def test_an_unreadable_results_file_is_an_input_file_error(tmp_path: Path) -> None:
    broken = tmp_path / "results.json"
    broken.write_text('{"provenance": {}}', encoding="utf-8")
    with pytest.raises(InputFileError, match=r"results\.json"):
        read_output_tables(broken)
    with pytest.raises(InputFileError, match="not a results format"):
        read_output_tables(tmp_path / "results.txt")


def test_cell_text_keeps_full_precision_and_blanks_missing_values() -> None:
    assert cell_text(0.1 + 0.2) == "0.30000000000000004"
    assert [cell_text(v) for v in (None, math.nan, pd.NA, pd.NaT)] == ["", "", "", ""]
    assert [cell_text(True), cell_text(3), cell_text("x")] == ["true", "3", "x"]
