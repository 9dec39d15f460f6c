"""Make text we write inert: spreadsheet formula injection (OWASP "CSV injection"), terminal
control sequences and Markdown/HTML markup in data values, each defused in one function here."""

from __future__ import annotations

import html
import re
from typing import Any, TypeVar, cast

import pandas as pd

T = TypeVar("T")

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_BIDI_AND_SEPARATORS = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff"
_UNSAFE = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI_AND_SEPARATORS}]")
_UNSAFE_BUT_NEWLINE = re.compile(f"[\x00-\x09\x0b-\x1f\x7f-\x9f{_BIDI_AND_SEPARATORS}]")
_SHORT_FORMS = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}
_MARKDOWN_SPECIAL = re.compile(r"[\\`*~\[\]|]|(?<![^\W_])_|_(?![^\W_])")
_HTML_SPECIAL = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def escape_spreadsheet_cell(value: T) -> T:
    """Prefix ``'`` to a string a spreadsheet would run as a formula; leave numbers and others be.

    Strings starting with ``= + - @``, tab or carriage return are escaped unless they are plain
    decimal numbers such as ``"-1.5"`` or ``"+2e3"``.
    """
    if isinstance(value, str) and value.startswith(_TRIGGERS) and not _NUMBER.fullmatch(value):
        return cast(T, "'" + value)
    return value


def escape_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` for a CSV file with text cells (object, string and text-categorical
    columns) and string column labels escaped: control characters but line breaks shown (as
    :func:`escape_terminal` does), then formulas defused; numbers, booleans and dates untouched."""
    out = df.copy()
    for i in range(out.shape[1]):
        column = out.iloc[:, i]
        dtype = column.dtype
        if isinstance(dtype, pd.CategoricalDtype):
            if not _is_text(dtype.categories.dtype):
                continue
            column = column.astype(object)
        elif not _is_text(dtype):
            continue
        out.isetitem(i, column.map(_csv_cell, na_action="ignore").array)
    if not isinstance(out.columns, pd.MultiIndex):
        out.columns = pd.Index([_csv_cell(c) for c in out.columns])
    return out


def _csv_cell(value: T) -> T:
    if isinstance(value, str):
        return cast(T, escape_spreadsheet_cell(escape_terminal(value, keep_newlines=True)))
    return escape_spreadsheet_cell(value)


def _is_text(dtype: Any) -> bool:
    return pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype)


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return _SHORT_FORMS.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def escape_terminal(text: str, *, keep_newlines: bool = False, json: bool = False) -> str:
    """``text`` safe to print: control characters (ESC, CSI, other C0 and C1), bidi overrides and
    lone surrogates shown as visible escapes such as ``\\x1b`` or ``\\u202e``.

    With ``keep_newlines`` line breaks stay, for whole messages; a table cell or a name keeps none.
    With ``json`` (for JSON text, whose line breaks are layout) every escape is ``\\uXXXX``, so
    the output stays valid JSON and decodes to the original characters.
    """
    if json:
        return _UNSAFE_BUT_NEWLINE.sub(_json_escape, text)
    return (_UNSAFE_BUT_NEWLINE if keep_newlines else _UNSAFE).sub(_visible, text)


def escape_markdown(value: object) -> str:
    """A data value as inert Markdown inline text: HTML markup as entities, Markdown punctuation
    (``\\ ` * _ ~ [ ] |``) backslash-escaped, line breaks as spaces, control characters visible.

    An underscore inside a word (``park_id``) stays as it is, since it cannot start emphasis.
    """
    text = "—" if value is None else str(value)
    text = _MARKDOWN_SPECIAL.sub(lambda m: "\\" + m.group(), text)
    text = "".join(_HTML_SPECIAL.get(c, c) for c in text)
    return escape_terminal(text.replace("\r\n", " ").replace("\n", " ").replace("\r", " "))


def escape_html(value: object) -> str:
    """A data value as inert HTML text (element content or a quoted attribute): ``& < > " '``
    as entities, control characters and bidi overrides shown as visible escapes."""
    text = "—" if value is None else str(value)
    return html.escape(escape_terminal(text), quote=True)
