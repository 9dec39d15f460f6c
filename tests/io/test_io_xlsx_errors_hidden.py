"""Issue 12, Excel input that reads what Excel shows: error cells (literal or a formula's saved
result) are refused with their address, never read as text or blank; a hidden sheet is read
only when named; hidden rows and columns are read and named in a note."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

from greenscore.errors import InputFileError
from greenscore.io import read_table

ROWS = [["park_id", "city", "income"], ["p1", "Nanchang", 10], ["p2", "Ganzhou", 20]]


def _book(path: Path, sheets: dict[str, list[list[object]]], hidden: dict[str, str]) -> Path:
    book = openpyxl.Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        sheet.sheet_state = hidden.get(title, "visible")
    book.save(path)
    return path


def _rewrite(path: Path, part: str, old: str, new: str) -> Path:
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    xml = parts[part].decode()
    assert old in xml
    parts[part] = xml.replace(old, new).encode()
    with zipfile.ZipFile(path, "w") as target:
        for name, content in parts.items():
            target.writestr(name, content)
    return path


def _refused(path: Path, **options: object) -> str:
    with pytest.raises(InputFileError) as caught:
        read_table(path, **options)  # type: ignore[arg-type]
    return str(caught.value)


# --- error cells ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code", ["#DIV/0!", "#N/A", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!"]
)
def test_excel_error_cell_is_reported_with_its_address_not_read_as_text(
    tmp_path: Path, code: str
) -> None:
    rows = [list(r) for r in ROWS]
    rows[2][2] = code
    message = _refused(_book(tmp_path / "parks.xlsx", {"data": rows}, {}))
    assert f"data!C3 ({code})" in message
    assert "Excel errors" in message


def test_excel_error_in_a_text_column_is_refused_too(tmp_path: Path) -> None:
    rows = [list(r) for r in ROWS]
    rows[1][1] = "#N/A"
    message = _refused(_book(tmp_path / "parks.xlsx", {"data": rows}, {}))
    assert "data!B2 (#N/A)" in message


def test_excel_error_saved_as_a_formula_result_is_reported_with_its_address(
    tmp_path: Path,
) -> None:
    rows = [list(r) for r in ROWS]
    rows[1][2] = "=1/0"
    path = _book(tmp_path / "parks.xlsx", {"data": rows}, {})
    _rewrite(
        path,
        "xl/worksheets/sheet1.xml",
        '<c r="C2"><f>1/0</f><v /></c>',
        '<c r="C2" t="e"><f>1/0</f><v>#DIV/0!</v></c>',
    )
    message = _refused(path)
    assert "data!C2 (#DIV/0!, the saved result of its formula)" in message
    assert "is a formula with no saved result" not in message


def test_excel_errors_and_unsaved_formulas_are_listed_together(tmp_path: Path) -> None:
    rows = [list(r) for r in ROWS]
    rows[1][2] = "=1/0"
    rows[2][2] = "#REF!"
    message = _refused(_book(tmp_path / "parks.xlsx", {"2016 parks": rows}, {}))
    assert "'2016 parks'!C2 is a formula with no saved result" in message
    assert "'2016 parks'!C3 (#REF!)" in message


def test_many_excel_errors_are_counted_past_the_first_ten(tmp_path: Path) -> None:
    rows = [["park_id", "income"]] + [[f"p{i}", "#N/A"] for i in range(1, 13)]
    message = _refused(_book(tmp_path / "parks.xlsx", {"data": rows}, {}))
    assert "data!B11 (#N/A); and 2 more" in message
    assert "data!B12" not in message


# --- hidden sheets -------------------------------------------------------------------------------


def test_a_hidden_first_sheet_is_passed_over_for_the_first_visible_one(tmp_path: Path) -> None:
    lookup = [["code", "name"], ["NC", "Nanchang"]]
    path = _book(tmp_path / "parks.xlsx", {"lookup": lookup, "data": ROWS}, {"lookup": "hidden"})
    source = read_table(path)
    assert list(source.frame.columns) == ["park_id", "city", "income"]
    assert source.notes == (
        "read sheet 'data', the first visible one; hidden sheets not read: 'lookup' (hidden)",
    )


def test_a_data_sheet_hidden_behind_an_empty_visible_one_is_named(tmp_path: Path) -> None:
    path = _book(tmp_path / "parks.xlsx", {"cover": [], "data": ROWS}, {"data": "veryHidden"})
    message = _refused(path)
    assert "sheet 'cover' is empty" in message
    assert "hidden sheets, read only when named: 'data' (very hidden)" in message


def test_a_hidden_sheet_is_read_when_named_and_the_note_says_so(tmp_path: Path) -> None:
    path = _book(tmp_path / "parks.xlsx", {"cover": [], "data": ROWS}, {"data": "hidden"})
    for sheet in ("data", 1):
        source = read_table(path, sheet=sheet)
        assert source.frame["park_id"].tolist() == ["p1", "p2"]
        assert source.notes == ("sheet 'data' is hidden in Excel; read because it was named",)


def test_a_workbook_whose_every_sheet_is_hidden_is_refused(tmp_path: Path) -> None:
    path = _book(tmp_path / "parks.xlsx", {"cover": [], "data": ROWS}, {"data": "hidden"})
    _rewrite(
        path,
        "xl/workbook.xml",
        '<sheet name="cover" sheetId="1" state="visible"',
        '<sheet name="cover" sheetId="1" state="hidden"',
    )
    message = _refused(path)
    assert "every sheet is hidden ('cover' (hidden), 'data' (hidden))" in message


def test_a_visible_sheet_reads_without_notes(tmp_path: Path) -> None:
    source = read_table(_book(tmp_path / "parks.xlsx", {"data": ROWS}, {}))
    assert source.notes == ()


# --- hidden rows and columns ---------------------------------------------------------------------


def test_hidden_rows_and_columns_are_read_and_named_in_a_note(tmp_path: Path) -> None:
    rows = [["park_id", "city", "income", ""]] + [[f"p{i}", "c", i, None] for i in range(1, 9)]
    path = _book(tmp_path / "parks.xlsx", {"data": rows}, {})
    book = openpyxl.load_workbook(path)
    sheet = book["data"]
    for row in (3, 5, 6, 7, 20):
        sheet.row_dimensions[row].hidden = True
    for column in ("B", "D"):
        sheet.column_dimensions[column].hidden = True
    book.save(path)
    source = read_table(path)
    assert source.frame["park_id"].tolist() == [f"p{i}" for i in range(1, 9)]
    # Rows 3 and 5-7 hold p2, p4-p6; row 20 is blank and column D has no header: neither is named.
    assert source.notes == (
        "rows 3, 5–7 of sheet 'data' are hidden in Excel (filtered out or hidden by hand) but "
        "read like the others",
        "column B (city) of sheet 'data' is hidden in Excel but read like the others",
    )
