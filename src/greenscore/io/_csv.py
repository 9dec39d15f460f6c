"""CSV and TSV text: the encoding told by evidence, and quoting that never hides a row."""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence

import pandas as pd

from greenscore.io._table import assemble, error, fail, is_blank

_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_LOOKALIKES = {"Big5 (Traditional Chinese)": "cp950", "Shift-JIS (Japanese)": "cp932"}
"""Encodings that GB18030 would decode without error into garbled text, and Python's codec."""
_FREQUENT_SHARE = 0.5
"""GB18030 text must read mostly as frequent characters: Chinese text does (over 0.85 in every
Jiangxi park name), Western European or Cyrillic text decoded as GB18030 does not."""
_WORD = re.compile(r"[^\W\d_]+")


def text_encoding(name: str) -> str:
    """The canonical name of a text codec Python knows (``"Big5"`` gives ``"big5"``); a
    ValueError saying so for an unknown name or a codec that is not a text encoding."""
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"an encoding must be a codec name such as 'big5', not {name!r}")
    try:
        canonical = codecs.lookup(name.strip()).name
        "a".encode(canonical)
    except LookupError as e:
        raise ValueError(
            f"unknown encoding {name!r}; give a Python codec name such as utf-8, gb18030, "
            "big5, cp950, shift_jis, cp932 or utf-16"
        ) from e
    return canonical


def _option(codec: str) -> str:
    return f"--encoding {codec} (encoding={codec!r} in Python)"


def decode_text(data: bytes, shown: str, named: str | None = None) -> tuple[str, str]:
    """The text and the encoding: the one named, or the one the bytes show evidence of (UTF-8,
    UTF-16 or GB18030/GBK).

    GB18030 decodes almost any bytes, so it is taken only when its characters are mostly the
    common GB2312 set at least as often as a Big5 or Shift-JIS reading is mostly common
    characters of its own, and at least half of them are frequent ones (Windows-1252 or
    Windows-1251 text read as GB18030 is mostly rare characters); otherwise the file is refused,
    naming the likely encoding.
    """
    if data.startswith(b"PK\x03\x04"):
        fail(shown, "it looks like an Excel workbook, not CSV text; save it as .xlsx")
    if named is not None:
        return _decode_named(data, shown, named), named
    encoding = _utf16(data)
    if encoding is not None:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError as e:
            raise error(shown, f"its UTF-16 text is damaged at byte {e.start}") from e
    if b"\x00" in data:
        fail(shown, "it contains NUL bytes, so it is not a CSV text file")
    try:
        return data.decode("utf-8-sig"), "utf-8-sig"
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        fail(
            shown,
            f"text is neither UTF-8 nor GB18030 (first bad byte on line {line}): it looks like "
            f"{_single_byte(data)}; save it as 'CSV UTF-8', or name its encoding with "
            "--encoding NAME (encoding= in Python)",
        )
    likely = _likelier_than_gb18030(data, text)
    if likely is not None:
        fail(
            shown,
            f"text is not UTF-8 (first non-UTF-8 byte on line {line}) and looks like {likely}, "
            f"not GB18030/GBK; save it as 'CSV UTF-8', or name its encoding: "
            f"{_option(_LOOKALIKES[likely])}",
        )
    if _common_share(text, _gb_frequent) < _FREQUENT_SHARE:
        fail(
            shown,
            f"text is not UTF-8 (first non-UTF-8 byte on line {line}) and does not read as "
            f"Chinese GB18030/GBK either: it looks like {_single_byte(data)}; save it as "
            "'CSV UTF-8', or name its encoding with --encoding NAME (encoding= in Python)",
        )
    return text, "gb18030"


def _decode_named(data: bytes, shown: str, codec: str) -> str:
    """The text in the named codec, strictly; UTF-8 text is not read as another encoding."""
    if codec == "utf-8":
        codec = "utf-8-sig"
    elif _ascii_compatible(codec):
        if b"\x00" in data:
            fail(shown, "it contains NUL bytes, so it is not a CSV text file")
        if not data.isascii() and _is_utf8(data):
            fail(
                shown,
                f"the encoding {codec} was named, but the file is UTF-8 text (its non-ASCII "
                f"bytes all read as UTF-8, which {codec} text almost never does); leave the "
                "encoding out for this file",
            )
    try:
        return data.decode(codec)
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise error(
            shown, f"text is not valid {codec} (first bad byte on line {line}, byte {e.start})"
        ) from e


def _ascii_compatible(codec: str) -> bool:
    try:
        return "a,\n".encode(codec) == b"a,\n"
    except UnicodeError:
        return False


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _utf16(data: bytes) -> str | None:
    """'utf-16' for a byte order mark, 'utf-16-le'/'-be' for ASCII-heavy text without one."""
    if data.startswith(_UTF16_BOMS):
        return "utf-16"
    sample = data[:4096]
    half = len(sample) // 2
    if half < 2 or b"\x00" not in sample:
        return None
    even, odd = sample[0 : 2 * half : 2].count(0), sample[1 : 2 * half : 2].count(0)
    if odd > half * 0.3 and even < half * 0.05:
        return "utf-16-le"
    if even > half * 0.3 and odd < half * 0.05:
        return "utf-16-be"
    return None


def _common_share(text: str, common: Callable[[str], bool]) -> float:
    """The share of non-ASCII characters (by occurrence) that are common in an encoding."""
    counts = Counter(text)
    total = sum(n for ch, n in counts.items() if ord(ch) > 127)
    hits = sum(n for ch, n in counts.items() if ord(ch) > 127 and common(ch))
    return hits / total if total else 1.0


def _in_gb2312(ch: str) -> bool:
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def _gb_frequent(ch: str) -> bool:
    """Whether a character is a GB2312 symbol (rows A1-A9) or one of its 3,755 level-1 hanzi,
    the most frequent; level-2 hanzi and GBK's additions are rare in Chinese text."""
    try:
        code = ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return len(code) == 2 and (0xA1 <= code[0] <= 0xA9 or 0xB0 <= code[0] <= 0xD7)


def _single_byte(data: bytes) -> str:
    """Cyrillic when most words holding non-ASCII letters are wholly non-ASCII, else Western."""
    words = [w for w in _WORD.findall(data.decode("cp1251", errors="replace")) if not w.isascii()]
    whole = sum(1 for w in words if not any(c.isascii() for c in w))
    if words and whole * 2 > len(words):
        return "Windows-1251 (Cyrillic)"
    return "Windows-1252 or Latin-1 (Western European)"


def _common_in(codec: str) -> Callable[[str], bool]:
    """Whether a character is a symbol, kana or frequent ideograph of Big5 or Shift-JIS."""
    ranges = {
        "cp950": ((0xA140, 0xA3BF), (0xA440, 0xC67E)),
        "cp932": ((0x8140, 0x84BE), (0x889F, 0x9872), (0xA1, 0xDF)),
    }[codec]

    def common(ch: str) -> bool:
        code = int.from_bytes(ch.encode(codec, errors="ignore"), "big")
        return any(low <= code <= high for low, high in ranges)

    return common


def _likelier_than_gb18030(data: bytes, gb_text: str) -> str | None:
    """The name of a lookalike encoding the bytes fit better than GB18030, or None."""
    gb_share = _common_share(gb_text, _in_gb2312)
    if gb_share == 1.0:
        return None
    best, best_share = None, gb_share
    for name, codec in _LOOKALIKES.items():
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        share = _common_share(text, _common_in(codec))
        if share > best_share:
            best, best_share = name, share
    return best


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
