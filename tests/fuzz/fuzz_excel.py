"""Excel workbooks (written with openpyxl) with the quirks offices produce: formulas without a
saved result, merged cells, error cells, hidden sheets, typed and misplaced cells, damage."""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
from fuzz_run import TABLE_RUBRIC, Kind, Outcome, assess_outcome, guarded, strict
from fuzz_tables import Table, example_rows, is_blank_text, tables, text_of
from hypothesis import strategies as st
from openpyxl.utils import get_column_letter

from greenscore.errors import InputFileError
from greenscore.io import read_table

_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
ERRORS = ["#DIV/0!", "#N/A", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!"]


class Formula(str):
    """A cell formula, written as one (other text starting with '=' is written as text)."""


@dataclass
class ExcelCase:
    """A workbook's bytes, the cells its first sheet holds (row number → values), its faults, the
    cells that must be reported (formulas, merges) and those holding error values."""

    data: bytes
    cells: dict[int, list[Any]]
    kinds: set[str] = field(default_factory=set)
    unseen: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    damaged: bool = False


def storable(value: Any) -> Any:
    """A cell value as a workbook can hold it: no control characters, no NaN or infinity."""
    if isinstance(value, Formula):
        return value
    if isinstance(value, str):
        return _ILLEGAL.sub("?", value)
    if isinstance(value, float) and not math.isfinite(value):
        return text_of(value)
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 2**53:
        return float(value)
    return value


def as_read(value: Any) -> Any:
    """A stored value as a workbook gives it back: numbers as floats of the 16 digits written (so
    the largest float reads as infinity), dates as datetimes, empty text as an empty cell, line
    breaks in text as XML reads them (CR and CRLF as LF)."""
    if value == "":
        return None
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n")
    if isinstance(value, bool) or value is None or isinstance(value, dt.time):
        return value
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    return float(f"{float(value):.16g}")


def _same(got: Any, want: Any) -> bool:
    """Equal, numbers to the 15 significant digits a workbook keeps."""
    if isinstance(got, float) and isinstance(want, float):
        return math.isclose(got, want, rel_tol=1e-14, abs_tol=1e-300)
    return bool(got == want) and type(got) is type(want)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and is_blank_text(value))


def _write(sheet: Any, cells: dict[int, list[Any]]) -> None:
    for number, values in cells.items():
        for j, value in enumerate(values, start=1):
            if value is None:
                continue
            cell = sheet.cell(row=number, column=j, value=value)
            if cell.data_type == "f" and not isinstance(value, Formula):
                cell.data_type = "s"


def _typed(draw: st.DrawFn, value: Any) -> Any:
    """Text that reads as a number is stored as a number, as Excel does when one types it."""
    if isinstance(value, str) and draw(st.booleans()):
        try:
            number = float(value)
        except ValueError:
            return value
        return number if math.isfinite(number) else value
    return value


def _cell_fault(draw: st.DrawFn, case: ExcelCase, top: int) -> Any:
    """A formula, a merge or an error value in one data cell; returns the merge to make."""
    data_rows = [n for n in case.cells if n > top]
    if not data_rows:
        return None
    n = draw(st.sampled_from(data_rows))
    row = case.cells[n]
    j = draw(st.integers(1, max(len(row), 1)))
    row += [None] * (j - len(row))
    address = f"{get_column_letter(j)}{n}"
    kind = draw(st.sampled_from(["formula", "merged", "error"]))
    if kind == "formula":
        case.kinds.add("excel.formula-no-value")
        row[j - 1] = Formula(draw(st.sampled_from(["=1+1", "=A1", "=SUM(B2:B3)", '="x"'])))
        case.unseen.append(address)
        return None
    if kind == "error":
        case.kinds.add("excel.error-cell")
        row[j - 1] = draw(st.sampled_from(ERRORS))
        case.errors.append(address)
        return None
    case.kinds.add("excel.merged-cells")
    merge = f"{address}:{get_column_letter(j)}{n + 1}"
    case.unseen.append(merge)
    return merge


@st.composite
def excel_cases(draw: st.DrawFn) -> ExcelCase:
    """A table written as the first sheet of a workbook, with Excel's quirks."""
    table: Table = draw(tables())
    case = ExcelCase(b"", {}, set(table.kinds))
    top = 1
    if draw(st.integers(0, 5)) == 0:
        case.kinds.add("excel.leading-blank-rows")
        top = draw(st.integers(2, 4))
    case.cells[top] = [storable(h) for h in table.header]
    for number, row in enumerate(table.rows, start=top + 1):
        if row is not None:
            case.cells[number] = [storable(_typed(draw, v)) for v in row]
    merge = _cell_fault(draw, case, top) if draw(st.integers(0, 5)) == 0 else None
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = draw(st.sampled_from(["Sheet", "2020 数据", "Parks' data", "a-b"]))
    _write(sheet, case.cells)
    if merge is not None:
        sheet.merge_cells(merge)
    if draw(st.integers(0, 6)) == 0:
        case.kinds.add("excel.hidden-sheet")
        shown = book.create_sheet("shown")
        _write(shown, case.cells)
        if merge is not None:
            shown.merge_cells(merge)
        sheet.sheet_state = "hidden"
        book.active = 1
    if draw(st.integers(0, 6)) == 0:
        case.kinds.add("excel.extra-sheets")
        book.create_sheet("notes")["A1"] = "not the table"
    buffer = io.BytesIO()
    book.save(buffer)
    case.data = buffer.getvalue()
    if draw(st.integers(0, 15)) == 0:
        case.kinds.add("excel.damaged")
        case.damaged = True
        case.data = case.data[: draw(st.integers(0, len(case.data) - 1))]
    return case


def expected_frame(cells: dict[int, list[Any]]) -> tuple[list[str], list[list[Any]], list[int]]:
    """Columns, rows and row numbers a sheet holding ``cells`` must read as."""
    rows = [(n, v) for n, v in sorted(cells.items()) if not all(_blank(c) for c in v)]
    (_, header), data = rows[0], rows[1:]
    names = ["" if _blank(h) else str(h).strip() for h in header]
    width = len(names)
    while width and not names[width - 1]:
        width -= 1
    columns = [n for n in names[:width] if n]
    values = [
        [as_read(row[j]) if j < len(row) else None for j in range(width) if names[j]]
        for _, row in data
    ]
    return columns, values, [n for n, _ in data]


def _refusals(cells: dict[int, list[Any]]) -> list[str]:
    rows = [v for n, v in sorted(cells.items()) if not all(_blank(c) for c in v)]
    names = ["" if _blank(h) else str(h).strip() for h in rows[0]]
    width = len(names)
    while width and not names[width - 1]:
        width -= 1
    found = []
    kept = [n for n in names[:width] if n]
    if len(set(kept)) < len(kept):
        found.append("duplicate column headers")
    for row in rows[1:]:
        if any(not _blank(c) for j, c in enumerate(row) if j >= width or not names[j]):
            found.append("which has no header")
            break
    return found


def check_excel(folder: Path, case: ExcelCase) -> Outcome:
    """Read the workbook as greenscore does and compare it with the cells written, then assess."""
    path = folder / "parks.xlsx"
    path.write_bytes(case.data)
    shown = str(path)
    with strict():
        try:
            source = read_table(path)
        except InputFileError as error:
            message = str(error)
            assert shown in message, message
            if not case.damaged:
                _check_refusal(case, message)
            return Outcome("InputFileError", message)
    assert not case.unseen, f"cells that read as blank were not reported: {case.unseen}"
    refusals = _refusals(case.cells)
    assert not refusals, f"read, though it must be refused: {refusals}"
    columns, values, numbers = expected_frame(case.cells)
    assert list(source.frame.columns) == columns
    read = [[as_read(v) for v in row] for row in source.frame.itertuples(index=False, name=None)]
    for got, want in zip(read, values, strict=True):
        assert len(got) == len(want) and all(map(_same, got, want)), (got, want)
    assert source.row_numbers.tolist() == numbers
    return assess_outcome(source, TABLE_RUBRIC, len(values), shown=shown)


def _check_refusal(case: ExcelCase, message: str) -> None:
    """A refusal names every unseen cell, or an error cell, or a hidden sheet, or a table fault."""
    if case.unseen:
        for cell in case.unseen:
            assert f"!{cell} " in message, (cell, message)
        return
    if any(f"!{cell}" in message for cell in case.errors):
        return
    if "excel.hidden-sheet" in case.kinds and "hidden" in message:
        return
    refusals = _refusals(case.cells)
    assert any(r in message for r in refusals), (message, refusals)


def _example(change: dict[str, Any], edit: Any = None) -> ExcelCase:
    table = example_rows(change)
    book = openpyxl.Workbook()
    sheet = book.active
    cells = {1: list(table.header)}
    cells.update({n: list(row) for n, row in enumerate(table.rows, start=2) if row})
    _write(sheet, cells)
    case = ExcelCase(b"", cells)
    if edit is not None:
        edit(book, sheet, case)
    buffer = io.BytesIO()
    book.save(buffer)
    case.data = buffer.getvalue()
    return case


def _kind(
    id: str, description: str, example: str, expect: str, case: ExcelCase, known: str | None = None
) -> Kind:
    def run(folder: Path) -> Outcome:
        return guarded(lambda: check_excel(folder, case), None)

    return Kind(id, "Excel", description, example, expect, run, known)


def _formula(book: Any, sheet: Any, case: ExcelCase) -> None:
    sheet["D4"] = "=D2+D3"
    case.unseen.append("D4")


def _merged(book: Any, sheet: Any, case: ExcelCase) -> None:
    sheet.merge_cells("C3:C4")
    case.unseen.append("C3:C4")


def _error(book: Any, sheet: Any, case: ExcelCase) -> None:
    sheet["D4"] = "#DIV/0!"
    case.cells[4][3] = "#DIV/0!"
    case.errors.append("D4")


def _hidden(book: Any, sheet: Any, case: ExcelCase) -> None:
    shown = book.copy_worksheet(sheet)
    shown.title = "shown"
    sheet.sheet_state = "hidden"
    book.active = 1
    case.kinds.add("excel.hidden-sheet")


def _leading(book: Any, sheet: Any, case: ExcelCase) -> None:
    sheet.insert_rows(1, 2)
    case.cells = {n + 2: row for n, row in case.cells.items()}


def _notes(book: Any, sheet: Any, case: ExcelCase) -> None:
    book.create_sheet("notes")["A1"] = "not the table"


def _damaged() -> ExcelCase:
    case = _example({})
    case.data = case.data[: len(case.data) // 2]
    case.damaged = True
    return case


# fmt: off
KINDS = [
    _kind("excel.formula-no-value", "a formula cell with no saved result", "D4 = =D2+D3", "InputFileError", _example({}, _formula)),
    _kind("excel.merged-cells", "merged cells (only the first holds the value)", "C3:C4 merged", "InputFileError", _example({}, _merged)),
    _kind("excel.error-cell", "an error cell such as #DIV/0!", "D4 (revenue) = #DIV/0!", "InputFileError", _example({}, _error)),
    _kind("excel.hidden-sheet", "the first sheet hidden", "first sheet hidden, a copy visible", "scored", _example({}, _hidden)),
    _kind("excel.leading-blank-rows", "blank rows above the header", "header on row 3", "scored", _example({}, _leading)),
    _kind("excel.extra-sheets", "more sheets after the table's", "a 'notes' sheet", "scored", _example({}, _notes)),
    _kind("excel.damaged", "a truncated or damaged workbook", "the first half of a workbook", "InputFileError", _damaged()),
]
# fmt: on
