"""CSV text of a results table built column-wise with pyarrow compute kernels, byte for byte what
``escape_frame(frame).to_csv(index=False, lineterminator="\\r\\n")`` writes, without Python work
per cell except for the rare cells that need escaping or an unusual float form."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd

from greenscore.io._escape import _TRIGGERS, _UNSAFE_BUT_NEWLINE, _csv_cell

CHUNK_ROWS = 65_536
EOL = "\r\n"

_POSITIONAL_LOW = 1.0001e-4
_POSITIONAL_HIGH = 9.9999e9


def _re2_escape(char: str) -> str:
    return f"\\x{{{ord(char):x}}}"


def _re2_class(pattern: str) -> str:
    """The character class of ``pattern`` for RE2, every character written by code point; lone
    surrogates are left out since Arrow strings are UTF-8 and cannot hold them."""
    body = pattern[1:-1].replace("\ud800-\udfff", "")
    return "[" + "".join(c if c == "-" else _re2_escape(c) for c in body) + "]"


NEEDS_ESCAPE = (
    f"^[{''.join(map(_re2_escape, _TRIGGERS))}]|{_re2_class(_UNSAFE_BUT_NEWLINE.pattern)}"
)
"""RE2 pattern matching every text cell that escape_terminal or escape_spreadsheet_cell change
(a superset: the matched cells are escaped one by one by the same function escape_frame uses)."""

_NEEDS_QUOTES = '[,"\\r\\n]'


def supported(frame: pd.DataFrame) -> bool:
    """Whether every column has a type this writer renders as pandas does (others go to pandas)."""
    return len(frame.columns) > 0 and all(_kind(frame.iloc[:, j]) for j in range(frame.shape[1]))


def _kind(column: pd.Series) -> str | None:
    dtype = column.dtype
    if isinstance(dtype, np.dtype):
        if dtype.kind == "f" and dtype.itemsize == 8:
            return "float"
        if dtype.kind in "iu":
            return "int"
        if dtype.kind == "b":
            return "bool"
        if dtype.kind == "O":
            return "text"
        return None
    if isinstance(dtype, pd.StringDtype):
        return "text"
    if isinstance(dtype, pd.api.extensions.ExtensionDtype) and dtype.kind in "iu":
        return "int"
    return None


def csv_chunks(
    frame: pd.DataFrame, *, chunk_rows: int = CHUNK_ROWS
) -> Iterator[bytes | memoryview]:
    """The CSV file as UTF-8 pieces (header first, no byte-order mark) for a frame whose columns
    are all :func:`supported`; labels are strings (see ``_flatten``)."""
    import pyarrow as pa

    labels = pa.array([_csv_cell(str(label)) for label in frame.columns], pa.string())
    header, _ = _quoted(labels)
    yield (_line(header.to_pylist()) + EOL).encode("utf-8")
    kinds = [_kind(frame.iloc[:, j]) for j in range(frame.shape[1])]
    for start in range(0, len(frame), chunk_rows):
        part = frame.iloc[start : start + chunk_rows]
        cells, plain = [], frame.shape[1] > 1
        for j, kind in enumerate(kinds):
            column, quoted = _cells(part.iloc[:, j], kind)
            cells.append(column)
            plain = plain and not quoted
        yield _written(cells) if plain else _joined(cells)


def _line(fields: list[str]) -> str:
    """One record as Python's csv module writes it: a lone empty field is written ``""``."""
    line = ",".join(fields)
    return '""' if line == "" and len(fields) == 1 else line


def _written(cells: list[Any]) -> memoryview:
    """Rows of fields that need no quotes, through pyarrow's CSV writer (which would quote every
    string itself, unlike Python's csv module, so it is told to quote nothing)."""
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    table = pa.Table.from_arrays(cells, names=[str(j) for j in range(len(cells))])
    sink = pa.BufferOutputStream()
    options = pa_csv.WriteOptions(include_header=False, quoting_style="none", eol=EOL)
    pa_csv.write_csv(table, sink, options)
    return memoryview(sink.getvalue())


def _joined(cells: list[Any]) -> memoryview:
    """Rows of fields, some quoted, joined with commas and line ends by compute kernels."""
    import pyarrow as pa
    import pyarrow.compute as pc

    lines = pc.binary_join_element_wise(*cells, ",") if len(cells) > 1 else cells[0]
    if len(cells) == 1:
        lines = pc.if_else(pc.equal(lines, ""), '""', lines)
    lines = pc.binary_join_element_wise(lines, "", EOL)
    width = np.int64 if pa.types.is_large_string(lines.type) else np.int32
    offsets = np.frombuffer(lines.buffers()[1], dtype=width)
    first, last = offsets[lines.offset], offsets[lines.offset + len(lines)]
    return memoryview(lines.buffers()[2])[first:last]


def _cells(column: pd.Series, kind: str | None) -> tuple[Any, bool]:
    """The column's CSV fields as a pyarrow string array without nulls (missing is empty), and
    whether any of them is quoted."""
    if kind == "float":
        return _floats(column.to_numpy()), False
    if kind == "int":
        return _ints(column), False
    if kind == "bool":
        import pyarrow as pa
        import pyarrow.compute as pc

        return pc.if_else(pa.array(column.to_numpy()), "True", "False"), False
    return _text_fields(column)


def _ints(column: pd.Series) -> Any:
    import pyarrow as pa
    import pyarrow.compute as pc

    values = pa.array(column, from_pandas=True)
    return pc.fill_null(pc.cast(values, pa.string()), "")


def _floats(values: np.ndarray) -> Any:
    """Fields as pandas writes float64 (numpy's ``astype(str)``, the shortest repr; NaN empty).

    Arrow's cast gives the same shortest digits; in [1e-4, 1e10) and for 0 and ±inf it writes
    them positionally as numpy does, but for a missing ``.0`` on whole numbers; all other values
    are formatted by numpy itself."""
    import pyarrow as pa
    import pyarrow.compute as pc

    with np.errstate(invalid="ignore"):
        size = np.abs(values)
        arrow_form = ((size >= _POSITIONAL_LOW) & (size <= _POSITIONAL_HIGH)) | (size == 0.0)
        arrow_form |= np.isinf(values)
        whole = arrow_form & np.isfinite(values) & (values == np.trunc(values))
    text = pc.cast(pa.array(values), pa.string())
    if whole.any():
        mask = pa.array(whole)
        dotted = pc.binary_join_element_wise(pc.filter(text, mask), ".0", "")
        text = pc.replace_with_mask(text, mask, dotted)
    missing = np.isnan(values)
    other = ~arrow_form & ~missing
    if other.any():
        exact = pa.array(values[other].astype(str), pa.string())
        text = pc.replace_with_mask(text, pa.array(other), exact)
    if missing.any():
        text = pc.replace_with_mask(
            text, pa.array(missing), pa.array([""] * int(missing.sum()), pa.string())
        )
    return text


def _text_fields(column: pd.Series) -> tuple[Any, bool]:
    """A text column's fields, escaped as escape_frame does and quoted, and whether any is
    quoted. A column of few distinct values (tiers, cities) is escaped and quoted once per value.
    Cells that are not text, or not UTF-8, are written as the csv module writes them, one by one
    (floats by repr, others by str)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    text = _arrow_text(column)
    if text is None:
        values = column.to_numpy(dtype=object)
        missing = pd.isna(values)
        fields = [
            "" if gone else _csv_text(_csv_cell(v)) for v, gone in zip(values, missing, strict=True)
        ]
        return _quoted(pa.array(fields, pa.string()))
    encoded = pc.dictionary_encode(text)
    if 4 * len(encoded.dictionary) <= len(text):
        words, quoted = _quoted(_escaped(encoded.dictionary))
        return pc.fill_null(pc.take(words, encoded.indices), ""), quoted
    return _quoted(_escaped(pc.fill_null(text, "")))


def _escaped(text: Any) -> Any:
    """Text (no nulls) with each cell that needs it escaped by escape_frame's own ``_csv_cell``."""
    import pyarrow as pa
    import pyarrow.compute as pc

    found = pc.match_substring_regex(text, NEEDS_ESCAPE)
    if not pc.any(found).as_py():
        return text
    fixed = [_csv_cell(v) for v in pc.filter(text, found).to_pylist()]
    return pc.replace_with_mask(text, found, pa.array(fixed, pa.string()))


def _arrow_text(column: pd.Series) -> Any | None:
    """The column as an Arrow string array with nulls for missing values, or None when it holds
    something other than text or text that UTF-8 cannot hold (lone surrogates)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        if isinstance(column.dtype, pd.StringDtype):
            return pc.cast(pa.array(column, from_pandas=True), pa.string())
        values = column.to_numpy(dtype=object)
        if pd.api.types.infer_dtype(values, skipna=True) not in ("string", "empty"):
            return None
        missing = pd.isna(values)
        values = values.copy()
        values[missing] = None
        return pa.array(values, pa.string(), mask=missing)
    except (pa.ArrowException, UnicodeError):
        return None


def _csv_text(value: object) -> str:
    """A cell value as Python's csv module writes it (floats, numpy's too, by float's repr)."""
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        return float.__repr__(value)
    return str(value)


def _quoted(text: Any) -> tuple[Any, bool]:
    """Fields quoted as the csv module's QUOTE_MINIMAL does: when they hold a comma, a quote or a
    line break, with quotes doubled; and whether any is."""
    import pyarrow.compute as pc

    needs = pc.match_substring_regex(text, _NEEDS_QUOTES)
    if not pc.any(needs).as_py():
        return text, False
    wrapped = pc.binary_join_element_wise('"', pc.replace_substring(text, '"', '""'), '"', "")
    return pc.if_else(needs, wrapped, text), True
