"""Excel cells read as Excel shows them: no formula or merged cell silently reads as blank."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

from greenscore.errors import InputFileError
from greenscore.io import read_table

SHEET_PART = "xl/worksheets/sheet1.xml"


def _book(path: Path, title: str = "data", merge: str | None = None) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    for row in (["park_id", "income", "tax"], ["p1", 10, "=B2*2"], ["p2", 20, 5], ["", 30, 6]):
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    book.save(path)
    return path


def _with_cached_result(path: Path, cached: str) -> Path:
    """Store a result for C2's formula, as Excel does on saving (openpyxl never does)."""
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    xml = parts[SHEET_PART].decode()
    assert "<f>B2*2</f><v />" in xml
    parts[SHEET_PART] = xml.replace("<f>B2*2</f><v />", f"<f>B2*2</f><v>{cached}</v>").encode()
    with zipfile.ZipFile(path, "w") as target:
        for name, content in parts.items():
            target.writestr(name, content)
    return path


def _refused(path: Path) -> str:
    with pytest.raises(InputFileError) as caught:
        read_table(path)
    return str(caught.value)


def test_formula_without_cached_value_is_reported_not_read_as_blank(tmp_path: Path) -> None:
    message = _refused(_book(tmp_path / "parks.xlsx"))
    assert "data!C2 is a formula with no saved result" in message


def test_merged_cells_are_reported_not_read_as_blank(tmp_path: Path) -> None:
    path = _with_cached_result(_book(tmp_path / "parks.xlsx", merge="A3:A4"), "20")
    message = _refused(path)
    assert "data!A3:A4 are merged cells" in message
    assert "formula" not in message.split("Open the workbook")[0]


def test_unseen_cells_name_a_quoted_sheet_title(tmp_path: Path) -> None:
    path = _book(tmp_path / "parks.xlsx", title="2016 parks", merge="A3:A4")
    message = _refused(path)
    assert "'2016 parks'!C2 is a formula" in message
    assert "'2016 parks'!A3:A4 are merged" in message


def test_formula_with_cached_value_reads_as_its_value(tmp_path: Path) -> None:
    path = _with_cached_result(_book(tmp_path / "parks.xlsx"), "20")
    frame = read_table(path).frame
    assert frame["tax"].tolist() == [20, 5, 6]
