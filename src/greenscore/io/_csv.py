"""CSV and TSV text: the encoding told by evidence, and quoting that never hides a row."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Sequence

import pandas as pd

from greenscore.io._table import assemble, fail, is_blank

_CSV_ENCODINGS = ("utf-8-sig", "gb18030")


def decode_text(data: bytes, shown: str) -> tuple[str, str]:
    if data.startswith(b"PK\x03\x04"):
        fail(shown, "it looks like an Excel workbook, not CSV text; save it as .xlsx")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        fail(shown, "it is UTF-16 text; save it as 'CSV UTF-8' instead")
    first_error: UnicodeDecodeError | None = None
    for encoding in _CSV_ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as e:
            first_error = first_error or e
            continue
        if "\x00" in text:
            fail(shown, "it contains NUL bytes, so it is not a CSV text file")
        return text, encoding
    assert first_error is not None
    line = data.count(b"\n", 0, first_error.start) + 1
    fail(
        shown,
        f"text is neither UTF-8 nor GB18030 (first bad byte on line {line}); "
        "save it as 'CSV UTF-8'",
    )


def parse_delimited(text: str, sep: str, shown: str) -> tuple[pd.DataFrame, list[int]]:
    """Rows of RFC 4180 text; an unbalanced quote is refused with its line and column.

    A quoted cell may hold line breaks, but one that spans lines and holds as many separators as
    the header has is refused too: it is far likelier a stray quote that swallowed whole rows
    than a cell, and accepting it would quietly report fewer rows than the file has.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=True)
    header: list[str] | None = None
    header_row = 0
    rows: list[Sequence[object]] = []
    numbers: list[int] = []
    number = 0
    first_line = 1
    try:
        for number, record in enumerate(reader, start=1):
            if reader.line_num > first_line and header is not None:
                _check_spanning(text, sep, shown, record, first_line, len(header))
            first_line = reader.line_num + 1
            if all(is_blank(cell) for cell in record):
                continue
            if header is None:
                header, header_row = record, number
            else:
                rows.append(record)
                numbers.append(number)
    except csv.Error as e:
        fail(
            shown,
            _QuoteScan(text, sep, first_line).broken()
            or f"malformed CSV near line {reader.line_num} (row {number + 1}): {e}",
        )
    if header is None:
        fail(shown, "it contains no header row (every line is blank)")
    frame = assemble(shown, header, rows, numbers, header_row, fill="", dtype=str)
    return frame, numbers


def _check_spanning(
    text: str, sep: str, shown: str, record: list[str], first_line: int, width: int
) -> None:
    for index, cell in enumerate(record):
        if ("\n" in cell or "\r" in cell) and cell.count(sep) >= max(width - 1, 1):
            start = _QuoteScan(text, sep, first_line).opening(index)
            lines = len(_LINE_BREAK.findall(cell))
            fail(
                shown,
                f"line {start[0]}, column {start[1]}: a double quote opens a cell that runs over "
                f"{lines} line break{'s' if lines != 1 else ''} and holds {cell.count(sep)} "
                f"separators, as if it had swallowed whole rows; a stray quote? Inside a quoted "
                'cell write a quote as "", or quote the whole cell',
            )


_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_QUOTED = re.compile(r'"[^"]*(?:""[^"]*)*"')


class _QuoteScan:
    """Walks one record's cells from its first line, as RFC 4180 reads them, to place a quote."""

    def __init__(self, text: str, sep: str, line: int) -> None:
        self.text = text
        self.sep = sep
        self.plain = re.compile(f"[^{re.escape(sep)}\r\n]*")
        self.start = 0
        for n, match in enumerate(_LINE_BREAK.finditer(text), start=2):
            if n > line:
                break
            self.start = match.end()

    def where(self, offset: int) -> tuple[int, int]:
        """1-based line and column of an offset in the text."""
        breaks = list(_LINE_BREAK.finditer(self.text, 0, offset))
        column = offset - (breaks[-1].end() if breaks else 0) + 1
        return len(breaks) + 1, column

    def _plain_end(self, pos: int) -> int:
        match = self.plain.match(self.text, pos)
        return pos if match is None else match.end()

    def _cells(self) -> Iterator[tuple[int, int, int | None]]:
        """(start, end, end of its quote or None when unquoted) of each cell of the record."""
        text, pos = self.text, self.start
        while True:
            if text.startswith('"', pos):
                match = _QUOTED.match(text, pos)
                if match is None:
                    yield pos, len(text), None
                    return
                end = closing = match.end()
                end = self._plain_end(end)
                yield pos, end, closing
            else:
                end = self._plain_end(pos)
                yield pos, end, None
            if end >= len(text) or text[end] != self.sep:
                return
            pos = end + 1

    def opening(self, index: int) -> tuple[int, int]:
        """Line and column where cell ``index`` of the record starts."""
        for n, (start, _, _) in enumerate(self._cells()):
            if n == index:
                return self.where(start)
        return self.where(self.start)

    def broken(self) -> str | None:
        """The located reason the record is not valid RFC 4180, or None if no quote explains it."""
        for start, end, closing in self._cells():
            if not self.text.startswith('"', start):
                continue
            line, column = self.where(start)
            if closing is None:
                return (
                    f"line {line}, column {column}: this double quote opens a cell that is never "
                    'closed; a stray quote? Inside a quoted cell write a quote as "", or quote '
                    "the whole cell"
                )
            if closing < end:
                after_line, after_column = self.where(closing)
                return (
                    f"line {line}, column {column}: this double quote opens a cell that closes "
                    f"at line {after_line}, column {after_column - 1}, but "
                    f"{self.text[closing]!r} follows the closing quote; a stray quote? Inside a "
                    'quoted cell write a quote as "", or quote the whole cell'
                )
        return None
