"""read_table / from_frame: raw cells, row numbers as the user sees them, plain errors."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from greenscore.errors import InputFileError, OptionalDependencyError
from greenscore.io import from_frame, read_table


def _xlsx(path: Path, cells: dict[str, object], *, extra_sheet: str | None = None) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "data"
    for ref, value in cells.items():
        sheet[ref] = value
    if extra_sheet:
        book.create_sheet(extra_sheet)["A1"] = "only"
    book.save(path)
    return path


# --- CSV -----------------------------------------------------------------------------------------


def test_csv_row_numbers_count_header_as_row_1(tmp_path: Path) -> None:
    path = tmp_path / "parks.csv"
    path.write_text("id,score\np1,1\np2,2\n", encoding="utf-8")
    source = read_table(path)
    assert source.row_numbers.tolist() == [2, 3]
    assert source.row_numbers.dtype == np.int64
    assert source.format == "csv"
    assert source.path == str(path)
    assert source.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert isinstance(source.frame.index, pd.RangeIndex)


def test_csv_blank_rows_skipped_but_counted_and_quoted_newline_is_one_row(tmp_path: Path) -> None:
    path = tmp_path / "parks.csv"
    path.write_text('\nid,note\np1,a\n\n,\np2,"two\nlines"\np3,b\n', encoding="utf-8")
    source = read_table(path)
    assert source.frame["id"].tolist() == ["p1", "p2", "p3"]
    assert source.frame["note"].tolist() == ["a", "two\nlines", "b"]
    assert source.row_numbers.tolist() == [3, 6, 7]


def test_csv_cells_are_kept_exactly_as_typed(tmp_path: Path) -> None:
    path = tmp_path / "parks.csv"
    path.write_text(" id ,\tscore \n007, 1.5 \nNA,\n", encoding="utf-8")
    frame = read_table(path).frame
    assert list(frame.columns) == ["id", "score"]
    assert frame["id"].tolist() == ["007", "NA"]
    assert frame["score"].tolist() == [" 1.5 ", ""]


def test_csv_short_rows_are_padded_with_empty_strings(tmp_path: Path) -> None:
    path = tmp_path / "parks.csv"
    path.write_text("id,a,b\np1\n", encoding="utf-8")
    assert read_table(path).frame.iloc[0].tolist() == ["p1", "", ""]


def test_csv_trailing_empty_columns_are_dropped(tmp_path: Path) -> None:
    path = tmp_path / "parks.csv"
    path.write_text("id,score,,\np1,1,,\np2,2,\n", encoding="utf-8")
    assert list(read_table(path).frame.columns) == ["id", "score"]


def test_tsv(tmp_path: Path) -> None:
    path = tmp_path / "parks.tsv"
    path.write_text("id\tscore\np1\t1,5\n", encoding="utf-8")
    source = read_table(path)
    assert source.frame.to_dict("records") == [{"id": "p1", "score": "1,5"}]
    assert source.format == "csv"


def test_csv_utf8_bom_is_not_part_of_the_first_header(tmp_path: Path) -> None:
    path = tmp_path / "parks.csv"
    path.write_bytes("名称,得分\n园区,1\n".encode("utf-8-sig"))
    source = read_table(path)
    assert list(source.frame.columns) == ["名称", "得分"]
    assert source.encoding == "utf-8-sig"


def test_csv_gb18030_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "parks.csv"
    path.write_bytes("园区名称,单位产值能耗\n苏州工业园区,0.35\n".encode("gbk"))
    source = read_table(path)
    assert list(source.frame.columns) == ["园区名称", "单位产值能耗"]
    assert source.frame.iloc[0].tolist() == ["苏州工业园区", "0.35"]
    assert source.encoding == "gb18030"


def test_csv_header_only_gives_empty_frame(tmp_path: Path) -> None:
    path = tmp_path / "parks.csv"
    path.write_text("id,score\n", encoding="utf-8")
    source = read_table(path)
    assert list(source.frame.columns) == ["id", "score"]
    assert len(source.frame) == 0
    assert source.row_numbers.tolist() == []


@pytest.mark.parametrize("header", ["id,score,id", "id,score, id "])
def test_duplicate_headers_are_named(tmp_path: Path, header: str) -> None:
    path = tmp_path / "parks.csv"
    path.write_text(f"{header}\n1,2,3\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"duplicate column headers: 'id'") as info:
        read_table(path)
    assert str(path) in str(info.value)


def test_value_under_a_blank_header_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "parks.csv"
    path.write_text("id,,score\np1,,1\np2,oops,2\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"row 3 has a value in column 2 \(B\)"):
        read_table(path)


def test_value_beyond_the_header_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "parks.csv"
    path.write_text("id,score\np1,1\np2,2,extra\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"row 3 has a value in column 3 \(C\)"):
        read_table(path)


# --- JSON Lines ----------------------------------------------------------------------------------


def test_jsonl_row_numbers_are_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "parks.jsonl"
    lines = ['{"id": "p1", "score": 1}', "", '{"id": "p2", "extra": null}', "   ", '{"id": "p3"}']
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    source = read_table(path)
    assert source.row_numbers.tolist() == [1, 3, 5]
    assert list(source.frame.columns) == ["id", "score", "extra"]
    assert source.frame["score"].tolist() == [1, None, None]
    assert source.frame["score"].dtype == object
    assert source.format == "jsonl"


def test_ndjson_suffix_and_bom(tmp_path: Path) -> None:
    path = tmp_path / "parks.ndjson"
    path.write_bytes('{"名称": "园区"}\r\n'.encode("utf-8-sig"))
    assert read_table(path).frame.to_dict("records") == [{"名称": "园区"}]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"id": "p2", "score": }', r"line 2 is not valid JSON"),
        ('["p2", 1]', r"line 2: expected a JSON object \{\.\.\.\}, got an array"),
        ('{"id": "p2", "id": "p3"}', r"line 2, column 14: duplicate key 'id'"),
    ],
)
def test_jsonl_bad_line_is_named(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "parks.jsonl"
    path.write_text('{"id": "p1"}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=message) as info:
        read_table(path)
    assert str(path) in str(info.value)


# --- Parquet -------------------------------------------------------------------------------------


def test_parquet_row_numbers_are_positions(tmp_path: Path) -> None:
    path = tmp_path / "parks.parquet"
    frame = pd.DataFrame({" id ": ["p1", "p2", "p3"], "score": [1.0, None, 3.0]}, index=[7, 8, 9])
    frame.to_parquet(path)
    source = read_table(path)
    assert source.row_numbers.tolist() == [1, 2, 3]
    assert list(source.frame.columns) == ["id", "score"]
    assert isinstance(source.frame.index, pd.RangeIndex)
    assert source.format == "parquet"


def test_parquet_duplicate_columns_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "parks.parquet"
    table = pa.table([pa.array([1]), pa.array([2])], names=["id", "id"])
    pq.write_table(table, path)
    with pytest.raises(InputFileError, match="duplicate column headers: 'id'"):
        read_table(path)


# --- Excel ---------------------------------------------------------------------------------------


def test_xlsx_row_numbers_are_sheet_rows(tmp_path: Path) -> None:
    path = _xlsx(
        tmp_path / "parks.xlsx",
        {"A1": "id", "B1": " score ", "A2": "p1", "B2": 1, "A4": "p2", "B4": 2.5},
    )
    source = read_table(path)
    assert source.row_numbers.tolist() == [2, 4]
    assert list(source.frame.columns) == ["id", "score"]
    assert source.frame["score"].tolist() == [1, 2.5]
    assert all(dtype == np.dtype(object) for dtype in source.frame.dtypes)
    assert source.format == "xlsx"


def test_xlsx_header_may_start_below_row_1(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "parks.xlsx", {"B3": "id", "C3": "score", "B4": "p1", "C4": None})
    source = read_table(path)
    assert source.row_numbers.tolist() == [4]
    assert source.frame.to_dict("records") == [{"id": "p1", "score": None}]


def test_xlsx_sheet_choice(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "parks.xlsx", {"A1": "id", "A2": "p1"}, extra_sheet="其他")
    assert list(read_table(path, sheet="其他").frame.columns) == ["only"]
    assert list(read_table(path, sheet=1).frame.columns) == ["only"]
    with pytest.raises(InputFileError, match=r"no sheet 'missing'; sheets: \['data', '其他'\]"):
        read_table(path, sheet="missing")


def test_sheet_only_applies_to_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "parks.csv"
    path.write_text("id\np1\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"only be chosen for \.xlsx"):
        read_table(path, sheet=0)


# --- errors --------------------------------------------------------------------------------------


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("parks.txt", b"id\n", r"unsupported file type '\.txt'; supported: \.csv, \.tsv, \.xlsx"),
        ("parks.csv", b"", "file is empty"),
        ("parks.csv", b"\n \n\n", "no header row"),
        ("parks.csv", b"id\n\xff\xfe\xff\n", "neither UTF-8 nor GB18030"),
        ("parks.csv", b"\xff\xfei\x00d", "UTF-16 text is damaged"),
        ("parks.csv", b"PK\x03\x04rest", "looks like an Excel workbook"),
        ("parks.csv", b'id\n"p1\x00"\n', "NUL bytes"),
        ("parks.xlsx", b"PK\x03\x04 not really a zip", "workbook is damaged"),
        ("parks.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old .xls"),
        ("parks.xlsx", b"id,score\n", "not an .xlsx workbook"),
        ("parks.parquet", b"PAR1 garbage PAR1", "Parquet file is damaged"),
        ("parks.parquet", b"id,score\n", "not a Parquet file"),
        ("parks.jsonl", b'{"id": "\xff"}\n', "line 1 is not valid UTF-8"),
        ("parks.jsonl", b"\n\n", "no JSON records"),
    ],
)
def test_bad_files_raise_input_file_error_naming_the_path(
    tmp_path: Path, name: str, data: bytes, message: str
) -> None:
    path = _write(tmp_path / name, data)
    with pytest.raises(InputFileError, match=message) as info:
        read_table(path)
    assert str(path) in str(info.value)
    assert "Traceback" not in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "missing.csv"
    with pytest.raises(InputFileError, match="file not found") as info:
        read_table(path)
    assert str(path) in str(info.value)


def test_directory(tmp_path: Path) -> None:
    path = tmp_path / "folder.csv"
    path.mkdir()
    with pytest.raises(InputFileError, match="is a directory") as info:
        read_table(path)
    assert str(path) in str(info.value)


def test_file_over_max_bytes(tmp_path: Path) -> None:
    path = _write(tmp_path / "parks.csv", b"id\n" + b"p\n" * 50)
    with pytest.raises(InputFileError, match="over the limit of 10") as info:
        read_table(path, max_bytes=10)
    assert str(path) in str(info.value)


def test_malformed_csv_is_wrapped(tmp_path: Path) -> None:
    path = _write(tmp_path / "parks.csv", b'id,note\np1,"' + b"x" * 200_000 + b'"\n')
    with pytest.raises(InputFileError, match="malformed CSV") as info:
        read_table(path)
    assert str(path) in str(info.value)
    assert info.value.__cause__ is None or not isinstance(info.value.__cause__, InputFileError)


def test_corrupt_xlsx_keeps_the_cause(tmp_path: Path) -> None:
    path = _write(tmp_path / "parks.xlsx", b"PK\x03\x04 not really a zip")
    with pytest.raises(InputFileError) as info:
        read_table(path)
    assert info.value.__cause__ is not None


@pytest.mark.parametrize(("module", "name"), [("openpyxl", "p.xlsx"), ("pyarrow", "p.parquet")])
def test_missing_optional_dependency(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, module: str, name: str
) -> None:
    path = _write(tmp_path / name, b"PK\x03\x04")
    monkeypatch.setitem(sys.modules, module, None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    with pytest.raises(OptionalDependencyError, match=f"'{module}'.*greenscore\\[io\\]"):
        read_table(path)


# --- in-memory frames ----------------------------------------------------------------------------


def test_from_frame_numbers_rows_as_if_from_csv() -> None:
    df = pd.DataFrame({" id": ["a", "b"], "score": [1, 2]}, index=[10, 20])
    source = from_frame(df)
    assert source.row_numbers.tolist() == [2, 3]
    assert list(source.frame.columns) == ["id", "score"]
    assert isinstance(source.frame.index, pd.RangeIndex)
    assert (source.path, source.sha256, source.format) == (None, None, "frame")
    assert list(df.columns) == [" id", "score"]
    assert df.index.tolist() == [10, 20]


def test_from_frame_refuses_duplicate_columns() -> None:
    df = pd.DataFrame([[1, 2]], columns=["id", "id "])
    with pytest.raises(InputFileError, match="duplicate column headers: 'id'"):
        from_frame(df)


def test_row_numbers_are_read_only(tmp_path: Path) -> None:
    source = from_frame(pd.DataFrame({"id": ["a"]}))
    with pytest.raises(ValueError, match="read-only"):
        source.row_numbers[0] = 5


def test_jsonl_keeps_nested_values(tmp_path: Path) -> None:
    path = tmp_path / "parks.jsonl"
    record = {"id": "p1", "tags": ["a", "b"], "meta": {"k": 1}}
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    assert read_table(path).frame.iloc[0].to_dict() == record


def test_xlsx_that_unpacks_implausibly_large_is_refused(tmp_path: Path) -> None:
    cells: dict[str, object] = {f"A{row}": "x" * 30_000 for row in range(2, 100)}
    path = _xlsx(tmp_path / "parks.xlsx", {"A1": "id", **cells})
    assert path.stat().st_size < 50_000
    with pytest.raises(InputFileError, match="implausibly large") as info:
        read_table(path, max_bytes=100_000)
    assert str(path) in str(info.value)
