"""Excel workbooks read as Excel shows them: a sheet the user can see, every cell as displayed.

openpyxl (read-only) gives None for a formula with no saved result and for the cells a merge
covers, and the text ``"#DIV/0!"`` for an error; each is refused with its cell address instead.
Hidden sheets are read only when named; hidden rows and columns are read and named in a note.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import iterparse

import pandas as pd

from greenscore.errors import InputFileError
from greenscore.io._deps import require
from greenscore.io._table import assemble, column_letters, error, fail, is_blank

_MAX_EXPANSION = 10
_MARKERS = re.compile(rb"<(?:\w+:)?(?:f|mergeCell)\b|\st=[\"']e[\"']|\shidden=[\"'](?:1|true)[\"']")
_SHOWN = 10
_STATES = {"hidden": "hidden", "veryHidden": "very hidden"}


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _hidden(element: Any) -> bool:
    return element.get("hidden") in ("1", "true")


@dataclass
class SheetScan:
    """What the sheet's XML holds that openpyxl's values hide: cells Excel shows otherwise than
    they would read, and the rows and columns hidden in Excel."""

    blank: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    hidden_rows: set[int] = field(default_factory=set)
    hidden_columns: set[int] = field(default_factory=set)


def scan_sheet(data: bytes, part: str, title: str) -> SheetScan:
    """Unsaved formulas, merged ranges and error cells as ``sheet!A1``, and hidden rows/columns."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read(part.lstrip("/"))
    scan = SheetScan()
    if _MARKERS.search(xml) is None:
        return scan
    row = 0
    for _, element in iterparse(io.BytesIO(xml)):
        name = _local(element.tag)
        if name == "c":
            _cell(scan, title, element)
            element.clear()
        elif name == "row":
            row = int(element.get("r") or row + 1)
            if _hidden(element):
                scan.hidden_rows.add(row)
            element.clear()
        elif name == "col" and _hidden(element):
            low, high = int(element.get("min", "1")), int(element.get("max", "1"))
            scan.hidden_columns.update(range(low, min(high, 16_384) + 1))
        elif name == "mergeCell":
            scan.blank.append(f"{_address(title, element.get('ref', '?'))} are merged cells")
    return scan


def _cell(scan: SheetScan, title: str, element: Any) -> None:
    children = {_local(child.tag): child for child in element}
    value = children.get("v")
    shown = value.text if value is not None and value.text else None
    where = _address(title, element.get("r", "?"))
    if element.get("t") == "e":
        origin = ", the saved result of its formula" if "f" in children else ""
        scan.errors.append(f"{where} ({shown or 'an error'}{origin})")
    elif "f" in children and shown is None:
        scan.blank.append(f"{where} is a formula with no saved result")


def _address(title: str, ref: str) -> str:
    quoted = title if re.fullmatch(r"\w+", title) else "'" + title.replace("'", "''") + "'"
    return f"{quoted}!{ref}"


def _listed(found: list[str]) -> str:
    more = f"; and {len(found) - _SHOWN} more" if len(found) > _SHOWN else ""
    return "; ".join(found[:_SHOWN]) + more


def describe_refused(scan: SheetScan) -> str | None:
    """Why a sheet is refused, cell by cell with what to do in Excel, or None if it is not."""
    parts = []
    if scan.blank:
        parts.append(
            f"cells would read as blank although Excel shows a value: {_listed(scan.blank)}. "
            "Open the workbook in Excel and save it (so formula results are stored), and "
            "unmerge merged cells, filling in every cell"
        )
    if scan.errors:
        parts.append(
            f"cells hold Excel errors, which are neither a value nor a blank: "
            f"{_listed(scan.errors)}. Correct the formulas or figures behind them, or clear the "
            "cells to leave those values unreported"
        )
    return ". ".join(parts) or None


def _spans(numbers: list[int]) -> str:
    """Sorted numbers as runs: ``5, 9–12, 20``, the first ten runs and a count of the rest."""
    runs: list[list[int]] = []
    for n in sorted(numbers):
        if runs and n == runs[-1][1] + 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    text = ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in runs[:_SHOWN])
    return text + (f" and {len(runs) - _SHOWN} more runs" if len(runs) > _SHOWN else "")


def parse_xlsx(
    data: bytes, shown: str, sheet: str | int | None, max_bytes: int
) -> tuple[pd.DataFrame, list[int], tuple[str, ...]]:
    """The frame, sheet row numbers and notes (hidden sheets, rows, columns) of one sheet."""
    openpyxl = require("openpyxl", "reading .xlsx files")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        fail(
            shown,
            "it is an old .xls workbook or a password-protected one; "
            "open it in Excel and save it as an unprotected .xlsx",
        )
    if not data.startswith(b"PK\x03\x04"):
        fail(shown, "it is not an .xlsx workbook (not a zip archive)")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            expanded = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        raise error(shown, f"the .xlsx workbook is damaged ({e})") from e
    if expanded > _MAX_EXPANSION * max_bytes:
        fail(shown, f"the workbook unpacks to {expanded:,} bytes, which is implausibly large")
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=UserWarning, module=r"openpyxl\.")
        return _read_sheet(openpyxl, data, shown, sheet)


def _read_sheet(
    openpyxl: Any, data: bytes, shown: str, sheet: str | int | None
) -> tuple[pd.DataFrame, list[int], tuple[str, ...]]:
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as e:
        raise error(shown, f"the .xlsx workbook is damaged ({type(e).__name__}: {e})") from e
    try:
        ws, notes = _pick_sheet(book, sheet, shown)
        ws.reset_dimensions()
        header: Sequence[object] | None = None
        header_row = 0
        rows: list[Sequence[object]] = []
        numbers: list[int] = []
        for number, values in enumerate(ws.iter_rows(min_row=1, values_only=True), start=1):
            if all(is_blank(v) for v in values):
                continue
            if header is None:
                header, header_row = values, number
            else:
                rows.append(values)
                numbers.append(number)
        scan = scan_sheet(data, ws._worksheet_path, ws.title)
        hint = _hidden_sheets_hint(book) if sheet is None else ""
    except InputFileError:
        raise
    except Exception as e:
        raise error(shown, f"the .xlsx workbook is damaged ({type(e).__name__}: {e})") from e
    finally:
        book.close()
    refused = describe_refused(scan)
    if refused:
        fail(shown, refused)
    if header is None:
        fail(shown, f"sheet {ws.title!r} is empty{hint}")
    frame = assemble(shown, header, rows, numbers, header_row, fill=None, dtype=object)
    notes += _hidden_notes(scan, ws.title, header, [header_row, *numbers])
    return frame, numbers, notes


def _state(ws: Any) -> str | None:
    """'hidden' or 'very hidden' for a sheet hidden in Excel, None for a visible one."""
    return _STATES.get(ws.sheet_state, None if ws.sheet_state == "visible" else ws.sheet_state)


def _hidden_list(book: Any) -> str:
    return ", ".join(f"{ws.title!r} ({_state(ws)})" for ws in book.worksheets if _state(ws))


def _hidden_sheets_hint(book: Any) -> str:
    listed = _hidden_list(book)
    if not listed:
        return ""
    return (
        f"; hidden sheets, read only when named: {listed}. Unhide the sheet that holds the "
        "data in Excel (or name it: sheet=...)"
    )


def _pick_sheet(book: Any, sheet: str | int | None, shown: str) -> tuple[Any, tuple[str, ...]]:
    """The sheet to read and a note when it is hidden or hidden sheets are passed over.

    Unnamed, the first visible sheet is read (what Excel shows); a named or numbered sheet
    (0-based, counting hidden ones) is read even when hidden.
    """
    sheets = list(book.worksheets)
    titles = [ws.title for ws in sheets]
    if not sheets:
        fail(shown, "the workbook has no worksheets")
    if sheet is None:
        visible = [ws for ws in sheets if _state(ws) is None]
        if not visible:
            fail(
                shown,
                f"every sheet is hidden ({_hidden_list(book)}); unhide the sheet that holds the "
                "data in Excel (or name it: sheet=...)",
            )
        listed = _hidden_list(book)
        note = f"read sheet {visible[0].title!r}, the first visible one; hidden sheets not read: "
        return visible[0], ((note + listed,) if listed else ())
    if isinstance(sheet, int) and not isinstance(sheet, bool):
        if not 0 <= sheet < len(sheets):
            fail(shown, f"there is no sheet number {sheet} (0-based); sheets: {titles}")
        chosen = sheets[sheet]
    elif isinstance(sheet, str) and sheet in titles:
        chosen = sheets[titles.index(sheet)]
    else:
        fail(shown, f"there is no sheet {sheet!r}; sheets: {titles}")
    state = _state(chosen)
    if state is None:
        return chosen, ()
    return chosen, (f"sheet {chosen.title!r} is {state} in Excel; read because it was named",)


def _hidden_notes(
    scan: SheetScan, title: str, header: Sequence[object], read_rows: list[int]
) -> tuple[str, ...]:
    notes = []
    rows = sorted(scan.hidden_rows.intersection(read_rows))
    if rows:
        label = "row" if len(rows) == 1 else "rows"
        notes.append(
            f"{label} {_spans(rows)} of sheet {title!r} {'is' if len(rows) == 1 else 'are'} "
            "hidden in Excel (filtered out or hidden by hand) but read like the others"
        )
    columns = [
        f"{column_letters(j)} ({str(header[j - 1]).strip()})"
        for j in sorted(scan.hidden_columns)
        if j <= len(header) and not is_blank(header[j - 1])
    ]
    if columns:
        label = "column" if len(columns) == 1 else "columns"
        listed = ", ".join(columns[:_SHOWN])
        more = f" and {len(columns) - _SHOWN} more" if len(columns) > _SHOWN else ""
        notes.append(
            f"{label} {listed}{more} of sheet {title!r} "
            f"{'is' if len(columns) == 1 else 'are'} hidden in Excel but read like the others"
        )
    return tuple(notes)
