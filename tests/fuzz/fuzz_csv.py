"""CSV and TSV files: encodings, line endings, quoting errors, stray quotes and ragged rows.

The oracle is an RFC 4180 reader written here, independent of greenscore's: a file it reads is
read to exactly the same cells (or refused for a documented reason, each with its message); a
quoting error it finds is refused at the same line and column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from fuzz_run import TABLE_RUBRIC, Kind, Outcome, assess_outcome, guarded, strict
from fuzz_tables import Table, example_rows, is_blank_text, tables, text_of
from hypothesis import strategies as st

from greenscore.errors import InputFileError
from greenscore.io import read_table

VOCABULARY = {
    "gb18030": ["南昌高新技术产业开发区", "赣州经济技术开发区", "上饶婺源工业园区", "九江市"],
    "cp950": ["臺北內湖科技園區", "新竹科學工業園區", "高雄加工出口區", "臺中精密機械園區"],
    "cp932": ["東京ベイエリア産業団地", "大阪みなと工業団地", "横浜市産業振興センター"],
    "cp1252": ["Zürich Süd", "São Paulo", "Industriepark Köln-Nord", "Málaga façade", "Gärten"],
    "cp1251": [
        "Индустриальный парк Москва",
        "Технопарк Новосибирск",
        "Промышленная зона Екатеринбург",
    ],
}
"""Realistic names in each encoding a CSV file may come in, for the encoding cases."""

FOREIGN = ("cp950", "cp932", "cp1252", "cp1251")
"""Encodings greenscore does not read: a file in one is refused, never read as garbled text."""


@dataclass
class CsvCase:
    """A CSV file's bytes, the text they were made from and how, and the faults it holds."""

    suffix: str
    data: bytes
    text: str
    encoding: str
    kinds: set[str] = field(default_factory=set)
    realistic: bool = False

    @property
    def sep(self) -> str:
        return "\t" if self.suffix == ".tsv" else ","


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def render(table: Table, sep: str, quote_all: bool, newline: str, *, trailing: bool) -> str:
    """The table as delimited text, quoting as RFC 4180 asks (or every cell)."""
    lines = []
    for row in [table.header, *table.rows]:
        if row is None:
            lines.append("")
            continue
        cells = []
        for value in row:
            text = text_of(value)
            special = any(c in text for c in (sep, '"', "\r", "\n"))
            cells.append(_quote(text) if quote_all or special else text)
        lines.append(sep.join(cells))
    return newline.join(lines) + (newline if trailing else "")


_CELL_START = re.compile(r"(?:^|(?<=[,\t\n\r]))")


@st.composite
def _quote_fault(draw: st.DrawFn, text: str, kinds: set[str]) -> str:
    if not text:
        return text
    fault = draw(st.sampled_from(["stray", "open", "after", "swallow"]))
    starts = [m.start() for m in _CELL_START.finditer(text)]
    if fault == "stray":
        kinds.add("csv.stray-quote")
        at = draw(st.integers(0, len(text)))
        return text[:at] + '"' + text[at:]
    if fault == "open":
        kinds.add("csv.unclosed-quote")
        at = draw(st.sampled_from(starts))
        return text[:at] + '"' + text[at:]
    if fault == "after":
        kinds.add("csv.text-after-quote")
        at = draw(st.sampled_from(starts))
        end = at
        while end < len(text) and text[end] not in ",\t\r\n":
            end += 1
        return text[:at] + '"' + text[at:end] + '"x' + text[end:]
    kinds.add("csv.swallowing-quote")
    first, second = sorted(draw(st.lists(st.sampled_from(starts), min_size=2, max_size=2)))
    end = second
    while end < len(text) and text[end] not in ",\t\r\n":
        end += 1
    return text[:first] + '"' + text[first:end] + '"' + text[end:]


def _ragged(draw: st.DrawFn, table: Table, kinds: set[str]) -> None:
    for i, row in enumerate(table.rows):
        if row is None or draw(st.integers(0, 5)):
            continue
        kinds.add("csv.ragged-rows")
        if draw(st.booleans()):
            table.rows[i] = row[: draw(st.integers(0, len(row)))]
        else:
            table.rows[i] = row + draw(st.lists(st.sampled_from(["", " ", "extra"]), max_size=3))


def _in_vocabulary(draw: st.DrawFn, table: Table, words: list[str]) -> None:
    """Every cell that is not plain ASCII becomes one of ``words``, as does one more cell, so the
    encoding can hold the text and the text holds what the encoding is for."""
    table.header = [h if text_of(h).isascii() else "note" for h in table.header]
    rows = [row for row in table.rows if row]
    for row in rows:
        for j, value in enumerate(row):
            if not text_of(value).isascii():
                row[j] = draw(st.sampled_from(words))
    if rows:
        row = draw(st.sampled_from(rows))
        row[draw(st.integers(0, len(row) - 1))] = draw(st.sampled_from(words))


@st.composite
def csv_cases(draw: st.DrawFn) -> CsvCase:
    """A table written as a CSV or TSV file with random encoding, quoting and line endings."""
    table = draw(tables())
    kinds = set(table.kinds)
    suffix = draw(st.sampled_from([".csv", ".csv", ".csv", ".tsv"]))
    if suffix == ".tsv":
        kinds.add("csv.tsv")
    encoding = draw(
        st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "gb18030", "utf-16", "utf-16-le", *FOREIGN])
    )
    realistic = encoding in FOREIGN or (encoding == "gb18030" and draw(st.booleans()))
    if realistic:
        _in_vocabulary(draw, table, VOCABULARY[encoding])
    kinds.add(
        {"utf-8": "csv.utf-8", "utf-8-sig": "csv.utf-8-bom", "gb18030": "csv.gb18030"}.get(
            encoding,
            "csv.utf-16" if encoding.startswith("utf-16") else "csv.foreign-encoding",
        )
    )
    if draw(st.integers(0, 4)) == 0:
        _ragged(draw, table, kinds)
    newline = draw(st.sampled_from(["\n", "\r\n", "\r", "mixed"]))
    if newline != "\n":
        kinds.add("csv.line-endings")
    sep = "\t" if suffix == ".tsv" else ","
    text = render(
        table, sep, draw(st.booleans()), "\n" if newline == "mixed" else newline, trailing=True
    )
    if newline == "mixed":
        text = "".join(
            line + draw(st.sampled_from(["\n", "\r\n", "\r"])) for line in text.split("\n")[:-1]
        )
    if draw(st.integers(0, 3)) == 0:
        text = draw(_quote_fault(text, kinds))
    if draw(st.integers(0, 40)) == 0:
        kinds.add("csv.nul-character")
        at = draw(st.integers(0, len(text)))
        text = text[:at] + "\x00" + text[at:]
    if encoding in ("utf-8-sig", "utf-16"):
        kinds.add("csv.byte-order-mark")
    return CsvCase(suffix, text.encode(encoding), text, encoding, kinds, realistic)


@dataclass
class Parsed:
    """What an RFC 4180 reader makes of a text: records (each cell with its start offset) and the
    offset of the quote that makes it invalid, if any (records then hold those before it)."""

    records: list[list[tuple[str, int]]]
    broken: int | None


def rfc4180(text: str, sep: str) -> Parsed:
    """Records of RFC 4180 text; a quote only opens a cell at its start, CR, LF and CRLF end a
    record, and a quoted cell must close and be followed by a separator or a line break."""
    records: list[list[tuple[str, int]]] = []
    pos, n = 0, len(text)
    while pos < n:
        record: list[tuple[str, int]] = []
        while True:
            start = pos
            if pos < n and text[pos] == '"':
                pos += 1
                cell: list[str] = []
                while True:
                    if pos >= n:
                        return Parsed(records, start)
                    if text[pos] == '"':
                        if text.startswith('""', pos):
                            cell.append('"')
                            pos += 2
                            continue
                        pos += 1
                        break
                    cell.append(text[pos])
                    pos += 1
                if pos < n and text[pos] not in (sep, "\r", "\n"):
                    return Parsed(records, start)
                record.append(("".join(cell), start))
            else:
                while pos < n and text[pos] not in (sep, "\r", "\n"):
                    pos += 1
                record.append((text[start:pos], start))
            if pos < n and text[pos] == sep:
                pos += 1
                continue
            break
        pos += 2 if text.startswith("\r\n", pos) else 1
        records.append(record)
    return Parsed(records, None)


_BREAK = re.compile(r"\r\n|\r|\n")


def where(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of an offset (CR, LF and CRLF each end a line)."""
    breaks = list(_BREAK.finditer(text, 0, offset))
    return len(breaks) + 1, offset - (breaks[-1].end() if breaks else 0) + 1


@dataclass
class Expected:
    """What reading a CSV text must give: the frame's columns and rows with their record numbers,
    or one of the refusals (regular expressions) that apply."""

    columns: list[str] | None = None
    rows: list[list[str]] = field(default_factory=list)
    numbers: list[int] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)
    must_refuse: bool = False


def _spanning(parsed: Parsed, text: str, sep: str) -> tuple[int, str] | None:
    """The first record after the header with a multi-line cell holding a row's separators."""
    width = None
    for index, record in enumerate(parsed.records):
        cells = [c for c, _ in record]
        if width is None:
            if not all(is_blank_text(c) for c in cells):
                width = len(cells)
            continue
        for cell, start in record:
            if ("\n" in cell or "\r" in cell) and cell.count(sep) >= max(width - 1, 1):
                line, column = where(text, start)
                return index, f"line {line}, column {column}: a double quote opens a cell"
    return None


def expected_read(text: str, sep: str) -> Expected:
    """What greenscore must make of this decoded CSV text, by the oracle."""
    parsed = rfc4180(text, sep)
    spanning = _spanning(parsed, text, sep)
    if parsed.broken is not None:
        line, column = where(text, parsed.broken)
        quote = f"line {line}, column {column}: this double quote opens a cell"
        return Expected(refusals=[spanning[1] if spanning else quote], must_refuse=True)
    if spanning is not None:
        return Expected(refusals=[spanning[1]], must_refuse=True)
    records = [(i, [c for c, _ in r]) for i, r in enumerate(parsed.records, start=1)]
    records = [(i, r) for i, r in records if not all(is_blank_text(c) for c in r)]
    if not records:
        return Expected(refusals=["no header row"], must_refuse=True)
    (_, header), data = records[0], records[1:]
    names = [h.strip() for h in header]
    width = len(names)
    while width and not names[width - 1]:
        width -= 1
    refusals = []
    kept = [n for n in names[:width] if n]
    if len(set(kept)) < len(kept):
        refusals.append("duplicate column headers")
    for _, row in data:
        cells = row + [""] * (width - len(row))
        if any(not is_blank_text(c) for j, c in enumerate(cells) if j >= width or not names[j]):
            refusals.append("which has no header")
            break
    if refusals:
        return Expected(refusals=refusals, must_refuse=True)
    columns = [n for n in names[:width] if n]
    rows = [[(row[j] if j < len(row) else "") for j in range(width) if names[j]] for _, row in data]
    return Expected(columns, rows, [i for i, _ in data])


def expected_text(case: CsvCase) -> tuple[str | None, list[str]]:
    """The text greenscore must read from the bytes (None: it must refuse) and the refusals that
    are allowed: UTF-8 when the bytes are UTF-8, else only what they were written in."""
    data = case.data
    if case.encoding == "utf-16":
        return case.text, []
    if case.encoding.startswith("utf-16"):
        return case.text, ["NUL bytes"]
    if b"\x00" in data:
        return None, ["NUL bytes"]
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    refusals = ["looks like", "does not read as Chinese", "neither UTF-8 nor GB18030"]
    if case.encoding == "gb18030":
        return case.text, [] if case.realistic else refusals
    return None, refusals


def check_csv(folder: Path, case: CsvCase) -> Outcome:
    """Read the file as greenscore does and hold it to the oracle, then assess it."""
    path = folder / f"parks{case.suffix}"
    path.write_bytes(case.data)
    shown = str(path)
    text, allowed = expected_text(case)
    with strict():
        try:
            source = read_table(path)
        except InputFileError as error:
            message = str(error)
            assert shown in message, message
            if text is not None:
                allowed = allowed + expected_read(text, case.sep).refusals
            assert any(a in message for a in allowed), (message, allowed)
            return Outcome("InputFileError", message)
    assert text is not None, "a file in an encoding greenscore does not read was read"
    expected = expected_read(text, case.sep)
    assert not expected.must_refuse, f"read, though it must be refused: {expected.refusals}"
    assert list(source.frame.columns) == expected.columns
    assert [list(r) for r in source.frame.itertuples(index=False)] == expected.rows
    assert source.row_numbers.tolist() == expected.numbers
    return assess_outcome(source, TABLE_RUBRIC, len(expected.rows), shown=shown)


def csv_example(
    lines: list[str], *, encoding: str = "utf-8", suffix: str = ".csv", newline: str = "\n"
) -> CsvCase:
    """The example table's header and two valid rows, then ``lines``, as a file."""
    sep = "\t" if suffix == ".tsv" else ","
    base = render(example_rows(), sep, False, newline, trailing=True)
    text = base + "".join(f"{line}{newline}" for line in lines)
    return CsvCase(suffix, text.encode(encoding), text, encoding)


def _row(sep: str = ",", **changed: object) -> str:
    """The example's third row with some cells changed, as a line of text."""
    row = example_rows(changed).rows[-1]
    assert row is not None
    return sep.join(text_of(v) for v in row)


def _kind(
    id: str,
    description: str,
    lines: list[str],
    expect: str,
    *,
    encoding: str = "utf-8",
    suffix: str = ".csv",
    newline: str = "\n",
    known: str | None = None,
) -> Kind:
    case = csv_example(lines, encoding=encoding, suffix=suffix, newline=newline)

    def run(folder: Path) -> Outcome:
        return guarded(lambda: check_csv(folder, case), None)

    shown = " / ".join(lines)
    if newline != "\n":
        shown = newline.join([*lines, ""])
    if encoding != "utf-8":
        shown = f"{shown} (in {encoding})"
    return Kind(id, "CSV", description, shown, expect, run, known)


# fmt: off
KINDS = [
    _kind("csv.utf-8", "UTF-8 text, the baseline", [_row()], "scored"),
    _kind("csv.utf-8-bom", "UTF-8 with a byte order mark", [_row()], "scored", encoding="utf-8-sig"),
    _kind("csv.byte-order-mark", "a byte order mark (UTF-8 or UTF-16)", [_row()], "scored", encoding="utf-16"),
    _kind("csv.gb18030", "GB18030/GBK text (Chinese Excel's 'CSV')", [_row(city="赣州经济技术开发区")], "scored", encoding="gb18030"),
    _kind("csv.utf-16", "UTF-16 text, with or without a byte order mark", [_row()], "scored", encoding="utf-16-le"),
    _kind("csv.foreign-encoding", "Big5, Shift-JIS, Windows-1252 or Windows-1251 text", [_row(city="Zürich Süd")], "InputFileError", encoding="cp1252"),
    _kind("csv.line-endings", "CR, CRLF or mixed line endings", [_row()], "scored", newline="\r"),
    _kind("csv.tsv", "tab-separated values (.tsv)", [_row("\t")], "scored", suffix=".tsv"),
    _kind("csv.stray-quote", "a double quote inserted anywhere", ['P003,2020,"Nanchang,120,800'], "InputFileError"),
    _kind("csv.unclosed-quote", "a quote opening a cell that never closes", ['P003,2020,"Nan'], "InputFileError"),
    _kind("csv.text-after-quote", "text after a closing quote", ['P003,2020,"Nan"x,120'], "InputFileError"),
    _kind("csv.swallowing-quote", "a quoted cell spanning rows, swallowing them", [_row(city='"Nanchang'), _row(park_id="P004"), _row(park_id="P005", city='Jiujiang"')], "InputFileError"),
    _kind("csv.ragged-rows", "rows with too few or too many cells", ["P003,2020", _row(park_id="P004") + ",extra"], "InputFileError"),
    _kind("csv.nul-character", "a NUL character in the text", [_row(city="a\x00b")], "InputFileError"),
]
# fmt: on
