"""What every table reader shares: the error wording and the frame built from header and rows."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any, NoReturn

import pandas as pd

from greenscore.errors import InputFileError


def error(shown: str, reason: str) -> InputFileError:
    """The one wording of a file that cannot be read: its name, then why."""
    return InputFileError(f"cannot read {shown}: {reason}")


def fail(shown: str, reason: str) -> NoReturn:
    """Raise ``error(shown, reason)``."""
    raise error(shown, reason)


def column_letters(index: int) -> str:
    """The spreadsheet letters of a 1-based column number, e.g. ``AB`` for 28."""
    letters = ""
    n = index
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(ord("A") + rem) + letters
    return letters


def column_label(index: int) -> str:
    """1-based column number with its spreadsheet letter, e.g. ``column 28 (AB)``."""
    return f"column {index} ({column_letters(index)})"


def is_blank(value: object) -> bool:
    """None or text of blanks only: an empty cell."""
    if value is None:
        return True
    return isinstance(value, str) and not value.strip()


def check_duplicates(names: Sequence[Hashable], shown: str) -> None:
    """Refuse a table whose column headers repeat."""
    seen: set[Hashable] = set()
    dups: list[Hashable] = []
    for name in names:
        if name in seen and name not in dups:
            dups.append(name)
        seen.add(name)
    if dups:
        listed = ", ".join(repr(d) for d in dups)
        fail(shown, f"duplicate column headers: {listed}; every column needs a unique header")


def assemble(
    shown: str,
    header: Sequence[object],
    rows: list[Sequence[object]],
    numbers: list[int],
    header_row: int,
    *,
    fill: object,
    dtype: Any,
) -> pd.DataFrame:
    """Build the frame from a header and ragged rows, refusing cells that have no header."""
    names = ["" if is_blank(h) else str(h).strip() for h in header]
    width = len(names)
    while width and not names[width - 1]:
        width -= 1
    check_duplicates([n for n in names[:width] if n], shown)
    for row, number in zip(rows, numbers, strict=True):
        for j in range(width, len(row)):
            if not is_blank(row[j]):
                fail(
                    shown,
                    f"row {number} has a value in {column_label(j + 1)}, which has no header "
                    f"(the header is row {header_row}, the first non-blank row)",
                )
    columns: dict[str, list[object]] = {}
    for j in range(width):
        values = [row[j] if j < len(row) else fill for row in rows]
        if not names[j]:
            for value, number in zip(values, numbers, strict=True):
                if not is_blank(value):
                    fail(
                        shown,
                        f"row {number} has a value in {column_label(j + 1)}, which has no "
                        f"header (the header is row {header_row}, the first non-blank row)",
                    )
            continue
        columns[names[j]] = values
    return pd.DataFrame(columns, dtype=dtype)
