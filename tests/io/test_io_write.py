"""Writers: atomic, provenance in every output, spreadsheet cells escaped, Chinese intact."""

from __future__ import annotations

import hashlib
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pytest

from greenscore.errors import InputFileError, OptionalDependencyError
from greenscore.io import (
    PROVENANCE_KEY,
    Provenance,
    make_provenance,
    read_table,
    sheet_titles,
    write_csv,
    write_excel,
    write_json,
    write_parquet,
    write_table,
)


@pytest.fixture
def prov() -> Provenance:
    return make_provenance(
        rubric_name="绿色园区",
        rubric_version="2024.1",
        rubric_sha256="ab" * 32,
        input_sha256="cd" * 32,
        input_path="parks.csv",
        now=datetime(2025, 3, 1, 8, 30, tzinfo=UTC),
    )


@pytest.fixture
def results() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "park": ["苏州工业园区", '=HYPERLINK("http://x")', "@evil"],
            "phone": ["+86 123", "-1.5", None],
            "score": [87.5, np.nan, -1.5],
            "rank": [1, 2, 3],
        }
    )


# --- CSV -----------------------------------------------------------------------------------------


def test_csv_round_trip(tmp_path: Path, prov: Provenance, results: pd.DataFrame) -> None:
    path = tmp_path / "results.csv"
    written = write_csv(path, results, prov)
    sidecar = tmp_path / "results.csv.provenance.json"
    assert written == [path, sidecar]
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert "苏州工业园区".encode() in raw
    back = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert back["park"].tolist() == ["苏州工业园区", '\'=HYPERLINK("http://x")', "'@evil"]
    assert back["phone"].tolist() == ["'+86 123", "-1.5", ""]
    assert back["score"].tolist() == ["87.5", "", "-1.5"]
    meta = json.loads(sidecar.read_text(encoding="utf-8"))
    assert Provenance.from_dict(meta) == prov
    assert meta["output_sha256"] == hashlib.sha256(raw).hexdigest()
    assert meta["output_file"] == "results.csv"
    assert "绿色园区" in sidecar.read_text(encoding="utf-8")
    assert sorted(os.listdir(tmp_path)) == ["results.csv", "results.csv.provenance.json"]


def test_csv_reads_back_through_read_table(
    tmp_path: Path, prov: Provenance, results: pd.DataFrame
) -> None:
    write_csv(tmp_path / "results.csv", results, prov)
    source = read_table(tmp_path / "results.csv")
    assert list(source.frame.columns) == ["park", "phone", "score", "rank"]
    assert source.frame["park"].iloc[0] == "苏州工业园区"
    assert source.row_numbers.tolist() == [2, 3, 4]


def test_named_index_is_written_as_a_column(tmp_path: Path, prov: Provenance) -> None:
    frame = pd.DataFrame({"score": [1.0, 2.0]}, index=pd.Index(["p1", "p2"], name="park"))
    write_csv(tmp_path / "results.csv", frame, prov)
    back = pd.read_csv(tmp_path / "results.csv", encoding="utf-8-sig")
    assert list(back.columns) == ["park", "score"]


def test_writers_refuse_to_overwrite_the_input(tmp_path: Path, results: pd.DataFrame) -> None:
    source = tmp_path / "parks.csv"
    source.write_text("id\np1\n", encoding="utf-8")
    prov = make_provenance(
        rubric_name="r", rubric_version="1", rubric_sha256="0", input_path=str(source)
    )
    for write in (write_csv, write_parquet, write_json):
        with pytest.raises(InputFileError, match="refusing to write"):
            write(source, results, prov)
    assert source.read_text(encoding="utf-8") == "id\np1\n"


def test_duplicate_column_names_are_refused(tmp_path: Path, prov: Provenance) -> None:
    frame = pd.DataFrame([[1, 2]], columns=["a", "a"])
    with pytest.raises(ValueError, match="duplicate column names"):
        write_json(tmp_path / "out.json", frame, prov)
    assert os.listdir(tmp_path) == []


# --- Excel ---------------------------------------------------------------------------------------


def test_excel_round_trip(tmp_path: Path, prov: Provenance, results: pd.DataFrame) -> None:
    path = tmp_path / "results.xlsx"
    long_name = "indicator/scores: 2024 [draft]? and more text"
    written = write_excel(path, {"results": results, long_name: results.head(1)}, prov)
    assert written == [path]
    assert os.listdir(tmp_path) == ["results.xlsx"]
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["results", "indicator_scores_ 2024 _draft__", "provenance"]

    sheet = book["results"]
    assert sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[1]] == ["park", "phone", "score", "rank"]
    assert all(c.font.b for c in sheet[1])
    assert sheet["A2"].value == "苏州工业园区"
    assert sheet["A3"].value == '\'=HYPERLINK("http://x")'
    assert sheet["A3"].data_type == "s"
    assert sheet["A4"].value == "'@evil"
    assert sheet["B2"].value == "'+86 123"
    assert sheet["B3"].value == "-1.5"
    assert sheet["B4"].value is None
    assert sheet["C2"].value == 87.5
    assert sheet["C3"].value is None
    assert sheet["D4"].value == 3
    widths = [sheet.column_dimensions[letter].width for letter in "ABCD"]
    assert all(0 < w <= 60 for w in widths)
    assert widths[0] >= 14

    meta = book["provenance"]
    assert meta.freeze_panes == "A2"
    rows = {r[0]: r[1] for r in meta.iter_rows(min_row=2, values_only=True)}
    assert rows["rubric_name"] == "绿色园区"
    assert rows["created_at"] == prov.created_at
    assert rows["input_sha256"] == prov.input_sha256
    book.close()


def test_excel_width_is_capped(tmp_path: Path, prov: Provenance) -> None:
    frame = pd.DataFrame({"note": ["x" * 500], "v": [1]})
    write_excel(tmp_path / "out.xlsx", {"t": frame}, prov)
    book = openpyxl.load_workbook(tmp_path / "out.xlsx")
    assert book["t"].column_dimensions["A"].width == 60
    book.close()


def test_excel_drops_control_characters(tmp_path: Path, prov: Provenance) -> None:
    frame = pd.DataFrame({"note": ["a\x01b", "\x02=cmd"]})
    write_excel(tmp_path / "out.xlsx", {"t": frame}, prov)
    book = openpyxl.load_workbook(tmp_path / "out.xlsx")
    assert [book["t"]["A2"].value, book["t"]["A3"].value] == ["ab", "'=cmd"]
    book.close()


def test_sheet_titles() -> None:
    assert sheet_titles(
        ["a/b", "A_B", "x" * 40, "'quoted'", "", "History", "provenance"], ["provenance"]
    ) == [
        "a_b",
        "A_B (2)",
        "x" * 31,
        "quoted",
        "Sheet",
        "History_",
        "provenance (2)",
    ]
    assert sheet_titles(["y" * 40, "y" * 35]) == ["y" * 31, "y" * 27 + " (2)"]


# --- Parquet and JSON ----------------------------------------------------------------------------


def test_parquet_round_trip(tmp_path: Path, prov: Provenance, results: pd.DataFrame) -> None:
    path = tmp_path / "results.parquet"
    assert write_parquet(path, results, prov) == [path]
    metadata = pq.read_schema(path).metadata
    assert Provenance.from_dict(json.loads(metadata[PROVENANCE_KEY])) == prov
    assert b"pandas" in metadata
    back = pd.read_parquet(path)
    assert back["park"].tolist() == results["park"].tolist()
    assert back["rank"].tolist() == [1, 2, 3]


def test_json_document(tmp_path: Path, prov: Provenance, results: pd.DataFrame) -> None:
    path = tmp_path / "results.json"
    assert write_json(path, results, prov) == [path]
    text = path.read_text(encoding="utf-8")
    assert "苏州工业园区" in text
    assert "NaN" not in text
    document = json.loads(text)
    assert Provenance.from_dict(document["provenance"]) == prov
    assert document["results"][0] == {
        "park": "苏州工业园区",
        "phone": "+86 123",
        "score": 87.5,
        "rank": 1,
    }
    assert document["results"][1]["score"] is None
    assert document["results"][2]["phone"] is None


def test_json_from_records(tmp_path: Path, prov: Provenance) -> None:
    records = [
        {"park": "园区", "score": float("nan"), "when": datetime(2025, 1, 2, tzinfo=UTC)},
        {"park": "b", "score": np.float64(1.5), "n": np.int64(3), "ok": np.bool_(True)},
    ]
    write_json(tmp_path / "out.json", records, prov)
    document = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert document["results"] == [
        {"park": "园区", "score": None, "when": "2025-01-02T00:00:00+00:00"},
        {"park": "b", "score": 1.5, "n": 3, "ok": True},
    ]


def test_json_refuses_unknown_objects(tmp_path: Path, prov: Provenance) -> None:
    with pytest.raises(TypeError, match="cannot write a object value"):
        write_json(tmp_path / "out.json", [{"x": object()}], prov)
    assert os.listdir(tmp_path) == []


# --- dispatch ------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet", ".json"])
def test_write_table_dispatches(
    tmp_path: Path, prov: Provenance, results: pd.DataFrame, suffix: str
) -> None:
    path = tmp_path / f"results{suffix.upper()}"
    written = write_table(path, results, prov)
    assert written[0] == path
    assert all(p.exists() for p in written)


def test_write_table_unknown_suffix(
    tmp_path: Path, prov: Provenance, results: pd.DataFrame
) -> None:
    with pytest.raises(ValueError, match=r"unsupported output type '\.txt'; supported: \.csv"):
        write_table(tmp_path / "results.txt", results, prov)


def test_excel_without_openpyxl(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, prov: Provenance, results: pd.DataFrame
) -> None:
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    with pytest.raises(OptionalDependencyError, match="openpyxl"):
        write_excel(tmp_path / "out.xlsx", {"t": results}, prov)


def test_json_with_no_results_is_valid(tmp_path: Path, prov: Provenance) -> None:
    write_json(tmp_path / "out.json", [], prov)
    document = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert document == {"provenance": prov.as_dict(), "results": []}
