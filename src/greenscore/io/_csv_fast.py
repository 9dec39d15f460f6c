"""CSV and TSV text through pyarrow's reader, for plain text whose rows are its lines.

The located diagnostics of ``parse_delimited`` (quotes, blank rows, ragged rows, cells without
a header) stay the one source of truth: this reader takes only text where no such question can
arise and hands everything else back, so a file reads the same whichever path reads it.
"""

from __future__ import annotations

import re

import pandas as pd

from greenscore.io._table import check_duplicates

_UNUSUAL_SPACE = re.compile(
    "[\x0b\x0c\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
)
"""Blanks Python's str.strip removes that pyarrow's trim may not: such text takes the slow path."""


def parse_plain(text: str, sep: str, shown: str) -> tuple[pd.DataFrame, list[int]] | None:
    """The frame and row numbers of quote-free text with no blank line, read by pyarrow with
    every cell kept as text; None when the text needs ``parse_delimited`` (or pyarrow is absent).
    """
    if '"' in text or "\x00" in text or _UNUSUAL_SPACE.search(text):
        return None
    if "\r" in text and text.count("\r") != text.count("\r\n"):
        return None
    body = text[:-1] if text.endswith("\n") else text
    if not body or body[0] in "\r\n" or "\n\n" in body or "\n\r\n" in body:
        return None
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
        from pyarrow import csv
    except ImportError:
        return None
    end = body.find("\n")
    first = (body if end < 0 else body[:end]).rstrip("\r")
    names = [cell.strip() for cell in first.split(sep)]
    if len(names) < 2 or not all(names):
        return None
    check_duplicates(names, shown)
    lines = body.count("\n") + 1
    keys = [f"c{j}" for j in range(len(names))]
    try:
        table = csv.read_csv(
            pa.py_buffer(body.encode("utf-8")),
            read_options=csv.ReadOptions(skip_rows=1, column_names=keys, use_threads=True),
            parse_options=csv.ParseOptions(
                delimiter=sep, quote_char=False, double_quote=False, ignore_empty_lines=False
            ),
            convert_options=csv.ConvertOptions(
                column_types=dict.fromkeys(keys, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    if table.num_rows != lines - 1:
        return None
    blank = None
    for key in keys:
        empty = pc.equal(pc.utf8_length(pc.utf8_trim_whitespace(table[key])), 0)
        blank = empty if blank is None else pc.and_(blank, empty)
    if blank is not None and pc.any(blank).as_py():
        return None
    frame = pd.DataFrame(
        {name: table[key].to_pandas() for name, key in zip(names, keys, strict=True)}, dtype=str
    )
    return frame, list(range(2, table.num_rows + 2))
